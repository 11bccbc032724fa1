"""git's smart protocol (v0, stateless RPC) for one repository, on dulwich's handlers.

Transport-neutral: the caller supplies the request body and a ``write`` callable.
:mod:`registry.http.routes.git` runs these in worker threads and streams ``write`` to the response.

Pushes go through a caller-supplied :data:`UpdateHandler` that sees each ref update after the
pack's objects are in the store and before any ref moves; it may refuse (with lines the client
shows as ``remote: ...``) or apply the update itself. dulwich 1.2 ignores a failed
compare-and-swap when it moves refs itself (the push is reported ``ok`` and silently dropped),
so its ref container is wrapped to turn a lost race into an error the client sees.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from io import BytesIO
from typing import Any, BinaryIO, cast

from dulwich.errors import HookError
from dulwich.protocol import (
    CAPABILITY_ATOMIC,
    CAPABILITY_PUSH_OPTIONS,
    SIDE_BAND_CHANNEL_PROGRESS,
    ReceivableProtocol,
)
from dulwich.server import BackendRepo, DictBackend, ReceivePackHandler, UploadPackHandler

from repo_store.errors import RefConflict
from repo_store.repository import GitRepository

UPLOAD_PACK = "git-upload-pack"
RECEIVE_PACK = "git-receive-pack"
ZERO = "0" * 40


class PushRefused(Exception):
    """Raised by an update handler to refuse a ref update; ``lines`` explain why."""

    def __init__(self, summary: str, lines: list[str] | None = None) -> None:
        super().__init__(summary)
        self.summary = summary
        self.lines = lines or []


# (ref name, old id or None, new id or None, progress, push options) -> True if it moved the ref
# itself. Push options are what ``git push -o OPTION`` sent, in order.
UpdateHandler = Callable[[str, str | None, str | None, Callable[[str], None], Sequence[str]], bool]


def _protocol(read: Callable[[int], bytes], write: Callable[[bytes], None]) -> ReceivableProtocol:
    return ReceivableProtocol(read, write)


def _backend(repo: Any) -> DictBackend:
    return DictBackend({b"/": cast(BackendRepo, repo)})


def advertise(repository: GitRepository, service: str) -> bytes:
    """The body of ``GET info/refs?service=...`` for upload-pack or receive-pack."""
    chunks: list[bytes] = []
    proto = _protocol(BytesIO().read, chunks.append)
    handler_cls = UploadPackHandler if service == UPLOAD_PACK else _ReceivePack
    handler = handler_cls(_backend(repository._repo), ["/"], proto, stateless_rpc=True, advertise_refs=True)
    proto.write_pkt_line(f"# service={service}\n".encode())
    proto.write_pkt_line(None)
    handler.handle()
    return b"".join(chunks)


def upload_pack(repository: GitRepository, request_body: bytes, write: Callable[[bytes], None]) -> None:
    """Answer one ``POST git-upload-pack``: negotiate, then stream the pack through ``write``."""
    proto = _protocol(BytesIO(request_body).read, write)
    UploadPackHandler(_backend(repository._repo), ["/"], proto, stateless_rpc=True).handle()


def receive_pack(
    repository: GitRepository,
    request_body: BinaryIO,
    write: Callable[[bytes], None],
    on_update: UpdateHandler,
) -> None:
    """Answer one ``POST git-receive-pack``: store the pack, then let ``on_update`` rule on each ref."""
    proto = _protocol(request_body.read, write)
    applied: set[str] = set()
    guarded = _PushRepo(repository._repo, applied)
    handler = _ReceivePack(_backend(guarded), ["/"], proto, stateless_rpc=True)

    def progress(line: str) -> None:
        proto.write_sideband(SIDE_BAND_CHANNEL_PROGRESS, (line.rstrip("\n") + "\n").encode())

    guarded.hooks = {"update": _UpdateHook(on_update, progress, applied, handler.push_options)}
    # dulwich lists the packs while storing the pushed one: a repack must not remove one meanwhile.
    with repository._locks.hold_maintenance(repository.path):
        handler.handle()


class _ReceivePack(ReceivePackHandler):
    """dulwich's receive-pack without ``atomic``, with ``push-options``.

    In an atomic push dulwich runs every ref's update hook first and moves the refs after. Our
    hook moves ``main`` itself (it commits on top of what was pushed), so a later ref's refusal
    would report the whole push as failed while ``main`` had moved. Without the capability,
    ``git push --atomic`` stops before sending anything, and each ref is ruled on by itself.

    Push options (``git push -o``) come after the ref updates and before the pack. dulwich 1.2
    does not read them; the pre-receive step runs exactly there, so it reads them first.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.push_options: list[str] = []

    def capabilities(self) -> list[bytes]:
        kept = [c for c in super().capabilities() if c != CAPABILITY_ATOMIC]
        return [*kept, CAPABILITY_PUSH_OPTIONS]

    def _on_pre_receive(self, client_refs: Any) -> None:
        if self.has_capability(CAPABILITY_PUSH_OPTIONS):
            while (line := self.proto.read_pkt_line()) is not None:
                self.push_options.append(line.rstrip(b"\n").decode("utf-8", "replace"))
        super()._on_pre_receive(client_refs)


class _UpdateHook:
    """dulwich's ``update`` hook interface, calling the registry's handler."""

    def __init__(
        self,
        on_update: UpdateHandler,
        progress: Callable[[str], None],
        applied: set[str],
        options: Sequence[str],
    ) -> None:
        self._on_update = on_update
        self._progress = progress
        self._applied = applied
        self._options = options  # filled in before the first update

    def execute(self, ref: bytes, old: bytes, new: bytes) -> tuple[bytes, bytes]:
        name = ref.decode("utf-8", "replace")
        old_id = None if old.decode() == ZERO else old.decode()
        new_id = None if new.decode() == ZERO else new.decode()
        try:
            if self._on_update(name, old_id, new_id, self._progress, self._options):
                self._applied.add(name)
        except PushRefused as refused:
            for line in refused.lines:
                self._progress(line)
            raise HookError(refused.summary) from refused
        return b"", b""


class _PushRepo:
    """dulwich's repository with our hooks and a ref container that reports lost races."""

    def __init__(self, repo: Any, applied: set[str]) -> None:
        self._repo = repo
        self.refs = _GuardedRefs(repo.refs, applied)
        self.hooks: dict[str, _UpdateHook] = {}

    def __getattr__(self, name: str) -> Any:
        return getattr(self._repo, name)


class _GuardedRefs:
    def __init__(self, refs: Any, applied: set[str]) -> None:
        self._refs = refs
        self._applied = applied

    def set_if_equals(self, name: bytes, old: bytes | None, new: bytes, *args: Any, **kwargs: Any) -> bool:
        if name.decode("utf-8", "replace") in self._applied:
            return True  # the update handler already moved it (to its own commit on top)
        if not self._refs.set_if_equals(name, old, new, *args, **kwargs):
            raise RefConflict(f"{name!r} moved during the push")
        return True

    def remove_if_equals(self, name: bytes, old: bytes | None, *args: Any, **kwargs: Any) -> bool:
        if not self._refs.remove_if_equals(name, old, *args, **kwargs):
            raise RefConflict(f"{name!r} moved during the push")
        return True

    def __getattr__(self, name: str) -> Any:
        return getattr(self._refs, name)
