"""Pages answer failures as pages: the same statuses as the API, in HTML instead of problem+json."""

from __future__ import annotations

import logging

from aiohttp import web
from aiohttp.web_protocol import RequestPayloadError

from registry.core import errors
from registry.core.keys import KeyStore
from registry.http.auth import secret_from_header
from registry.http.body_guard import body_pending, guarded
from registry.http.context import API_KEY
from registry.http.pages.render import page
from registry.http.problems import Handler, describe

log = logging.getLogger("registry")


def error_page(request: web.Request, status: int, title: str, detail: str) -> web.Response:
    return page(request, "error.html", {"status": status, "title": title, "detail": detail}, status=status)


async def answer_page(request: web.Request, handler: Handler, keys: KeyStore) -> web.StreamResponse:
    """A page's answer, or the error page for whatever went wrong.

    A Bearer key is taken when it is known; without one the page looks for a session itself
    (that needs a file read, so it cannot happen here) and sends the browser to log in.
    """
    try:
        secret = secret_from_header(request.headers.get("Authorization", ""))
        key = keys.authenticate(secret) if secret else None
        if key is not None:
            request[API_KEY] = key
        if body_pending(request):
            return await guarded(request, handler)
        return await handler(request)
    except errors.RegistryError as exc:
        status, _, title = describe(exc)
        return error_page(request, status, title, exc.detail)
    except RequestPayloadError:
        return error_page(request, 400, "The request is malformed", "the request body could not be decoded")
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        response = error_page(request, exc.status, exc.reason, _detail(exc))
        if "Allow" in exc.headers:
            response.headers["Allow"] = exc.headers["Allow"]
        return response
    except Exception:
        log.exception(
            "unhandled error in %s %s [request %s]", request.method, request.path, request.get("id")
        )
        return error_page(request, 500, "Internal server error", "An unexpected error occurred")


def _detail(exc: web.HTTPException) -> str:
    if exc.status == 404:
        return "There is no page at this address."
    return exc.text if exc.text and not exc.text.startswith(f"{exc.status}:") else exc.reason
