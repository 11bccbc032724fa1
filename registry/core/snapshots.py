"""In-memory views of group repositories, keyed by the commit they were built from.

Every read first checks where ``main`` points (one small file read), so a change made by another
process is seen right away; a view is rebuilt only when the branch moved, and then incrementally
from the commits in between. Nothing here is the truth: it can all be rebuilt from disk.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from registry.core.beacon import ChangeBeacon
from registry.core.errors import NotFound
from registry.core.history import GroupHistory, Histories
from registry.core.lru import SizedLRU
from registry.core.metadata import METADATA_FILE, GroupMeta
from registry.core.names import GROUP_ID_RE, live_group_ids
from repo_store import GitRepository, RepositoryNotFound, StoreError, WriterLocks, object_id, read_head


@dataclass(frozen=True)
class GroupSnapshot:
    """A group as of one commit: its metadata, files, and each project's last change.

    ``last_change`` needs the group's history; it is worked out on first use, so listing groups
    or serving a fresh start never walks history it does not need.
    """

    version: str
    meta: GroupMeta
    files: Mapping[str, str]  # file name -> blob id
    known_last_change: Mapping[str, str] | None = None
    resolve_last_change: Callable[[], Mapping[str, str]] | None = field(
        default=None, compare=False, repr=False
    )

    @property
    def last_change(self) -> Mapping[str, str]:
        """Project id -> id of the commit that last changed it."""
        if self.known_last_change is None:
            assert self.resolve_last_change is not None
            object.__setattr__(self, "known_last_change", self.resolve_last_change())
        assert self.known_last_change is not None
        return self.known_last_change


def blob_id(content: bytes) -> str:
    """The git object id of a blob with this content (so a writer need not re-read it)."""
    return object_id(b"blob", content).hex()


class Snapshots:
    """The cache of group views and schema texts for one data folder."""

    def __init__(
        self,
        groups_dir: Path,
        locks: WriterLocks,
        beacon: ChangeBeacon,
        *,
        text_cache_bytes: int = 64 << 20,
        tree_cache_paths: int = 1 << 16,
    ) -> None:
        self.groups_dir = groups_dir
        self.locks = locks
        self.beacon = beacon
        self._lock = threading.Lock()
        self._views: dict[str, GroupSnapshot] = {}
        self._verified: dict[str, bytes] = {}  # group id -> beacon value when its ref was last read
        self._texts: SizedLRU[str, str] = SizedLRU(text_cache_bytes, len)
        self.histories = Histories()
        # Which blob a file was at an old commit (commits never change), for time travel: one
        # path per (commit, project), not whole trees. A group ?at= read touches one commit per
        # project, and 1,000 trees of 1,000 files would not fit any sane bound (a cache that
        # drops everything in a scan is no cache).
        self._trees: SizedLRU[tuple[str, str], str] = SizedLRU(tree_cache_paths, lambda blob: 1)

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
        return live_group_ids(self.groups_dir)

    def fresh(self, group_id: str) -> GroupSnapshot | None:
        """The cached view if nothing changed since its ref was read; memory only (event-loop safe)."""
        beacon = self.beacon.value()
        with self._lock:
            if self._verified.get(group_id) != beacon:
                return None
            return self._views.get(group_id)

    def get(self, group_id: str) -> GroupSnapshot:
        """The current view of a group, rebuilt if its branch moved since it was cached."""
        beacon = self.beacon.value()  # read before the ref: a change after this moves the beacon
        view = self._get(group_id)
        with self._lock:
            if self._views.get(group_id) is view:
                self._verified[group_id] = beacon
        return view

    def _get(self, group_id: str) -> GroupSnapshot:
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
            self._verified.pop(group_id, None)  # our own write: verified again by the next get()

    def cache_stats(self) -> dict[str, tuple[int, int]]:
        """Hits and misses of each cache since start (for /metrics)."""
        return {
            "texts": (self._texts.hits, self._texts.misses),
            "trees": (self._trees.hits, self._trees.misses),
        }

    def cached_text(self, blob: str) -> str | None:
        """A schema's text if it is in memory (event-loop safe)."""
        return self._texts.get(blob)

    def forget(self, group_id: str) -> None:
        with self._lock:
            self._views.pop(group_id, None)
            self._verified.pop(group_id, None)
        self.histories.forget(group_id)

    def text(self, group_id: str, blob: str) -> str:
        """A schema's text by blob id, from the cache or the repository."""
        cached = self._texts.get(blob)
        if cached is not None:
            return cached
        with self.open(group_id) as repo:
            text = repo.read_blob(blob).decode("utf-8")
        self._texts.put(blob, text)
        return text

    def blob_at(self, group_id: str, version: str, path: str) -> str | None:
        """The blob of file ``path`` at any commit of the group, or None if it had no such file."""
        cached = self._trees.get((version, path))
        if cached is not None:
            return cached or None  # "": known to be absent
        with self.open(group_id) as repo:
            try:
                blob = repo.file_at(version, path)
            except StoreError as exc:
                raise NotFound(f"no version {version!r} in this project group") from exc
        self._trees.put((version, path), blob or "")
        return blob

    def blobs_at(self, group_id: str, wanted: list[tuple[str, str]]) -> list[str | None]:
        """:meth:`blob_at` for many (commit, path) pairs, opening the repository at most once (a
        transitive check reads every version of a project)."""
        with _OpenedOnUse(self, group_id) as repo:
            return [self._blob_in(repo, version, path) for version, path in wanted]

    def texts_at(self, group_id: str, wanted: list[tuple[str, str]]) -> list[str | None]:
        """The text of each (version, path), None where that version had no such file; the
        repository is opened at most once (a blame reads one text per version of a project),
        through the same caches as :meth:`blob_at` and :meth:`text`."""
        with _OpenedOnUse(self, group_id) as repo:
            found: list[str | None] = []
            for version, path in wanted:
                blob = self._blob_in(repo, version, path)
                text = None if blob is None else self._texts.get(blob)
                if blob is not None and text is None:
                    text = repo.get().read_blob(blob).decode("utf-8")
                    self._texts.put(blob, text)
                found.append(text)
            return found

    def _blob_in(self, repo: _OpenedOnUse, version: str, path: str) -> str | None:
        cached = self._trees.get((version, path))
        if cached is None:
            try:
                cached = repo.get().file_at(version, path) or ""
            except StoreError as exc:
                raise NotFound(f"no version {version!r} in this project group") from exc
            self._trees.put((version, path), cached)
        return cached or None  # "": known to be absent

    def remember_text(self, blob: str, text: str) -> None:
        self._texts.put(blob, text)

    def history(self, group_id: str) -> GroupHistory:
        """The group's history up to its current head."""
        head = self.get(group_id).version
        with self.open(group_id) as repo:
            return self.histories.get(group_id, repo, head)

    def _load(self, group_id: str, head: str, previous: GroupSnapshot | None) -> GroupSnapshot:
        with self.open(group_id) as repo:
            try:
                files = repo.tree_files(head)
                meta = GroupMeta.loads(repo.read_blob(files[METADATA_FILE]))
            except (StoreError, KeyError, ValueError) as exc:
                raise NotFound(f"project group {group_id!r} cannot be read: {exc}") from exc
        return self.lazy_view(group_id, head, meta, files)

    def lazy_view(self, group_id: str, head: str, meta: GroupMeta, files: Mapping[str, str]) -> GroupSnapshot:
        """A view whose projects' versions come from the (cached, incremental) history when asked."""

        def resolve() -> dict[str, str]:
            with self.open(group_id) as repo:
                history = self.histories.get(group_id, repo, head)
            return {
                pid: history.revisions[history.by_project[pid][-1]].version
                if pid in history.by_project
                else head
                for pid in meta.projects
            }

        return GroupSnapshot(version=head, meta=meta, files=files, resolve_last_change=resolve)


class _OpenedOnUse:
    """A group's repository, opened the first time it is needed (often never: caches answer)."""

    def __init__(self, snapshots: Snapshots, group_id: str) -> None:
        self._snapshots, self._group_id = snapshots, group_id
        self._repo: GitRepository | None = None

    def get(self) -> GitRepository:
        if self._repo is None:
            self._repo = self._snapshots.open(self._group_id)
        return self._repo

    def __enter__(self) -> _OpenedOnUse:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._repo is not None:
            self._repo.close()
