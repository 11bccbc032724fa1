"""Project groups and projects on git: every change is one commit in the group's repository.

Synchronous and blocking: the HTTP layer runs these methods in worker threads. Each write takes
the group's writer lock, re-reads the group under it, checks preconditions, and commits with a
compare-and-swap, so concurrent writers (threads or processes) never lose each other's change.
"""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

from registry.core.beacon import ChangeBeacon
from registry.core.changes import (
    COMMITTER,
    Change,
    Project,
    SchemaValidator,
    Unchanged,
    author_signature,
    check_format,
    check_if_match,
    check_project_version,
    live_project,
    project_from,
    touch,
    validate_schema,
)
from registry.core.compat_check import CompatibilityGuard
from registry.core.errors import GroupNotEmpty, NameTaken, NotFound
from registry.core.group_index import GroupIndex, GroupSummary
from registry.core.group_writer import GroupWriter
from registry.core.layout import (
    DELETED_DIR,
    DELETED_STAMP,
    GROUPS_DIR,
    NAMES_LOCK_FILE,
    STAGING_PREFIX,
    staging_name,
)
from registry.core.levels import Level
from registry.core.metadata import METADATA_FILE, GroupMeta, ProjectMeta, timestamp_text
from registry.core.models import ModelCache, ModelKey
from registry.core.names import (
    check_name,
    check_tag_name,
    fold,
    group_of_known_project,
    new_group_id,
    project_id,
    taken_ignoring_case,
)
from registry.core.snapshots import GroupSnapshot, Snapshots, blob_id
from registry.formats import Problem, validate
from repo_store import (
    GitRepository,
    ObjectMissing,
    RefConflict,
    TagInfo,
    WriterLocks,
    fsync_path,
    hold_file_lock,
)

_T = TypeVar("_T")


class Catalog:
    """All project groups of one data folder."""

    def __init__(
        self,
        data_dir: Path,
        *,
        clock: Callable[[], float] = time.time,
        validator: SchemaValidator = validate,
        default_compatibility: Level = "NONE",
    ) -> None:
        self.groups_dir = data_dir / GROUPS_DIR
        self.deleted_dir = data_dir / DELETED_DIR
        self.groups_dir.mkdir(parents=True, exist_ok=True)
        self.deleted_dir.mkdir(parents=True, exist_ok=True)
        self.clock = clock
        self.validator = validator  # in-process by default; the server passes its ValidationPool's
        self.default_compatibility = default_compatibility  # of groups without a level of their own
        self.beacon = ChangeBeacon(data_dir)
        self._locks = WriterLocks(on_commit=self.beacon.signal)
        self.snapshots = Snapshots(self.groups_dir, self._locks, self.beacon)
        self.index = GroupIndex(data_dir, self.snapshots)
        # Group names are unique across the registry: creating or renaming one holds this lock.
        self._names_lock = threading.Lock()
        self._names_lock_file = data_dir / NAMES_LOCK_FILE
        self.writer = GroupWriter(self.snapshots, self._locks, clock)
        self.models = ModelCache()  # entity models by blob, filled as schemas are written
        self.compat = CompatibilityGuard(self.snapshots, self.models, validator, default_compatibility)
        self._remove_abandoned_staging()

    def _remove_abandoned_staging(self) -> None:
        """Remove groups a crash left half-made. Creation stages under the names lock, so a
        staging folder seen while holding it belongs to no live writer."""
        with self._names_held():
            for staging in self.groups_dir.glob(f"{STAGING_PREFIX}*.git"):
                shutil.rmtree(staging, ignore_errors=True)

    def cache_stats(self) -> dict[str, tuple[int, int]]:
        """Hits and misses of each cache since start (for /metrics)."""
        return {**self.snapshots.cache_stats(), "models": self.models.stats}

    # -- reading -----------------------------------------------------------------------------

    def list_groups(self) -> list[GroupSummary]:
        """Every live group, by name ignoring case (see :mod:`registry.core.group_index`)."""
        return self.index.summaries()

    def group(self, id_or_name: str) -> GroupSnapshot:
        """A group by id, or by name ignoring case (one ref read when the group index is right)."""
        if id_or_name.startswith("_"):
            return self.snapshots.get(id_or_name)
        folded = fold(id_or_name)
        guess = self.index.id_named(folded)
        if guess is not None:
            try:
                view = _named(self.snapshots.get(guess), folded)
            except NotFound:
                view = None
            if view is not None:
                return view
        for summary in self.list_groups():  # renamed, created or deleted elsewhere: look at all
            if fold(summary.name) == folded:
                return self.snapshots.get(summary.id)
        raise NotFound(f"no project group named {id_or_name!r}")

    def fresh_group(self, id_or_name: str) -> GroupSnapshot | None:
        """:meth:`group` from memory alone, or None if that needs disk (event-loop safe)."""
        if id_or_name.startswith("_"):
            return self.fresh_view(id_or_name)
        folded = fold(id_or_name)
        guess = self.index.known_id_named(folded)
        return _named(self.fresh_view(guess), folded) if guess is not None else None

    def fresh_view(self, group_id: str) -> GroupSnapshot | None:
        """The group's view from memory, if nothing changed since its ref was read (event-loop safe)."""
        return self.snapshots.fresh(group_id)

    def cached_project(self, view: GroupSnapshot, project_id: str) -> Project | None:
        """The project in ``view`` from memory alone, or None if that needs disk (event-loop safe)."""
        meta = view.meta.projects.get(project_id)
        if meta is None or view.known_last_change is None:  # versions need history: disk
            return None
        data = None
        if meta.has_data:
            data = self.snapshots.cached_text(view.files[meta.file])
            if data is None:
                return None
        return project_from(view, meta, data)

    def project(self, project_id: str) -> Project:
        group_id = group_of_known_project(project_id)
        view = self.snapshots.get(group_id)
        meta = view.meta.projects.get(project_id)
        if meta is None:
            raise NotFound(f"no project with id {project_id!r}")
        return self._project(view, meta)

    def project_in(self, view: GroupSnapshot, project_name: str) -> Project:
        """The project of that name in the group's view (read from disk where needed)."""
        return self._project(view, named_project(view, project_name))

    def _project(self, view: GroupSnapshot, meta: ProjectMeta, *, written: bool = False) -> Project:
        """The project in ``view``; ``written``: the view's commit is the one that just changed it."""
        data = self.snapshots.text(view.meta.id, view.files[meta.file]) if meta.has_data else None
        return project_from(view, meta, data, view.version if written else None)

    # -- groups ------------------------------------------------------------------------------

    @contextmanager
    def _names_held(self) -> Iterator[None]:
        with self._names_lock, hold_file_lock(self._names_lock_file):
            yield

    def _check_group_name_free(self, name: str, *, except_id: str | None = None) -> None:
        folded = fold(name)
        for summary in self.list_groups():
            if fold(summary.name) == folded and summary.id != except_id:
                raise NameTaken(f"a project group named {summary.name!r} already exists")

    def create_group(self, name: str, *, author: str, message: str | None = None) -> GroupSnapshot:
        name = check_name(name, what="project group")
        with self._names_held():
            self._check_group_name_free(name)
            group_id = new_group_id()
            now = int(self.clock())
            meta = GroupMeta(id=group_id, name=name, created_at=timestamp_text(now))
            change = Change(meta=meta, summary=f"Create project group {name}", action="create-group")
            # Built aside and renamed into place, so a crash never leaves a half-made group.
            staging = self.groups_dir / staging_name(group_id)
            with GitRepository.create(staging, self._locks) as repo, repo.writer() as writer:
                version = writer.commit(
                    parent=None,
                    changes={METADATA_FILE: meta.dumps()},
                    author=author_signature(author),
                    committer=COMMITTER,
                    message=change.message(message),
                    timestamp=now,
                )
            staging.rename(self.snapshots.path(group_id))
            fsync_path(self.groups_dir)
            self.beacon.signal()
        view = GroupSnapshot(
            version=version, meta=meta, files={METADATA_FILE: blob_id(meta.dumps())}, known_last_change={}
        )
        self.snapshots.remember(group_id, view)
        return view

    def rename_group(
        self,
        group_id: str,
        name: str,
        *,
        author: str,
        message: str | None = None,
        if_match: Collection[str] | None = None,
    ) -> GroupSnapshot:
        name = check_name(name, what="project group")

        def build(view: GroupSnapshot, now: int) -> Change:
            check_if_match(if_match, view.version)  # first: a stale If-Match tells nothing of names
            if name == view.meta.name:
                raise Unchanged
            self._check_group_name_free(name, except_id=group_id)
            meta = replace(view.meta, name=name)
            return Change(
                meta=meta, summary=f"Rename project group {view.meta.name} to {name}", action="rename-group"
            )

        with self._names_held():
            return self.writer.write(group_id, build, author=author, message=message).view

    def delete_group(
        self,
        group_id: str,
        *,
        author: str,
        message: str | None = None,
        if_match: Collection[str] | None = None,
    ) -> None:
        """Move an empty group's repository aside (kept on disk, with a last commit saying so).

        The move happens under the group's writer lock, so a write waiting for that lock finds
        the group gone instead of committing into a repository that is being moved.
        """

        def build(view: GroupSnapshot, now: int) -> Change:
            check_if_match(if_match, view.version)
            if view.meta.projects:
                raise GroupNotEmpty(
                    f"project group {view.meta.name!r} still has {len(view.meta.projects)} project(s)"
                )
            return Change(
                meta=view.meta, summary=f"Delete project group {view.meta.name}", action="delete-group"
            )

        def move_aside() -> None:
            stamp = time.strftime(DELETED_STAMP, time.gmtime(self.clock()))
            self.snapshots.path(group_id).rename(self.deleted_dir / f"{group_id}-{stamp}.git")
            fsync_path(self.groups_dir)
            fsync_path(self.deleted_dir)
            self.beacon.signal()

        with self._names_held():
            self.writer.write(group_id, build, author=author, message=message, then=move_aside)
        self.snapshots.forget(group_id)

    # -- projects ----------------------------------------------------------------------------

    def create_project(
        self,
        group_id: str,
        name: str,
        *,
        fmt: str = "yaml",
        dialect: str | None = None,
        data: str | None = None,
        author: str,
        message: str | None = None,
    ) -> Project:
        name = check_name(name, what="project")
        dialect = check_format(fmt, dialect)
        warnings: tuple[Problem, ...] = ()
        if data is not None:
            result = validate_schema(fmt, data, dialect, self.validator)
            self.models.remember(ModelKey(blob_id(data.encode()), fmt, dialect), result)
            warnings = result.warnings

        def build(view: GroupSnapshot, now: int) -> Change:
            existing = view.meta.project_named(name)
            if existing is not None:
                raise NameTaken(f"a project named {existing.name!r} already exists in this group")
            stamp = timestamp_text(now)
            pid = project_id(view.meta.id, view.meta.next_project_number)
            project = ProjectMeta(pid, name, fmt, dialect, data is not None, stamp, stamp)
            meta = replace(view.meta, next_project_number=view.meta.next_project_number + 1).with_project(
                project
            )
            files: dict[str, bytes | None] = {} if data is None else {project.file: data.encode()}
            return Change(meta, f"Create {name} ({fmt})", "create", touch(project, "create"), files)

        view, change = self.writer.write(group_id, build, author=author, message=message)
        assert change is not None  # a create always changes
        assert change.project_id is not None
        return replace(
            self._project(view, view.meta.projects[change.project_id], written=True), warnings=warnings
        )

    def update_project(
        self,
        pid: str,
        *,
        data: str,
        fmt: str | None = None,
        dialect: str | None = None,
        author: str,
        message: str | None = None,
        if_match: Collection[str] | None = None,
        force: bool = False,
    ) -> Project:
        """Replace a project's schema; ``fmt`` and ``dialect`` default to the project's current ones.

        Refused if it breaks the project's compatibility level, unless ``force`` (the commit
        then says what it broke)."""
        before = self.snapshots.get(group_of_known_project(pid))
        current = live_project(before, pid)  # no version needed
        effective_fmt = fmt or current.format
        effective_dialect = dialect if dialect is not None or fmt is not None else current.dialect
        effective_dialect = check_format(effective_fmt, effective_dialect)
        result = validate_schema(effective_fmt, data, effective_dialect, self.validator)
        self.models.remember(ModelKey(blob_id(data.encode()), effective_fmt, effective_dialect), result)
        self.compat.warm(before, pid)
        warnings = result.warnings

        def build(view: GroupSnapshot, now: int) -> Change:
            nonlocal warnings
            project = live_project(view, pid)
            check_project_version(if_match, view, pid)
            entities = result.entities
            if fmt is None and project.format != effective_fmt:  # changed meanwhile: check again
                again = validate_schema(project.format, data, project.dialect, self.validator)
                entities, warnings = again.entities, again.warnings
            new_dialect = effective_dialect if fmt is not None or dialect is not None else project.dialect
            same_file = project.has_data and view.files.get(project.file) == blob_id(data.encode())
            if same_file and (fmt or project.format) == project.format and new_dialect == project.dialect:
                raise Unchanged
            new = replace(
                project,
                format=fmt or project.format,
                dialect=new_dialect,
                has_data=True,
                updated_at=timestamp_text(now),
            )
            files: dict[str, bytes | None] = {new.file: data.encode()}
            if project.has_data and project.file != new.file:
                files[project.file] = None  # a format change renames the file
            summary = f"Update {new.name} ({new.format})"
            trailers = self.compat.enforce(
                view, pid, project, entities, new.format, force=force, what=f"the new schema of {new.name}"
            )
            return Change(
                view.meta.with_project(new), summary, "update", touch(new, "update"), files, trailers=trailers
            )

        return replace(self._write_project(pid, build, author=author, message=message), warnings=warnings)

    def _write_project(
        self, pid: str, build: Callable[[GroupSnapshot, int], Change], *, author: str, message: str | None
    ) -> Project:
        """Commit a change to project ``pid``; a change of nothing answers with its current state."""
        view, change = self.writer.write(group_of_known_project(pid), build, author=author, message=message)
        return self._project(view, live_project(view, pid), written=change is not None)

    def rename_project(
        self,
        pid: str,
        name: str,
        *,
        author: str,
        message: str | None = None,
        if_match: Collection[str] | None = None,
    ) -> Project:
        name = check_name(name, what="project")
        group_id = group_of_known_project(pid)

        def build(view: GroupSnapshot, now: int) -> Change:
            project = live_project(view, pid)
            check_project_version(if_match, view, pid)
            if name == project.name:
                raise Unchanged
            other = view.meta.project_named(name)
            if other is not None and other.id != pid:
                raise NameTaken(f"a project named {other.name!r} already exists in this group")
            new = replace(project, name=name, updated_at=timestamp_text(now))
            files: dict[str, bytes | None] = {}
            if project.has_data and new.file != project.file:
                blob = view.files[project.file]
                files = {project.file: None, new.file: self.snapshots.text(group_id, blob).encode()}
            summary = f"Rename {project.name} to {name}"
            return Change(view.meta.with_project(new), summary, "rename", touch(new, "rename"), files)

        return self._write_project(pid, build, author=author, message=message)

    def delete_project(
        self, pid: str, *, author: str, message: str | None = None, if_match: Collection[str] | None = None
    ) -> None:
        def build(view: GroupSnapshot, now: int) -> Change:
            project = live_project(view, pid)
            check_project_version(if_match, view, pid)
            files: dict[str, bytes | None] = {project.file: None} if project.has_data else {}
            meta = view.meta.without_project(pid)
            return Change(meta, f"Delete {project.name}", "delete", touch(project, "delete"), files)

        self.writer.write(group_of_known_project(pid), build, author=author, message=message)

    def restore_project(
        self,
        state: Project,
        *,
        author: str,
        message: str | None = None,
        if_match: Collection[str] | None = None,
        force: bool = False,
    ) -> Project:
        """Write an earlier state of a project (name, format, data) as a new commit.

        A deleted project comes back under its old id; its old name must be free. Its schema is
        checked against the project's compatibility level as an update's is (``force`` as there).
        """
        entities: tuple[dict[str, Any], ...] = ()
        if state.data is not None:
            entities = validate_schema(state.format, state.data, state.dialect, self.validator).entities
            self.compat.warm(self.snapshots.get(state.group_id), state.id)

        def build(view: GroupSnapshot, now: int) -> Change:
            current = view.meta.projects.get(state.id)
            if current is not None:
                check_project_version(if_match, view, state.id)
            other = view.meta.project_named(state.name)
            if other is not None and other.id != state.id:
                raise NameTaken(f"a project named {other.name!r} now exists; rename it first")
            if current is not None and (current.name, current.format, current.dialect) == (
                state.name,
                state.format,
                state.dialect,
            ):
                same = view.files.get(current.file) if current.has_data else None
                if same == (blob_id(state.data.encode()) if state.data is not None else None):
                    raise Unchanged  # it is that state already
            stamp = timestamp_text(now)
            restored = ProjectMeta(
                state.id,
                state.name,
                state.format,
                state.dialect,
                state.data is not None,
                current.created_at if current is not None else state.created_at,
                stamp,
                current.compatibility if current is not None else None,
            )
            files: dict[str, bytes | None] = {}
            if current is not None and current.has_data and current.file != restored.file:
                files[current.file] = None
            if state.data is not None:
                files[restored.file] = state.data.encode()
            elif current is not None and current.has_data:
                files[current.file] = None
            summary = f"Restore {restored.name} ({restored.format}) from {state.version[:12]}"
            trailers: tuple[tuple[str, str], ...] = ()
            if state.data is not None:
                what = f"the schema of {state.name} at {state.version[:12]}"
                trailers = self.compat.enforce(
                    view, state.id, current, entities, state.format, force=force, what=what
                )
            return Change(
                view.meta.with_project(restored),
                summary,
                "restore",
                touch(restored, "restore"),
                files,
                trailers=trailers,
            )

        return self._write_project(state.id, build, author=author, message=message)

    def create_tag(
        self, group_id: str, name: str, *, version: str, author: str, message: str | None = None
    ) -> TagInfo:
        """An annotated tag on ``version`` (a commit of the group's history)."""
        check_tag_name(name)
        with self.snapshots.open(group_id) as repo, repo.writer() as writer:
            try:
                return new_tag(
                    repo,
                    name,
                    lambda: writer.create_tag(
                        name=name,
                        target=version,
                        tagger=author_signature(author),
                        message=message or f"Tag {name}",
                        timestamp=int(self.clock()),
                    ),
                )
            except ObjectMissing as exc:
                raise NotFound(f"no version {version!r} in this project group") from exc


def new_tag(repo: GitRepository, name: str, make: Callable[[], _T]) -> _T:
    """Make tag ``name`` with ``make``, under the repository's writer lock (the API and pushes
    alike): tag names are unique ignoring case, as every name is. :class:`NameTaken` if taken."""
    taken = taken_ignoring_case(name, repo.tag_names())
    if taken is not None:
        raise NameTaken(f"a tag named {taken!r} already exists (tag names ignore case)")
    try:
        return make()
    except RefConflict as exc:
        raise NameTaken(f"a tag named {name!r} already exists") from exc


def _named(view: GroupSnapshot | None, folded_name: str) -> GroupSnapshot | None:
    """``view`` if its group is still called ``folded_name`` (the group index's ids are hints)."""
    return view if view is not None and fold(view.meta.name) == folded_name else None


def named_project(view: GroupSnapshot, project_name: str) -> ProjectMeta:
    """The project of that name in the group's view (memory only), or NotFound."""
    meta = view.meta.project_named(project_name)
    if meta is None:
        raise NotFound(f"no project named {project_name!r} in group {view.meta.name!r}")
    return meta
