"""Templates in, HTML answers out: one place sets the headers every page carries."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import aiohttp_jinja2
import jinja2
from aiohttp import web

from registry.http.context import API_KEY, CONFIG
from registry.http.pages.access import csrf_for

# No inline script or style anywhere: every page loads /ui/_static/ui.css and ui.js only.
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'self'",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",  # pages show what a key may read; no shared or back-button copies
}


def setup_templates(app: web.Application) -> None:
    env = aiohttp_jinja2.setup(
        app,
        loader=jinja2.PackageLoader("registry.http.pages", "templates"),
        autoescape=True,  # every value is escaped unless it is Markup (Pygments' output, say)
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["when"] = when
    env.filters["short"] = lambda version: (version or "")[:12]


def page(request: web.Request, template: str, context: dict[str, Any], *, status: int = 200) -> web.Response:
    """The page ``template`` with ``context``, plus what every page knows (who, form token)."""
    context = {"csrf": csrf_for(request), "signed_in": API_KEY in request, **context}
    response = aiohttp_jinja2.render_template(template, request, context, status=status)
    response.headers.update(PAGE_HEADERS)
    return response


def public_base(request: web.Request) -> str:
    """The registry's address for links people copy: ``--public-url``, else this request's."""
    configured = request.app[CONFIG].public_url
    return configured if configured is not None else f"{request.scheme}://{request.host}"


def when(timestamp: int | str | None, now: float | None = None) -> dict[str, str]:
    """A moment as machine time, exact text and relative text (the script keeps the last fresh)."""
    if timestamp is None:
        return {"iso": "", "exact": "", "relative": ""}
    if isinstance(timestamp, str):
        moment = datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
    else:
        moment = datetime.fromtimestamp(timestamp, UTC)
    current = datetime.now(UTC) if now is None else datetime.fromtimestamp(now, UTC)
    return {
        "iso": moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "exact": moment.strftime("%Y-%m-%d %H:%M:%S UTC"),
        "relative": relative((current - moment).total_seconds()),
    }


_UNITS = ((365 * 86400, "year"), (30 * 86400, "month"), (86400, "day"), (3600, "hour"), (60, "minute"))


def relative(seconds: float) -> str:
    if seconds < 0:
        return "just now"  # a clock a little ahead
    for size, unit in _UNITS:
        if seconds >= size:
            count = int(seconds // size)
            return f"{count} {unit}{'s' if count != 1 else ''} ago"
    return "just now"
