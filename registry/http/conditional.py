"""Conditional reads (RFC 9110, section 13): ``If-None-Match`` answered with ``304 Not Modified``.

Every answer that carries an ``ETag`` also says ``Cache-Control: no-cache``: a cache may keep it,
but must ask again each time, and the question costs the client no body when nothing changed.
"""

from __future__ import annotations

from aiohttp import web

# Headers a 304 repeats from the 200 it stands for (RFC 9110, 15.4.5).
_KEPT = ("ETag", "Cache-Control", "Vary", "Content-Location", "Expires", "Date")


def revalidated(request: web.Request, response: web.StreamResponse) -> web.StreamResponse:
    """``response``, or a 304 in its place when the client's ``If-None-Match`` names its tag."""
    etag = response.headers.get("ETag")
    if etag is None:
        return response
    response.headers.setdefault("Cache-Control", "no-cache")
    condition = request.headers.get("If-None-Match")
    if (
        condition is None
        or request.method not in ("GET", "HEAD")
        or response.status != 200
        or response.prepared
        or not matches(condition, etag)
    ):
        return response
    kept = {name: response.headers[name] for name in _KEPT if name in response.headers}
    return web.Response(status=304, headers=kept)


def matches(condition: str, etag: str) -> bool:
    """Whether ``If-None-Match: condition`` names ``etag`` by the weak comparison (``*``: any)."""
    if condition.strip() == "*":
        return True
    ours = _opaque(etag)
    return any(_opaque(tag) == ours for tag in condition.split(",") if tag.strip())


def _opaque(tag: str) -> str:
    """The tag without its weakness marker: ``W/"a"`` and ``"a"`` compare equal when weak."""
    return tag.strip().removeprefix("W/")
