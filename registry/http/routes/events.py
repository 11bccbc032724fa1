"""``GET /events``: the change events of the caller's groups as a Server-Sent Events stream."""

from __future__ import annotations

import contextlib
import json
import logging

from aiohttp import web
from aiohttp_sse import EventSourceResponse

from registry.core.errors import RegistryError
from registry.core.event_stream import Following, Sent, parse_types
from registry.http.auth import caller, require
from registry.http.context import BEACON_WATCH, CATALOG, CONFIG, EVENT_FEED, OFFLOADER
from registry.http.routes.scope import visible

log = logging.getLogger(__name__)
routes = web.RouteTableDef()
IDLE_CHECK_SECONDS = 1.0  # also look without a beacon change (a lost beacon write is harmless)


def base_url(request: web.Request) -> str:
    """The public base URL: the configured one, else the one this request came to."""
    configured = request.app[CONFIG].public_url
    return configured if configured is not None else f"{request.scheme}://{request.host}"


def _group_ids(request: web.Request, refs: list[str]) -> list[str]:
    """Blocking: the ids of the groups ``refs`` name, each visible to the caller."""
    catalog, key = request.app[CATALOG], caller(request)
    return list(dict.fromkeys(visible(catalog, key, ref, "read").meta.id for ref in refs))


@routes.get("/events")
async def events(request: web.Request) -> web.StreamResponse:
    key = require(request, "read")
    types = parse_types(request.query.getall("types", []))
    refs = request.query.getall("group", [])
    since = request.headers.get("Last-Event-ID") or request.query.get("since")
    run = request.app[OFFLOADER].run
    group_ids = await run(_group_ids, request, refs) if refs else None
    follow = await run(Following.start, request.app[EVENT_FEED], key, group_ids, since, types)
    watch = request.app[BEACON_WATCH]
    seen = watch.generation  # before the first look: a commit after it wakes the loop
    batch = await run(follow.step)  # before the answer starts: a bad position is still a 400
    stream = EventSourceResponse(ping_interval=request.app[CONFIG].sse_heartbeat_seconds)
    await stream.prepare(request)
    # The client went away, or stopped reading (aiohttp-sse's send timeout).
    with contextlib.suppress(ConnectionResetError, TimeoutError):
        await _stream(request, stream, follow, batch, seen)
    stream.stop_streaming()
    await stream.wait()
    return stream


async def _stream(
    request: web.Request, stream: EventSourceResponse, follow: Following, batch: list[Sent], seen: int
) -> None:
    base = base_url(request)
    watch = request.app[BEACON_WATCH]
    while True:
        for sent in batch:
            body = json.dumps(sent.draft.render(base), separators=(",", ":"))
            await stream.send(body, id=sent.sse_id, event=sent.draft.type)
        if follow.ended or watch.stopping.is_set() or not stream.is_connected():
            return
        if not batch:
            await watch.wait(seen, IDLE_CHECK_SECONDS)
        if watch.stopping.is_set():
            return
        seen = watch.generation  # before the look: a commit during it wakes the next wait
        try:
            batch = await request.app[OFFLOADER].run(follow.step)
        except RegistryError as exc:  # a position left the history (a restore): end; a resume says why
            log.warning("ending an event stream: %s", exc.detail)
            return
