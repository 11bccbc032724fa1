"""In-memory views of group repositories, keyed by the commit they were built from.

Every read first checks where ``main`` points (one small file read), so a change made by another
process is seen right away; a view is rebuilt only when the branch moved, and then incrementally
from the commits in between. Nothing here is the truth: it can all be rebuilt from disk.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from registry.errors import NotFound
from registry.lru import SizedLRU
from registry.metadata import METADATA_FILE, GroupMeta
from registry.names import GROUP_ID_RE
from repo_store import GitRepository, RepositoryNotFound, StoreError, WriterLocks, read_head

PROJECT_TRAILER = "Project-Id"


@dataclass(frozen=True)
class GroupSnapshot:
    """A group as of one commit: its metadata, files, and each project's last change."""

    version: str
    meta: GroupMeta
    files: Mapping[str, str]  # file name -> blob id
    last_change: Mapping[str, str]  # project id -> id of the commit that last changed it


def blob_id(content: bytes) -> str:
    """The git object id of a blob with this content (so a writer need not re-read it)."""
    return hashlib.sha1(b"blob %d\0" % len(content) + content, usedforsecurity=False).hexdigest()


class Snapshots:
    """The cache of group views and schema texts for one data folder."""

    def __init__(self, groups_dir: Path, locks: WriterLocks, *, text_cache_bytes: int = 64 << 20) -> None:
        self.groups_dir = groups_dir
        self.locks = locks
        self._lock = threading.Lock()
        self._views: dict[str, GroupSnapshot] = {}
        self._texts: SizedLRU[str, str] = SizedLRU(text_cache_bytes, len)

    def path(self, group_id: str) -> Path:
        if not GROUP_ID_RE.fullmatch(group_id):
            raise NotFound(f"no project group with id {group_id!r}")
        return self.groups_dir / f"{group_id}.git"

    def open(self, group_id: str) -> GitRepository:
        try:
            return GitRepository(self.path(group_id), self.locks)
        except RepositoryNotFound as exc:
            raise NotFound(f"no project group with id {group_id!r}") from exc

    def group_ids(self) -> list[str]:
        """Ids of every live group on disk (including ones another process just made)."""
        return sorted(
            p.name.removesuffix(".git")
            for p in self.groups_dir.glob("_g*.git")
            if GROUP_ID_RE.fullmatch(p.name.removesuffix(".git"))
        )

    def get(self, group_id: str) -> GroupSnapshot:
        """The current view of a group, rebuilt if its branch moved since it was cached."""
        try:
            head = read_head(self.path(group_id))
        except RepositoryNotFound as exc:
            self.forget(group_id)
            raise NotFound(f"no project group with id {group_id!r}") from exc
        if head is None:  # being created, never committed: not a group yet
            raise NotFound(f"no project group with id {group_id!r}")
        with self._lock:
            cached = self._views.get(group_id)
        if cached is not None and cached.version == head:
            return cached
        view = self._load(group_id, head, cached)
        self.remember(group_id, view)
        return view

    def remember(self, group_id: str, view: GroupSnapshot) -> None:
        with self._lock:
            self._views[group_id] = view

    def forget(self, group_id: str) -> None:
        with self._lock:
            self._views.pop(group_id, None)

    def text(self, group_id: str, blob: str) -> str:
        """A schema's text by blob id, from the cache or the repository."""
        cached = self._texts.get(blob)
        if cached is not None:
            return cached
        repo = self.open(group_id)
        try:
            text = repo.read_blob(blob).decode("utf-8")
        finally:
            repo.close()
        self._texts.put(blob, text)
        return text

    def remember_text(self, blob: str, text: str) -> None:
        self._texts.put(blob, text)

    def _load(self, group_id: str, head: str, previous: GroupSnapshot | None) -> GroupSnapshot:
        repo = self.open(group_id)
        try:
            files = repo.tree_files(head)
            meta = GroupMeta.loads(repo.read_blob(files[METADATA_FILE]))
            last_change = _last_changes(repo, head, meta, previous)
        except (StoreError, KeyError, ValueError) as exc:
            raise NotFound(f"project group {group_id!r} cannot be read: {exc}") from exc
        finally:
            repo.close()
        return GroupSnapshot(version=head, meta=meta, files=files, last_change=last_change)


def _last_changes(
    repo: GitRepository, head: str, meta: GroupMeta, previous: GroupSnapshot | None
) -> dict[str, str]:
    """Each project's last commit, walking only the commits the cache has not seen yet.

    Registry commits name their project in a ``Project-Id`` trailer, so no tree diffs are needed.
    """
    stop = previous.version if previous is not None else None
    wanted = set(meta.projects)
    found: dict[str, str] = {}
    for info in repo.first_parent_log(head, stop):
        project = info.trailers.get(PROJECT_TRAILER)
        if project in wanted and project not in found:
            found[project] = info.id
            if stop is None and len(found) == len(wanted):
                break
    known = previous.last_change if previous is not None else {}
    return {pid: found.get(pid) or known.get(pid) or head for pid in wanted}
