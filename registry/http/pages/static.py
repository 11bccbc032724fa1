"""Static files of the pages, read once at start from the package (never from disk per request)."""

from __future__ import annotations

from importlib import resources

from aiohttp import web
from pygments.formatters.html import HtmlFormatter

from registry.core.errors import NotFound
from registry.http.context import UI_STATIC

STATIC = UI_STATIC
# Every colour of Pygments' "xcode" style reaches 4.5:1 on its white (WCAG AA; tests/http/test_pages.py
# checks); its CSS is made at start, not kept in the package.
PYGMENTS_STYLE = "xcode"
_TYPES = {".css": "text/css", ".js": "text/javascript", ".svg": "image/svg+xml"}

routes = web.RouteTableDef()


def setup_static(app: web.Application) -> None:
    files: dict[str, tuple[bytes, str]] = {}
    for entry in resources.files("registry.http.pages").joinpath("static").iterdir():
        suffix = entry.name[entry.name.rfind(".") :]
        if suffix in _TYPES:
            files[entry.name] = (entry.read_bytes(), _TYPES[suffix])
    css = HtmlFormatter(style=PYGMENTS_STYLE).get_style_defs(".highlight")  # type: ignore[no-untyped-call]
    files["pygments.css"] = (css.encode(), "text/css")
    app[STATIC] = files
    app.add_routes(routes)


@routes.get("/ui/_static/{name}")
async def static_file(request: web.Request) -> web.Response:
    found = request.app[STATIC].get(request.match_info["name"])
    if found is None:
        raise NotFound("no such static file")
    body, content_type = found
    return web.Response(
        body=body,
        content_type=content_type,
        charset="utf-8",
        headers={"Cache-Control": "max-age=300", "X-Content-Type-Options": "nosniff"},
    )
