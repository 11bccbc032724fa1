"""The write path of every project change and of group renames and deletes.

Writes go through :mod:`registry.core.group_commit`, so concurrent writes to one group are built as
a chain of commits in memory and published together (one pack, one ref update).

Four other writers commit beside this queue, under the same per-repository writer lock
(``GitRepository.writer()``), which signals the change beacon on every ref update:

- creating a group builds its first commit in a staging repository that no queue can know yet
  (``Catalog.create_group``), then renames it into place;
- a tag is an annotated tag object and a ref, not a commit on ``main`` (``Catalog.create_tag``,
  and ``PushHandler`` for pushed tags);
- a push arrives as commits git already made; ``PushHandler`` checks them and records their
  metadata under the lock;
- undelete (``registry.ops.maintenance.undelete_group``) commits in a repository under
  ``deleted-groups/``, which no server process serves, before moving it back.

docs/architecture.md ("Write path") describes all five.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

from registry.core.changes import COMMITTER, Change, Unchanged, author_signature
from registry.core.errors import NotFound, WriteConflict
from registry.core.group_commit import Write, WriteQueues
from registry.core.metadata import METADATA_FILE
from registry.core.snapshots import GroupSnapshot, Snapshots
from repo_store import GitRepository, RefConflict, Repacker, RepositoryNotFound, TopTree, Writer, WriterLocks

MAX_OPEN_REPOSITORIES = 256


@dataclass(frozen=True)
class _Job:
    build: Callable[[GroupSnapshot, int], Change]
    author: str
    message: str | None
    then: Callable[[], None] | None


class Written(NamedTuple):
    """What a write left: the group's view after it, and its change (None: it changed nothing)."""

    view: GroupSnapshot
    change: Change | None


@dataclass
class _OpenGroup:
    """A group's repository kept open between batches, with the top tree this process published
    last (the next batch builds on it without reading it back, if ``main`` is still there)."""

    repo: GitRepository
    version: str | None = None
    tree: TopTree | None = None


class GroupWriter:
    def __init__(self, snapshots: Snapshots, locks: WriterLocks, clock: Callable[[], float]) -> None:
        self.snapshots = snapshots
        self.clock = clock
        self.repacker = Repacker(locks)
        self._queues: WriteQueues[_Job, Written] = WriteQueues(self._commit_batch)
        # Opening a repository costs about 2 ms; only the group's current leader uses its entry.
        self._open: dict[str, _OpenGroup] = {}

    def write(
        self,
        group_id: str,
        build: Callable[[GroupSnapshot, int], Change],
        *,
        author: str,
        message: str | None,
        then: Callable[[], None] | None = None,
    ) -> Written:
        """Build a change from the group's state under its writer lock, and commit it.

        A build that raises :class:`Unchanged` makes no commit: the answer is the group's view
        once the batch is published, with no change. Concurrent writes to one group are committed
        together (see :mod:`registry.core.group_commit`).
        ``then`` runs after the commit, still under the lock, and such a write is committed alone.
        """
        job = _Job(build, author, message, then)
        return self._queues.submit(group_id, Write(job, alone=then is not None))

    def _commit_batch(self, group_id: str, batch: list[Write[_Job, Written]]) -> None:
        """Commit a batch of writes as a chain of commits published at once; finish every write."""
        group = self._open.pop(group_id, None) or _OpenGroup(self.snapshots.open(group_id))
        keep = not any(write.alone for write in batch)  # a group delete moves the repository
        try:
            with group.repo.writer() as writer:
                done = self._commit(group_id, group, writer, batch)
            self.repacker.after_commit(group.repo.path)
        except RepositoryNotFound as exc:  # moved aside by a delete in another process
            keep = False
            raise NotFound(f"no project group with id {group_id!r}") from exc
        except BaseException:
            keep = False
            raise
        finally:
            group.repo.release_packs()
            if keep and len(self._open) < MAX_OPEN_REPOSITORIES:
                self._open[group_id] = group
            else:
                group.repo.close()
        for write, new_view, change in done:
            write.succeed(Written(new_view, change))

    def _commit(
        self,
        group_id: str,
        group: _OpenGroup,
        writer: Writer,
        batch: list[Write[_Job, Written]],
    ) -> list[tuple[Write[_Job, Written], GroupSnapshot, Change | None]]:
        """Build each write of ``batch`` on the last, publish them; the writes still to be told,
        each with its view and change (the published view and None for one that changed nothing)."""
        done: list[tuple[Write[_Job, Written], GroupSnapshot, Change | None]] = []
        unchanged: list[Write[_Job, Written]] = []
        view = self.snapshots.get(group_id)
        chain = writer.chain(view.version, group.tree if group.version == view.version else None)
        now = max(int(self.clock()), 0)
        for write in batch:
            job = write.payload
            try:
                change = job.build(view, now)
            except Unchanged:
                unchanged.append(write)
                continue
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
            view = self._next_view(group_id, view, change, files, chain.tree, version)
            done.append((write, view, change))
        if not done:
            return [(write, view, None) for write in unchanged]
        try:
            writer.publish(chain)
        except RefConflict as exc:  # only a writer outside our locks can cause this
            raise WriteConflict("the project group changed during this write; retry") from exc
        self.snapshots.remember(group_id, view)
        group.version, group.tree = view.version, chain.tree
        for write, _, _ in done:
            if write.payload.then is not None:
                write.payload.then()
        return [*done, *((write, view, None) for write in unchanged)]  # the view published above

    def _next_view(
        self,
        group_id: str,
        view: GroupSnapshot,
        change: Change,
        files: dict[str, bytes | None],
        tree: TopTree,
        version: str,
    ) -> GroupSnapshot:
        """The group's view after ``change`` committed as ``version`` (with top ``tree``), without
        reading it back."""
        new_files = dict(view.files)
        for path, content in files.items():
            blob = tree.entry_id(path.encode())
            if content is None or blob is None:
                new_files.pop(path, None)
            else:
                new_files[path] = blob
                if path != METADATA_FILE:
                    self.snapshots.remember_text(blob, content.decode())
        if view.known_last_change is None:  # not worked out yet: stays lazy, from history
            return self.snapshots.lazy_view(group_id, version, change.meta, new_files)
        last_change = {pid: v for pid, v in view.known_last_change.items() if pid in change.meta.projects}
        for pid in change.touched_ids:
            if pid in change.meta.projects:
                last_change[pid] = version
        return GroupSnapshot(version, change.meta, new_files, known_last_change=last_change)
