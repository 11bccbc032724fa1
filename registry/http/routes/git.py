"""/git/GROUP.git: clone, fetch and push a group's repository over git's smart HTTP protocol.

Pack work runs in worker threads (at most ``max_concurrent_git`` at once) and its output is
streamed to the client with back-pressure, so a large clone neither blocks the event loop nor
sits whole in memory. Pushes are serialized with the group's other writes and validated by
:class:`registry.core.push.PushHandler` before any ref moves.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import shutil
from collections.abc import Callable
from pathlib import Path

from aiohttp import web
from dulwich.errors import GitProtocolError, HangupException

from registry.core.errors import Forbidden, InvalidInput, PayloadTooLarge
from registry.core.keys import Role
from registry.core.push import PushHandler
from registry.http.auth import caller
from registry.http.context import CATALOG, CONFIG, GIT_SLOTS, OFFLOADER
from registry.http.request_ids import request_id_header
from registry.http.routes.scope import visible_group
from repo_store import GitRepository
from repo_store.smart_protocol import RECEIVE_PACK, UPLOAD_PACK, advertise, receive_pack, upload_pack

routes = web.RouteTableDef()
NO_CACHE = {
    "Cache-Control": "no-cache, max-age=0, must-revalidate",
    "Expires": "Fri, 01 Jan 1980 00:00:00 GMT",
}
ROLE: dict[str, Role] = {UPLOAD_PACK: "read", RECEIVE_PACK: "write"}
_CHUNK = 64 << 10


async def _open_with_body(
    request: web.Request, service: str, limit: int
) -> tuple[str, str, GitRepository, bytes]:
    """:func:`_open`, then the request body (the repository is closed if reading it fails)."""
    group_id, author, repository = await _open(request, service)
    try:
        return group_id, author, repository, await _body(request, limit)
    except BaseException:
        repository.close()
        raise


async def _open(request: web.Request, service: str) -> tuple[str, str, GitRepository]:
    """The group id, key name and repository, if the key may use ``service`` on this group."""
    view = await visible_group(request, request.match_info["repo"].removesuffix(".git"), ROLE[service])
    repository = await request.app[OFFLOADER].run(request.app[CATALOG].snapshots.open, view.meta.id)
    return view.meta.id, caller(request).name, repository


@routes.get("/git/{repo}/info/refs")
async def info_refs(request: web.Request) -> web.Response:
    service = request.query.get("service", "")
    if service not in ROLE:
        raise Forbidden("only the smart protocol is served (git-upload-pack, git-receive-pack)")
    _, _, repository = await _open(request, service)
    git = native_git(request.app)
    async with request.app[GIT_SLOTS]:
        with repository:
            if service == UPLOAD_PACK and git is not None:
                refs = await _git_output(
                    git, "upload-pack", "--stateless-rpc", "--advertise-refs", repository.path
                )
                body = pkt_line(f"# service={service}\n") + b"0000" + refs
            else:
                body = await request.app[OFFLOADER].run(advertise, repository, service)
    return web.Response(
        body=body, headers={**NO_CACHE, "Content-Type": f"application/x-{service}-advertisement"}
    )


# The POST handlers take a git slot before they read the body, which they hold whole in memory
# (a push up to max_push_bytes): the slots bound that memory as well as the pack work.


@routes.post("/git/{repo}/git-upload-pack")
async def git_upload_pack(request: web.Request) -> web.StreamResponse:
    async with request.app[GIT_SLOTS]:
        _, _, repository, body = await _open_with_body(
            request, UPLOAD_PACK, request.app[CONFIG].max_body_bytes
        )
        git = native_git(request.app)
        if git is not None:
            repository.close()
            return await _stream_git(request, git, repository.path, body)

        def serve(write: Callable[[bytes], None]) -> None:
            upload_pack(repository, body, write)

        return await _stream(request, UPLOAD_PACK, repository, serve, lock=None)


@routes.post("/git/{repo}/git-receive-pack")
async def git_receive_pack(request: web.Request) -> web.StreamResponse:
    async with request.app[GIT_SLOTS]:
        group_id, author, repository, body = await _open_with_body(
            request, RECEIVE_PACK, request.app[CONFIG].max_push_bytes
        )
        may_force = caller(request).allows("admin")
        handler = PushHandler(request.app[CATALOG], group_id, author, may_force=may_force)

        def serve(write: Callable[[bytes], None]) -> None:
            receive_pack(repository, io.BytesIO(body), write, handler)

        return await _stream(request, RECEIVE_PACK, repository, serve, lock=group_id)


def native_git(app: web.Application) -> str | None:
    """The git binary, unless disabled or not installed: its upload-pack serves clones several
    times faster than dulwich's (which enumerates objects in Python). Pushes always go through
    dulwich, whose update hook validates them."""
    return shutil.which("git") if app[CONFIG].native_git else None


def pkt_line(text: str) -> bytes:
    data = text.encode()
    return f"{len(data) + 4:04x}".encode() + data


async def _git_output(git: str, *args: str | Path) -> bytes:
    proc = await asyncio.create_subprocess_exec(
        git, *map(str, args), stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL
    )
    out, _ = await proc.communicate()
    if proc.returncode != 0:
        raise RuntimeError(f"git {args[0]} exited with {proc.returncode}")
    return out


async def _stream_git(request: web.Request, git: str, path: Path, body: bytes) -> web.StreamResponse:
    """``git upload-pack --stateless-rpc``, its output streamed as it comes (with back-pressure).

    Call it holding a git slot.
    """
    response = _result_response(request, UPLOAD_PACK)
    proc = await asyncio.create_subprocess_exec(
        git,
        "upload-pack",
        "--stateless-rpc",
        str(path),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
    )
    assert proc.stdin is not None
    assert proc.stdout is not None
    try:
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # git may stop reading early
            proc.stdin.write(body)
            await proc.stdin.drain()
            proc.stdin.close()
        chunk = await proc.stdout.read(_CHUNK)
        if not chunk and await proc.wait() != 0:  # nothing sent yet: the status can still say so
            raise InvalidInput("git could not read this upload-pack request")
        await response.prepare(request)
        while chunk:
            await response.write(chunk)
            chunk = await proc.stdout.read(_CHUNK)
        await proc.wait()
        await response.write_eof()
    except ConnectionResetError:
        pass  # the client went away; the finally below stops git
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    return response


def _result_response(request: web.Request, service: str) -> web.StreamResponse:
    """A streamed answer carries all its headers from the start, the request id among them."""
    headers = {**NO_CACHE, **request_id_header(request), "Content-Type": f"application/x-{service}-result"}
    return web.StreamResponse(headers=headers)


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
    """Run ``serve`` in a worker thread, streaming what it writes to the client (hold a git slot).

    The response starts with the first output, so a request dulwich cannot read before it
    answers anything is still a clean 400 problem, not a broken 200.
    """
    response = _result_response(request, service)
    loop = asyncio.get_running_loop()
    buffer = bytearray()

    async def send(data: bytes) -> None:
        if not response.prepared:
            await response.prepare(request)
        await response.write(data)

    def flush() -> None:
        if buffer:
            asyncio.run_coroutine_threadsafe(send(bytes(buffer)), loop).result()
            buffer.clear()

    def write(data: bytes) -> None:  # in the worker thread; blocks while the client is slow
        buffer.extend(data)
        if len(buffer) >= _CHUNK:
            flush()

    def run() -> None:
        try:
            serve(write)
            flush()
        except (GitProtocolError, HangupException) as exc:
            if response.prepared:
                raise
            raise InvalidInput(f"malformed {service} request: {exc}") from exc
        finally:
            repository.close()

    offload = request.app[OFFLOADER]
    with contextlib.suppress(ConnectionResetError):
        await (offload.write(lock, run) if lock is not None else offload.run(run))
        if not response.prepared:
            await response.prepare(request)
        await response.write_eof()
    return response
