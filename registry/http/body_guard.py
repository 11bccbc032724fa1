"""Request bodies that arrive too slowly, not at all, or during shutdown end as a clean 4xx/503.

aiohttp has no deadline for reading a request body, so one client trickling bytes holds a
connection and a handler for ever. :func:`guarded` arms a timer per request with a body: if the
body is not complete in ``body_timeout_seconds``, the body stream fails with a timeout, which the
handler's ``await request.read()`` raises and :func:`guarded` turns into a 408. A body cut off
by the client (connection lost) is answered with 400; nobody reads that answer, but it is not
logged as a server error.

On SIGTERM aiohttp stops reading from open connections but waits for running handlers, so a
handler still waiting for its body would hold the shutdown for its whole timeout and then fail
anyway. :func:`setup` fails such bodies at once with 503 (retry elsewhere). Handlers whose bodies
are complete run to the end. In every case the handler never had its input, so nothing was written.
"""

from __future__ import annotations

import asyncio

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError
from aiohttp.streams import StreamReader

from registry.http.context import CONFIG, OPEN_BODIES
from registry.http.problems import Handler


class OpenBodies:
    """The bodies of running requests that have not arrived in full yet."""

    def __init__(self) -> None:
        self.streams: set[StreamReader] = set()


class BodyTimeout(Exception):
    """The request body did not arrive in time."""


class ShuttingDown(Exception):
    """The server stopped reading before the request body was complete."""


def setup(app: web.Application) -> None:
    app[OPEN_BODIES] = OpenBodies()
    app.on_shutdown.append(_fail_open_bodies)


async def _fail_open_bodies(app: web.Application) -> None:
    for body in list(app[OPEN_BODIES].streams):
        if not body.is_eof():
            body.set_exception(ShuttingDown())


def body_pending(request: web.Request) -> bool:
    """Whether part of the request body is still to arrive (then call the handler through :func:`guarded`)."""
    return request.body_exists and not request.content.is_eof()


async def guarded(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Run the handler with a deadline on the rest of the body; its failures become HTTP errors."""
    body = request.content
    timeout = request.app[CONFIG].body_timeout_seconds

    def expire() -> None:
        if not body.is_eof():
            body.set_exception(BodyTimeout())

    timer = asyncio.get_running_loop().call_later(timeout, expire)
    request.app[OPEN_BODIES].streams.add(body)
    try:
        return await handler(request)
    except BodyTimeout:
        raise web.HTTPRequestTimeout(
            reason=f"the request body did not arrive within {timeout:g} seconds"
        ) from None
    except ShuttingDown:
        raise web.HTTPServiceUnavailable(
            reason="the server is shutting down; send the request again"
        ) from None
    except (ConnectionResetError, HttpProcessingError) as exc:
        if body.exception() is None:  # not the body's fault (say, a streamed answer lost its client)
            raise
        raise web.HTTPBadRequest(reason="the request body was cut off or malformed") from exc
    finally:
        timer.cancel()
        request.app[OPEN_BODIES].streams.discard(body)
