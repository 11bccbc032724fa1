"""/git/GROUP.git: clone, fetch and push a group's repository over git's smart HTTP protocol.

Pack work runs in worker threads (at most ``max_concurrent_git`` at once) and its output is
streamed to the client with back-pressure, so a large clone neither blocks the event loop nor
sits whole in memory. Pushes are serialized with the group's other writes and validated by
:class:`registry.push.PushHandler` before any ref moves.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
from collections.abc import Callable

from aiohttp import web

from registry.auth import require
from registry.context import CATALOG, CONFIG, OFFLOADER
from registry.errors import Forbidden, PayloadTooLarge
from registry.push import PushHandler
from repo_store import GitRepository
from repo_store.smart_protocol import RECEIVE_PACK, UPLOAD_PACK, advertise, receive_pack, upload_pack

routes = web.RouteTableDef()
GIT_SLOTS = web.AppKey("git_slots", asyncio.Semaphore)
NO_CACHE = {
    "Cache-Control": "no-cache, max-age=0, must-revalidate",
    "Expires": "Fri, 01 Jan 1980 00:00:00 GMT",
}
ROLE = {UPLOAD_PACK: "read", RECEIVE_PACK: "write"}
_CHUNK = 64 << 10


async def _open(request: web.Request, service: str) -> tuple[str, str, GitRepository]:
    """The group id, key name and repository, if the key may use ``service`` on this group."""
    role = ROLE[service]
    require(request, "read")
    ref = request.match_info["repo"].removesuffix(".git")
    catalog = request.app[CATALOG]
    view = await request.app[OFFLOADER].run(catalog.group, ref)
    key = require(request, role, view.meta.id)
    repository = await request.app[OFFLOADER].run(catalog.snapshots.open, view.meta.id)
    return view.meta.id, key.name, repository


@routes.get("/git/{repo}/info/refs")
async def info_refs(request: web.Request) -> web.Response:
    service = request.query.get("service", "")
    if service not in ROLE:
        raise Forbidden("only the smart protocol is served (git-upload-pack, git-receive-pack)")
    _, _, repository = await _open(request, service)
    async with request.app[GIT_SLOTS]:
        try:
            body = await request.app[OFFLOADER].run(advertise, repository, service)
        finally:
            repository.close()
    return web.Response(
        body=body, headers={**NO_CACHE, "Content-Type": f"application/x-{service}-advertisement"}
    )


@routes.post("/git/{repo}/git-upload-pack")
async def git_upload_pack(request: web.Request) -> web.StreamResponse:
    _, _, repository = await _open(request, UPLOAD_PACK)
    try:
        body = await _body(request, request.app[CONFIG].max_body_bytes)
    except BaseException:
        repository.close()
        raise

    def serve(write: Callable[[bytes], None]) -> None:
        upload_pack(repository, body, write)

    return await _stream(request, UPLOAD_PACK, repository, serve, lock=None)


@routes.post("/git/{repo}/git-receive-pack")
async def git_receive_pack(request: web.Request) -> web.StreamResponse:
    group_id, author, repository = await _open(request, RECEIVE_PACK)
    try:
        body = await _body(request, request.app[CONFIG].max_push_bytes)
    except BaseException:
        repository.close()
        raise
    handler = PushHandler(request.app[CATALOG], group_id, author)

    def serve(write: Callable[[bytes], None]) -> None:
        receive_pack(repository, io.BytesIO(body), write, handler)

    return await _stream(request, RECEIVE_PACK, repository, serve, lock=group_id)


async def _body(request: web.Request, limit: int) -> bytes:
    """The (already decompressed) request body, refused past ``limit`` bytes."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.content.iter_chunked(_CHUNK):
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(f"the git request is over the limit of {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


async def _stream(
    request: web.Request,
    service: str,
    repository: GitRepository,
    serve: Callable[[Callable[[bytes], None]], None],
    *,
    lock: str | None,
) -> web.StreamResponse:
    """Run ``serve`` in a worker thread, streaming what it writes to the client."""
    response = web.StreamResponse(headers={**NO_CACHE, "Content-Type": f"application/x-{service}-result"})
    await response.prepare(request)
    loop = asyncio.get_running_loop()
    buffer = bytearray()

    def flush() -> None:
        if buffer:
            asyncio.run_coroutine_threadsafe(response.write(bytes(buffer)), loop).result()
            buffer.clear()

    def write(data: bytes) -> None:  # in the worker thread; blocks while the client is slow
        buffer.extend(data)
        if len(buffer) >= _CHUNK:
            flush()

    def run() -> None:
        try:
            serve(write)
            flush()
        finally:
            repository.close()

    offload = request.app[OFFLOADER]
    async with request.app[GIT_SLOTS]:
        with contextlib.suppress(ConnectionResetError):
            await (offload.write(lock, run) if lock is not None else offload.run(run))
            await response.write_eof()
    return response
