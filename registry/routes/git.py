"""/git/GROUP.git: clone and fetch a group's repository over git's smart HTTP protocol.

Pack generation runs in a worker thread (bounded by ``max_concurrent_git``) and its output is
streamed to the client with back-pressure, so a large clone neither blocks the event loop nor
sits whole in memory.
"""

from __future__ import annotations

import asyncio
import contextlib

from aiohttp import web

from registry.auth import require
from registry.context import CATALOG, OFFLOADER
from registry.errors import Forbidden
from repo_store import GitRepository
from repo_store.smart_protocol import UPLOAD_PACK, advertise_upload_pack, upload_pack

routes = web.RouteTableDef()
GIT_SLOTS = web.AppKey("git_slots", asyncio.Semaphore)
NO_CACHE = {
    "Cache-Control": "no-cache, max-age=0, must-revalidate",
    "Expires": "Fri, 01 Jan 1980 00:00:00 GMT",
}
_CHUNK = 64 << 10


async def _repository(request: web.Request) -> GitRepository:
    """Open the group's repository (by name or id, with or without ``.git``) if the key covers it."""
    require(request, "read")
    ref = request.match_info["repo"].removesuffix(".git")
    catalog = request.app[CATALOG]
    view = await request.app[OFFLOADER].run(catalog.group, ref)
    require(request, "read", view.meta.id)
    return await request.app[OFFLOADER].run(catalog.snapshots.open, view.meta.id)


@routes.get("/git/{repo}/info/refs")
async def info_refs(request: web.Request) -> web.Response:
    service = request.query.get("service")
    if service != UPLOAD_PACK:
        raise Forbidden("only git-upload-pack (clone and fetch) is served; use a smart git client")
    repository = await _repository(request)
    async with request.app[GIT_SLOTS]:
        try:
            body = await request.app[OFFLOADER].run(advertise_upload_pack, repository)
        finally:
            repository.close()
    headers = {**NO_CACHE, "Content-Type": f"application/x-{UPLOAD_PACK}-advertisement"}
    return web.Response(body=body, headers=headers)


@routes.post("/git/{repo}/git-upload-pack")
async def git_upload_pack(request: web.Request) -> web.StreamResponse:
    repository = await _repository(request)
    try:
        body = await request.read()
    except web.HTTPRequestEntityTooLarge:
        repository.close()
        raise
    response = web.StreamResponse(headers={**NO_CACHE, "Content-Type": f"application/x-{UPLOAD_PACK}-result"})
    await response.prepare(request)
    loop = asyncio.get_running_loop()
    buffer = bytearray()

    def flush() -> None:
        if buffer:
            asyncio.run_coroutine_threadsafe(response.write(bytes(buffer)), loop).result()
            buffer.clear()

    def write(data: bytes) -> None:  # runs in the worker thread; blocks while the client is slow
        buffer.extend(data)
        if len(buffer) >= _CHUNK:
            flush()

    def serve() -> None:
        try:
            upload_pack(repository, body, write)
            flush()
        finally:
            repository.close()

    async with request.app[GIT_SLOTS]:
        with contextlib.suppress(ConnectionResetError):
            await request.app[OFFLOADER].run(serve)
            await response.write_eof()
    return response
