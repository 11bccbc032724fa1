"""Reading the past: project and group history, state at any version, tags, and diffs.

All of it comes from the cached :class:`~registry.core.history.GroupHistory` plus blob reads, so a
history page costs the same at 100 or 10,000 commits.
"""

from __future__ import annotations

import difflib
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from registry.core.catalog import Catalog
from registry.core.changes import Project
from registry.core.errors import InvalidInput, NotFound
from registry.core.history import GroupHistory, Revision, Touch
from registry.core.metadata import file_name, timestamp_text
from registry.core.names import fold, group_of_known_project
from repo_store import TagInfo

MAX_PAGE = 200


@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    next_cursor: str | None
    newest: str  # the newest version of the whole list: any page changes only when it does


@dataclass(frozen=True)
class ProjectAt:
    """A project as a group's state at a past version lists it: no schema text."""

    id: str
    name: str
    format: str
    dialect: str | None
    created_at: str
    updated_at: str


@dataclass(frozen=True)
class GroupAt:
    """A group as it was at one version of its history."""

    id: str
    name: str
    created_at: str
    version: str
    projects: list[ProjectAt]


@dataclass(frozen=True)
class Diff:
    from_version: str | None
    to_version: str
    from_file: str | None
    to_file: str | None
    text: str


@dataclass(frozen=True)
class Comparison:
    """A project at two versions; None where it did not exist."""

    old: Project | None
    new: Project | None
    from_version: str | None
    to_version: str


def _page(
    history: GroupHistory, positions: Sequence[int], limit: int | None, cursor: str | None
) -> tuple[list[int], str | None]:
    """One newest-first page of ``positions`` (oldest first, sorted), starting at ``cursor``.

    Only the page is touched, so a page costs the same at 100 or 10,000 versions.
    """
    size = MAX_PAGE if limit is None else limit
    if not 1 <= size <= MAX_PAGE:
        raise InvalidInput(f"limit must be between 1 and {MAX_PAGE}")
    count = len(positions)
    start = 0
    if cursor is not None:
        position = history.position.get(cursor, -1)
        found = bisect_left(positions, position)
        if position < 0 or found == count or positions[found] != position:
            raise InvalidInput(f"cursor {cursor!r} is not a position in this history")
        start = count - 1 - found
    chunk = [positions[count - 1 - k] for k in range(start, min(count, start + size))]
    more = start + size < count
    return chunk, history.revisions[positions[count - 1 - start - size]].version if more else None


def version_json(revision: Revision, touch: Touch) -> dict[str, Any]:
    return {
        "version": revision.version,
        "action": touch.action,
        "name": touch.name,
        "format": touch.format,
        "dialect": touch.dialect,
        "author": revision.author,
        "message": revision.message,
        "summary": revision.summary,
        "timestamp": timestamp_text(revision.timestamp),
    }


class Timeline:
    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.snapshots = catalog.snapshots

    def _group_history(self, group_id: str) -> GroupHistory:
        return self.snapshots.history(group_id)

    def _project_history(self, project_id: str) -> tuple[str, GroupHistory]:
        group_id = group_of_known_project(project_id)
        history = self._group_history(group_id)
        if project_id not in history.by_project:
            raise NotFound(f"no project with id {project_id!r}")
        return group_id, history

    # -- history pages -----------------------------------------------------------------------

    def project_history(self, project_id: str, *, limit: int | None, cursor: str | None) -> Page:
        _, history = self._project_history(project_id)
        positions = history.by_project[project_id]
        chunk, next_cursor = _page(history, positions, limit, cursor)
        items = [version_json(history.revisions[i], history.touch_of(i, project_id)) for i in chunk]
        return Page(items, next_cursor, history.revisions[positions[-1]].version)

    def group_history(self, group_id: str, *, limit: int | None, cursor: str | None) -> Page:
        history = self._group_history(group_id)
        chunk, next_cursor = _page(history, range(len(history.revisions)), limit, cursor)
        items = [
            {
                "version": r.version,
                "action": r.action,
                "author": r.author,
                "message": r.message,
                "summary": r.summary,
                "timestamp": timestamp_text(r.timestamp),
                "projects": [{"id": t.project_id, "name": t.name, "action": t.action} for t in r.touches],
            }
            for r in (history.revisions[i] for i in chunk)
        ]
        return Page(items, next_cursor, history.revisions[-1].version)

    def project_changes(
        self, project_id: str, upto: str | None = None
    ) -> tuple[str, GroupHistory, list[int]]:
        """The project's group, that group's history and the positions that changed the project
        (oldest first; up to the version ``upto`` names)."""
        group_id, history = self._project_history(project_id)
        index = None if upto is None else history.resolve(upto, tags=self.tag_targets(group_id))
        return group_id, history, history.project_indexes(project_id, upto=index)

    # -- state at a version ------------------------------------------------------------------

    def position(self, group_id: str, at: str | None) -> tuple[GroupHistory, int]:
        """The group's history and the position ``at`` names (None: the current one)."""
        history = self._group_history(group_id)
        if at is None:
            return history, len(history.revisions) - 1
        return history, history.resolve(at, tags=self.tag_targets(group_id))

    def project_at(self, project_id: str, at: str) -> Project:
        group_id, history = self._project_history(project_id)
        index = history.resolve(at, tags=self.tag_targets(group_id))
        project = self._state(group_id, history, project_id, index)
        if project is None:
            raise NotFound(f"project {project_id!r} did not exist at {at!r}")
        return project

    def project_by_name_at(self, group_id: str, name: str, at: str) -> Project:
        """The project called ``name`` in the group as of ``at`` (names are matched from history,
        so only that project's text is read)."""
        history, index = self.position(group_id, at)
        folded = fold(name)
        for pid in history.by_project:
            last = self._last_touch(history, pid, index)
            if last is not None and fold(last[0].name) == folded:
                return self._state_of(group_id, history, pid, *last)
        raise NotFound(f"no project named {name!r} at {at!r}")

    def group_at(self, group_id: str, at: str) -> GroupAt:
        history, index = self.position(group_id, at)
        return GroupAt(
            id=group_id,
            name=history.group_name_at(index) or "",
            created_at=timestamp_text(history.revisions[0].timestamp),
            version=history.revisions[index].version,
            projects=self._projects_at(history, index),
        )

    def _projects_at(self, history: GroupHistory, index: int) -> list[ProjectAt]:
        """Every project of the group as of position ``index``, from history alone (no git reads)."""
        found = []
        for pid in history.by_project:
            last = self._last_touch(history, pid, index)
            if last is not None:
                touch, indexes = last
                found.append(
                    ProjectAt(
                        id=pid,
                        name=touch.name,
                        format=touch.format,
                        dialect=touch.dialect,
                        created_at=timestamp_text(history.revisions[indexes[0]].timestamp),
                        updated_at=timestamp_text(history.revisions[indexes[-1]].timestamp),
                    )
                )
        return found

    @staticmethod
    def _last_touch(history: GroupHistory, project_id: str, index: int) -> tuple[Touch, list[int]] | None:
        """The project's last change up to position ``index`` and where it changed, or None if it
        did not exist then."""
        indexes = history.project_indexes(project_id, upto=index)
        if not indexes:
            return None
        touch = history.touch_of(indexes[-1], project_id)
        return None if touch.action == "delete" else (touch, indexes)

    def _state(self, group_id: str, history: GroupHistory, project_id: str, index: int) -> Project | None:
        """The project as of position ``index``, or None if it did not exist then."""
        last = self._last_touch(history, project_id, index)
        return None if last is None else self._state_of(group_id, history, project_id, *last)

    def _state_of(
        self, group_id: str, history: GroupHistory, project_id: str, touch: Touch, indexes: list[int]
    ) -> Project:
        """The project as its last change ``touch`` (at ``indexes[-1]``) left it."""
        revision = history.revisions[indexes[-1]]
        return Project(
            id=project_id,
            group_id=group_id,
            name=touch.name,
            format=touch.format,
            dialect=touch.dialect,
            data=self.text_at(group_id, revision.version, file_name(touch.name, touch.format)),
            created_at=timestamp_text(history.revisions[indexes[0]].timestamp),
            updated_at=timestamp_text(revision.timestamp),
            version=revision.version,
        )

    def text_at(self, group_id: str, version: str, path: str) -> str | None:
        blob = self.snapshots.blob_at(group_id, version, path)
        return None if blob is None else self.snapshots.text(group_id, blob)

    # -- diffs -------------------------------------------------------------------------------

    def compare(self, project_id: str, *, from_: str | None, to: str | None) -> Comparison:
        """The project at two versions (``to`` None: its last change; ``from_`` None: the one
        before ``to``), by id: across renames and format changes."""
        group_id, history = self._project_history(project_id)
        tags = self.tag_targets(group_id)
        to_index = history.by_project[project_id][-1] if to is None else history.resolve(to, tags=tags)
        if from_ is None:  # the version before the one ``to`` shows
            earlier = history.project_indexes(project_id, upto=to_index)
            from_index = earlier[-2] if len(earlier) >= 2 else None
        else:
            from_index = history.resolve(from_, tags=tags)
        return Comparison(
            old=self._state(group_id, history, project_id, from_index) if from_index is not None else None,
            new=self._state(group_id, history, project_id, to_index),
            from_version=history.revisions[from_index].version if from_index is not None else None,
            to_version=history.revisions[to_index].version,
        )

    def diff(self, project_id: str, *, from_: str | None, to: str | None) -> Diff:
        compared = self.compare(project_id, from_=from_, to=to)
        old, new = compared.old, compared.new
        # A project created without data has no file, at that version, just as a deleted one.
        old_file = file_name(old.name, old.format) if old and old.data is not None else None
        new_file = file_name(new.name, new.format) if new and new.data is not None else None
        lines = difflib.unified_diff(
            (old.data or "").splitlines(keepends=True) if old else [],
            (new.data or "").splitlines(keepends=True) if new else [],
            fromfile=f"a/{old_file}" if old_file else "/dev/null",
            tofile=f"b/{new_file}" if new_file else "/dev/null",
        )
        text = "".join(
            line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines
        )
        if not text and old_file and new_file and old_file != new_file:  # a pure rename: say so, as git does
            text = f"--- a/{old_file}\n+++ b/{new_file}\n"
        return Diff(
            from_version=compared.from_version,
            to_version=compared.to_version,
            from_file=old_file,
            to_file=new_file,
            text=text,
        )

    # -- tags --------------------------------------------------------------------------------

    def tags(self, group_id: str) -> list[TagInfo]:
        with self.snapshots.open(group_id) as repo:
            return sorted(repo.tags().values(), key=lambda t: t.name)

    def tag_targets(self, group_id: str) -> dict[str, str]:
        return {t.name: t.target for t in self.tags(group_id)}
