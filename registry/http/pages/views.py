"""What each page shows, gathered from the domain code (blocking: each runs in the read pool).

The scope rules are the API's (:func:`registry.http.routes.scope.visible`): a key limited to some
groups gets the same answer for a group it may not see whether or not that group exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from registry.core.blame import Blame, blame
from registry.core.catalog import Catalog, named_project
from registry.core.changes import Project, SchemaValidator
from registry.core.compat_service import CompatibilityService
from registry.core.errors import NotFound
from registry.core.history import GroupHistory
from registry.core.keys import ApiKey, Role
from registry.core.metadata import file_name
from registry.core.names import group_of_project
from registry.core.timeline import Timeline
from registry.http.auth import permit
from registry.http.pages.diffview import diff_rows
from registry.http.pages.highlight import highlighted
from registry.http.routes.scope import visible

GROUP_HISTORY_PAGE = 20
PROJECT_HISTORY_PAGE = 50
PICKER_VERSIONS = 200  # newest versions offered in the diff pickers (any other can be typed in the URL)


@dataclass(frozen=True)
class Reader:
    """One page's read of the domain, on behalf of one key."""

    catalog: Catalog
    timeline: Timeline
    key: ApiKey
    validator: SchemaValidator
    compat: CompatibilityService

    def groups(self, query: str) -> list[dict[str, Any]]:
        folded = query.casefold()
        found = []
        for summary in self.catalog.list_groups():
            if not self.key.covers(summary.id) or folded not in summary.name.casefold():
                continue
            try:
                view = self.catalog.snapshots.get(summary.id)
                last = self.catalog.snapshots.history(summary.id).revisions[-1]
            except NotFound:  # deleted since it was listed
                continue
            found.append(
                {
                    "id": summary.id,
                    "name": view.meta.name,
                    "projects": len(view.meta.projects),
                    "changed": last.timestamp,
                    "author": last.author,
                }
            )
        return found

    def group(self, ref: str, cursor: str | None) -> dict[str, Any]:
        view = visible(self.catalog, self.key, ref, "read")
        group_id = view.meta.id
        history = self.catalog.snapshots.history(group_id)
        projects = []
        for meta in sorted(view.meta.projects.values(), key=lambda p: p.name.casefold()):
            revision = history.revisions[history.position[view.last_change[meta.id]]]
            projects.append(
                {
                    "meta": meta,
                    "changed": revision.timestamp,
                    "author": revision.author,
                    "version": revision.version,
                }
            )
        changes = self.timeline.group_history(group_id, limit=GROUP_HISTORY_PAGE, cursor=cursor)
        return {
            "group": view.meta,
            "version": view.version,
            "projects": projects,
            "tags": self.timeline.tags(group_id),
            "changes": changes.items,
            "next_cursor": changes.next_cursor,
        }

    # -- projects ----------------------------------------------------------------------------

    def project_id(self, ref: str, name: str | None, role: Role = "read") -> str:
        """The id of the project a page names: ``ref`` alone is an id, else group and name."""
        if name is None:
            group_id = group_of_project(ref)
            if group_id is None:
                raise NotFound(f"no project with id {ref!r}")
            permit(self.key, role, group_id)
            return ref
        view = visible(self.catalog, self.key, ref, role)
        return named_project(view, name).id

    def heading(self, pid: str) -> dict[str, Any]:
        """The group and project names a project page shows, as of the project's last change."""
        group_id, history, indexes = self.timeline.project_changes(pid)
        if not indexes:
            raise NotFound(f"no project with id {pid!r}")
        touch = history.touch_of(indexes[-1], pid)
        return {
            "group_id": group_id,
            "group_name": history.group_name_at(len(history.revisions) - 1) or group_id,
            "id": pid,
            "name": touch.name,
            "format": touch.format,
            "deleted": touch.action == "delete",
        }

    def project(self, pid: str, at: str | None) -> dict[str, Any]:
        project = self.timeline.project_at(pid, at) if at is not None else self.catalog.project(pid)
        text = project.data or ""
        entities: list[dict[str, Any]] = []
        if project.data is not None:
            result = self.validator(project.format, project.data, dialect=project.dialect)
            entities = list(result.entities)
        return {
            "project": project,
            "file": file_name(project.name, project.format),
            "schema": highlighted(text, project.format) if project.data is not None else None,
            "entities": entities,
            "lines": text.count("\n") + (0 if text.endswith("\n") or not text else 1),
        }

    def raw(self, pid: str, at: str | None) -> Project:
        return self.timeline.project_at(pid, at) if at is not None else self.catalog.project(pid)

    def history(self, pid: str, cursor: str | None) -> dict[str, Any]:
        page = self.timeline.project_history(pid, limit=PROJECT_HISTORY_PAGE, cursor=cursor)
        # Each version against the one before it, from the compatibility caches (as the API's
        # history answers it): the page shows a badge where a change breaks consumers.
        return {"versions": self.compat.summarize(pid, page.items), "next_cursor": page.next_cursor}

    def diff(self, pid: str, from_: str | None, to: str | None) -> dict[str, Any]:
        compared = self.timeline.compare(pid, from_=from_, to=to)
        old, new = compared.old, compared.new
        return {
            "old": old,
            "new": new,
            "from_version": compared.from_version,
            "to_version": compared.to_version,
            "rows": diff_rows((old.data or "") if old else "", (new.data or "") if new else ""),
            "choices": self.choices(pid, [compared.from_version, compared.to_version]),
        }

    def choices(self, pid: str, selected: list[str | None]) -> list[dict[str, Any]]:
        """Versions for the pickers, newest first: the newest ones and the ones chosen."""
        _, history, indexes = self.timeline.project_changes(pid)
        shown = set(indexes[-PICKER_VERSIONS:])
        shown.update(history.position[v] for v in selected if v is not None and v in history.position)
        return [_choice(history, i, pid) for i in sorted(shown, reverse=True)]

    def blame(self, pid: str, at: str | None) -> Blame:
        found = blame(self.timeline, pid, at)
        if not found.version:
            raise NotFound(f"project {pid!r} did not exist at {at!r}")
        return found

    def restore_preview(self, pid: str, version: str) -> dict[str, Any]:
        target = self.timeline.project_at(pid, version)
        try:
            current: Project | None = self.catalog.project(pid)
        except NotFound:  # deleted: restoring brings it back
            current = None
        old_text = (current.data or "") if current else ""
        return {"target": target, "current": current, "rows": diff_rows(old_text, target.data or "")}


def _choice(history: GroupHistory, index: int, pid: str) -> dict[str, Any]:
    revision = history.revisions[index]
    touch = history.touch_of(index, pid)
    return {
        "version": revision.version,
        "action": touch.action,
        "timestamp": revision.timestamp,
        "summary": revision.summary,
    }
