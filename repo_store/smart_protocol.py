"""git's smart protocol (v0, stateless RPC) for one repository, on dulwich's handlers.

Transport-neutral: the caller supplies ``read`` and ``write``. :mod:`registry.routes.git` runs
these in worker threads and streams ``write`` calls to the HTTP response.
"""

from __future__ import annotations

from collections.abc import Callable
from io import BytesIO
from typing import cast

from dulwich.protocol import ReceivableProtocol
from dulwich.server import BackendRepo, DictBackend, UploadPackHandler

from repo_store.repository import GitRepository

UPLOAD_PACK = "git-upload-pack"


def _handler(
    repository: GitRepository,
    read: Callable[[int], bytes],
    write: Callable[[bytes], None],
    *,
    advertise_refs: bool,
) -> UploadPackHandler:
    proto = ReceivableProtocol(read, write)
    backend = DictBackend({b"/": cast(BackendRepo, repository._repo)})
    return UploadPackHandler(backend, ["/"], proto, stateless_rpc=True, advertise_refs=advertise_refs)


def advertise_upload_pack(repository: GitRepository) -> bytes:
    """The body of ``GET info/refs?service=git-upload-pack``."""
    chunks: list[bytes] = []
    handler = _handler(repository, BytesIO().read, chunks.append, advertise_refs=True)
    handler.proto.write_pkt_line(f"# service={UPLOAD_PACK}\n".encode())
    handler.proto.write_pkt_line(None)
    handler.handle()
    return b"".join(chunks)


def upload_pack(repository: GitRepository, request_body: bytes, write: Callable[[bytes], None]) -> None:
    """Answer one ``POST git-upload-pack``: negotiate, then stream the pack through ``write``."""
    _handler(repository, BytesIO(request_body).read, write, advertise_refs=False).handle()
