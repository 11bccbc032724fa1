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
from registry.http.metrics import CLIENT_CLOSED, Metrics, route_of
from registry.http.pages.errors import answer_page
from registry.http.problems import Handler, internal_error, problem_for, problem_for_http
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
            response = await _answer(request, handler, keys)
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
            return denied
        if body_pending(request):
            return await guarded(request, handler)
        return await handler(request)
    except errors.RegistryError as exc:
        return problem_for(exc)
    except RequestPayloadError:  # aiohttp could not decode the body (a Content-Encoding that lies)
        return problem_for(errors.InvalidInput(UNDECODABLE_BODY))
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        return problem_for_http(exc, request.path)
    except Exception:
        return internal_error(request)
