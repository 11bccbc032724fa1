"""Logging in and out of the web pages."""

from __future__ import annotations

from aiohttp import web

from registry.core.errors import InvalidInput
from registry.http.context import KEYSTORE, OFFLOADER
from registry.http.pages.access import (
    COOKIE,
    SESSIONS,
    check_csrf,
    clear_session_cookie,
    page_key,
    safe_next,
    set_session_cookie,
)
from registry.http.pages.render import page

routes = web.RouteTableDef()
FORM_TYPE = "application/x-www-form-urlencoded"
MAX_FORM_BYTES = 4096  # a key and a path: a login form is tiny


@routes.get("/ui/_login")
async def login_form(request: web.Request) -> web.Response:
    return page(request, "login.html", {"next": safe_next(request.query.get("next")), "failed": False})


@routes.post("/ui/_login")
async def login(request: web.Request) -> web.Response:
    form = await read_form(request)
    target = safe_next(form.get("next"))
    key = request.app[KEYSTORE].authenticate(form.get("key", "").strip()) if form.get("key") else None
    if key is None:  # the same page again, saying so; nothing about the key is echoed
        return page(request, "login.html", {"next": target, "failed": True}, status=401)
    token = await request.app[OFFLOADER].run(request.app[SESSIONS].start, key)
    response = web.HTTPSeeOther(target)
    set_session_cookie(request, response, token)
    raise response


@routes.post("/ui/_logout")
async def logout(request: web.Request) -> web.Response:
    await page_key(request)
    form = await read_form(request)
    check_csrf(request, form.get("csrf"))
    token = request.cookies.get(COOKIE)
    if token:
        await request.app[OFFLOADER].run(request.app[SESSIONS].end, token)
    response = web.HTTPSeeOther("/ui/_login")
    clear_session_cookie(response)
    raise response


async def read_form(request: web.Request, limit: int = MAX_FORM_BYTES) -> dict[str, str]:
    """The form's fields as text (a field sent twice: the first)."""
    if request.content_length is not None and request.content_length > limit:
        raise web.HTTPRequestEntityTooLarge(max_size=limit, actual_size=request.content_length)
    if request.content_type != FORM_TYPE:  # what our forms send; multipart would take files
        raise InvalidInput(f"send the form as {FORM_TYPE}")
    try:
        data = await request.post()
    except ValueError as exc:  # a body that is no form
        raise InvalidInput("the form could not be read") from exc
    fields: dict[str, str] = {}
    for name, value in data.items():
        if isinstance(value, str):
            fields.setdefault(name, value)
    return fields
