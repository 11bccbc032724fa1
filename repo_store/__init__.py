"""Git storage on dulwich: bare repositories, durable compare-and-swap commits, history.

Knows nothing about HTTP or schema formats; usable on its own.
"""

from repo_store.durability import fsync_path
from repo_store.errors import (
    ObjectMissing,
    RefConflict,
    RepositoryExists,
    RepositoryNotFound,
    StoreError,
)
from repo_store.flat_tree import object_id
from repo_store.locks import WriterLocks, hold_file_lock
from repo_store.maintenance import Repacker, pack_count, repack
from repo_store.repository import (
    CommitInfo,
    GitRepository,
    Signature,
    TagInfo,
    TopTree,
    Writer,
    parse_trailers,
    read_head,
)

__all__ = [
    "CommitInfo",
    "GitRepository",
    "ObjectMissing",
    "RefConflict",
    "Repacker",
    "RepositoryExists",
    "RepositoryNotFound",
    "Signature",
    "StoreError",
    "TagInfo",
    "TopTree",
    "Writer",
    "WriterLocks",
    "fsync_path",
    "hold_file_lock",
    "object_id",
    "pack_count",
    "parse_trailers",
    "read_head",
    "repack",
]
