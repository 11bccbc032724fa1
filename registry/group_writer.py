"""The one write path: builds each change under the group's writer lock and commits it.

Writes go through :mod:`registry.group_commit`, so concurrent writes to one group are built as
a chain of commits in memory and published together (one pack, one ref update).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from registry.changes import COMMITTER, Change, author_signature
from registry.errors import NotFound, WriteConflict
from registry.group_commit import Write, WriteQueues
from registry.metadata import METADATA_FILE
from registry.snapshots import GroupSnapshot, Snapshots, blob_id
from repo_store import GitRepository, RefConflict, Repacker, TopTree, Writer, WriterLocks

MAX_OPEN_REPOSITORIES = 256


@dataclass(frozen=True)
class _Job:
    build: Callable[[GroupSnapshot, int], Change]
    author: str
    message: str | None
    then: Callable[[], None] | None


class GroupWriter:
    def __init__(self, snapshots: Snapshots, locks: WriterLocks, clock: Callable[[], float]) -> None:
        self.snapshots = snapshots
        self.clock = clock
        self.repacker = Repacker(locks)
        self._queues: WriteQueues[_Job, tuple[GroupSnapshot, Change]] = WriteQueues(self._commit_batch)
        # Each group's last published top tree: the next batch builds on it without reading it back.
        self._last_tree: dict[str, tuple[str, TopTree]] = {}
        # Each group's repository, kept open between batches (opening one costs about 2 ms); only
        # the group's current leader uses it.
        self._repos: dict[str, GitRepository] = {}

    def write(
        self,
        group_id: str,
        build: Callable[[GroupSnapshot, int], Change],
        *,
        author: str,
        message: str | None,
        then: Callable[[], None] | None = None,
    ) -> tuple[GroupSnapshot, Change]:
        """Build a change from the group's state under its writer lock, and commit it.

        Concurrent writes to one group are committed together (see :mod:`registry.group_commit`).
        ``then`` runs after the commit, still under the lock, and such a write is committed alone.
        """
        job = _Job(build, author, message, then)
        return self._queues.submit(group_id, Write(job, alone=then is not None))

    def _commit_batch(self, group_id: str, batch: list[Write[_Job, tuple[GroupSnapshot, Change]]]) -> None:
        """Commit a batch of writes as a chain of commits published at once; finish every write."""
        done: list[tuple[Write[_Job, tuple[GroupSnapshot, Change]], GroupSnapshot, Change]] = []
        repo = self._open(group_id)
        keep = not any(write.alone for write in batch)  # a group delete moves the repository
        try:
            with self._writer(group_id, repo) as writer:
                view = self.snapshots.get(group_id)
                last = self._last_tree.get(group_id)  # the tree this process published last, if still main's
                chain = writer.chain(view.version, last[1] if last and last[0] == view.version else None)
                now = max(int(self.clock()), 0)
                for write in batch:
                    job = write.payload
                    try:
                        change = job.build(view, now)
                    except Exception as exc:  # this write is refused; the others go on
                        write.fail(exc)
                        continue
                    files = {**change.files, METADATA_FILE: change.meta.dumps()}
                    version = chain.add(
                        changes=files,
                        author=author_signature(job.author),
                        committer=COMMITTER,
                        message=change.message(job.message),
                        timestamp=now,
                    )
                    view = self._next_view(group_id, view, change, files, version)
                    done.append((write, view, change))
                if done:
                    try:
                        writer.publish(chain)
                    except RefConflict as exc:  # only a writer outside our locks can cause this
                        raise WriteConflict("the project group changed during this write; retry") from exc
                    self.snapshots.remember(group_id, view)
                    self._last_tree[group_id] = (view.version, chain.tree)
                    for write, _, _ in done:
                        if write.payload.then is not None:
                            write.payload.then()
            self.repacker.after_commit(repo.path)
        except BaseException:
            keep = False
            raise
        finally:
            repo.release_packs()
            if keep and len(self._repos) < MAX_OPEN_REPOSITORIES:
                self._repos[group_id] = repo
            else:
                repo.close()
        for write, new_view, change in done:
            write.succeed((new_view, change))

    def _open(self, group_id: str) -> GitRepository:
        repo = self._repos.pop(group_id, None)
        if repo is not None and repo.path.is_dir():
            return repo
        if repo is not None:  # deleted (moved aside) by another process
            repo.close()
        return self.snapshots.open(group_id)

    @contextmanager
    def _writer(self, group_id: str, repo: GitRepository) -> Iterator[Writer]:
        try:
            with repo.writer() as writer:
                yield writer
        except FileNotFoundError as exc:  # the folder went away under us (a delete elsewhere)
            if repo.path.is_dir():
                raise
            raise NotFound(f"no project group with id {group_id!r}") from exc

    def _next_view(
        self,
        group_id: str,
        view: GroupSnapshot,
        change: Change,
        files: dict[str, bytes | None],
        version: str,
    ) -> GroupSnapshot:
        """The group's view after ``change`` committed as ``version``, without reading it back."""
        new_files = dict(view.files)
        for path, content in files.items():
            if content is None:
                new_files.pop(path, None)
            else:
                blob = blob_id(content)
                new_files[path] = blob
                if path != METADATA_FILE:
                    self.snapshots.remember_text(blob, content.decode())
        if view.known_last_change is None:  # not worked out yet: stays lazy, from history
            return self.snapshots.lazy_view(group_id, version, change.meta, new_files)
        last_change = {pid: v for pid, v in view.known_last_change.items() if pid in change.meta.projects}
        if change.project_id in change.meta.projects:
            last_change[change.project_id] = version
        return GroupSnapshot(version, change.meta, new_files, known_last_change=last_change)
