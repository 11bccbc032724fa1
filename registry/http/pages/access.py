"""Who is looking at a page: a session cookie, or a Bearer key (scripts); else the login page."""

from __future__ import annotations

import hmac
import re
from urllib.parse import quote

from aiohttp import web

from registry.core.errors import Forbidden
from registry.core.keys import ApiKey
from registry.http.context import API_KEY, KEYSTORE, OFFLOADER, UI_SESSIONS
from registry.http.pages.sessions import SessionStore

SESSIONS = UI_SESSIONS  # the store lives in the app's slots (registry/http/context.py)
COOKIE = "registry_session"
SESSION = "ui_session"  # request slot: the session's cookie value, when a session is in use
LOGIN = "/ui/_login"
# Where a login may send the browser afterwards: a path of our pages, nothing else. No scheme,
# no host, no "//" or "\" (which browsers read as another site), no dot segments.
_NEXT = re.compile(r"/ui/(?:[A-Za-z0-9_\-][A-Za-z0-9_.\-]*/?)*(?:\?[A-Za-z0-9_.\-~%=&+:]*)?")


def is_page(path: str) -> bool:
    return path == "/ui" or path.startswith("/ui/")


def safe_next(target: str | None) -> str:
    """``target`` if it is a page of ours to go back to after login, else the start page."""
    if target and _NEXT.fullmatch(target) and "/." not in target:
        return target
    return "/ui/"


async def page_key(request: web.Request) -> ApiKey:
    """The caller's key: a Bearer key the middleware accepted, or the session's; else 303 to login."""
    key: ApiKey | None = request.get(API_KEY)
    if key is not None:
        return key
    token = request.cookies.get(COOKIE)
    if token:
        store, keys = request.app[SESSIONS], request.app[KEYSTORE]
        key = await request.app[OFFLOADER].run(store.find, token, keys)
        if key is not None:
            request[API_KEY] = key
            request[SESSION] = token
            return key
    target = request.path_qs if request.method == "GET" else request.path
    raise web.HTTPSeeOther(f"{LOGIN}?next={quote(target, safe='/')}")


def csrf_for(request: web.Request) -> str | None:
    """The form token of the caller's session (None when the caller used a Bearer key)."""
    token: str | None = request.get(SESSION)
    return SessionStore.csrf_token(token) if token is not None else None


def check_csrf(request: web.Request, sent: str | None) -> None:
    """Refuse a form sent with a session but without that session's token.

    A Bearer key is never sent by a browser on its own, so a request carrying one is not forged.
    """
    expected = csrf_for(request)
    if expected is not None and not hmac.compare_digest(expected, sent or ""):
        raise Forbidden("the form's token does not match this session; reload the page and try again")


def is_https(request: web.Request) -> bool:
    """Over HTTPS, here or at a proxy in front that says so (X-Forwarded-Proto, docs/ui.md).

    Trusting the header only decides the cookie's ``Secure`` flag, which can only make it safer.
    """
    forwarded = request.headers.get("X-Forwarded-Proto", "").split(",")[0].strip().lower()
    return request.secure or forwarded == "https"


def set_session_cookie(request: web.Request, response: web.StreamResponse, token: str) -> None:
    response.set_cookie(
        COOKIE, token, path="/ui", httponly=True, samesite="Strict", secure=is_https(request) or None
    )


def clear_session_cookie(response: web.StreamResponse) -> None:
    response.del_cookie(COOKIE, path="/ui")
