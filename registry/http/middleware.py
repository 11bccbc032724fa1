"""The one middleware every request passes: request id, metrics, errors as problems, auth, body guard.

These were five middlewares. Each cost a coroutine frame and a wrapper call per request, which on
a cached read (a few dozen microseconds of real work) was a fifth of the server's time. The steps
themselves live with their subjects (:mod:`registry.http.request_ids`, :mod:`registry.http.metrics`,
:mod:`registry.http.problems`, :mod:`registry.http.auth`, :mod:`registry.http.body_guard`); this module only
puts them in order.
"""

from __future__ import annotations

import asyncio
import time

from aiohttp import web
from aiohttp.typedefs import Middleware
from aiohttp.web_protocol import RequestPayloadError

from registry.core import errors
from registry.core.keys import KeyStore
from registry.http.auth import authenticate
from registry.http.body_guard import body_pending, guarded
from registry.http.conditional import revalidated
from registry.http.metrics import CLIENT_CLOSED, Metrics, route_of
from registry.http.pages.errors import answer_page
from registry.http.problems import Handler, for_git_client, internal_error, problem_for, problem_for_http
from registry.http.request_ids import assign_request_id, stamp

UNDECODABLE_BODY = "the request body could not be decoded; check Content-Encoding"


def request_middleware(metrics: Metrics, keys: KeyStore) -> Middleware:
    """The middleware of an app with these metrics and keys.

    They are bound here rather than looked up per request: ``request.app[...]`` costs about half
    a microsecond each time, on every request.
    """

    @web.middleware
    async def answer_request(request: web.Request, handler: Handler) -> web.StreamResponse:
        """Id and metrics around everything: a 401 or a problem answer is counted like any other."""
        request_id = assign_request_id(request)
        started = time.perf_counter()
        status = 500
        metrics.request_started()
        try:
            response = revalidated(request, await _answer(request, handler, keys))
            status = response.status
            stamp(response, request_id)
            return response
        except web.HTTPException as exc:  # a redirect: aiohttp answers it
            status = exc.status
            stamp(exc, request_id)
            raise
        except asyncio.CancelledError:
            status = CLIENT_CLOSED
            raise
        finally:
            metrics.request_finished(request.method, route_of(request), status, time.perf_counter() - started)

    return answer_request


async def _answer(request: web.Request, handler: Handler, keys: KeyStore) -> web.StreamResponse:
    """The handler's answer, or the problem answer for whatever went wrong (RFC 9457 bodies)."""
    if request.path.startswith("/ui") and (len(request.path) == 3 or request.path[3] == "/"):
        return await answer_page(request, handler, keys)  # web pages: their own login and HTML errors
    try:
        denied = authenticate(request, keys)
        if denied is not None:
            return for_git_client(request, denied)
        if body_pending(request):
            response = await guarded(request, handler)
        else:
            response = await handler(request)
        return response if response.status < 400 else for_git_client(request, response)
    except errors.RegistryError as exc:
        return for_git_client(request, problem_for(exc))
    except RequestPayloadError:  # aiohttp could not decode the body (a Content-Encoding that lies)
        return problem_for(errors.InvalidInput(UNDECODABLE_BODY))
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        detail = await _trailing_slash_hint(request) if exc.status == 404 else None
        return for_git_client(request, problem_for_http(exc, detail))
    except Exception:
        return internal_error(request)


async def _trailing_slash_hint(request: web.Request) -> str | None:
    """What a 404 says when the path without its trailing slash is a route, else None.

    Routes have no trailing slash; a client that adds one (a base URL ending in ``/`` joined
    with a path) is told the path to use rather than redirected: a redirect would have to
    resend a write's body and key, and most clients do not follow one for a ``PUT``.
    """
    path = request.path
    if len(path) < 2 or not path.endswith("/"):
        return None
    stripped = path.rstrip("/") or "/"
    match = await request.app.router.resolve(request.clone(rel_url=request.rel_url.with_path(stripped)))
    if match.http_exception is not None and match.http_exception.status == 404:
        return None
    return f"no route ends in a slash: send the request to {stripped} (without the trailing slash)"
