"""Several project changes in one commit, all or nothing (``POST /project-group/{group}/batch``).

A pipeline that makes a group match a folder of schemas needs what ``git push`` gives git users:
either every create, update, rename and delete lands, or none does. The whole batch is one write
of the group writer, so it is built under the group's writer lock on the latest state and
published as one commit; a refusal of any operation refuses the batch.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from registry.core.changes import (
    Change,
    SchemaValidator,
    Unchanged,
    check_format,
    check_if_match,
    touch,
)
from registry.core.errors import InvalidInput, InvalidSchema, NameTaken, NotFound
from registry.core.group_writer import GroupWriter
from registry.core.history import BATCH_ACTION, Touch
from registry.core.metadata import GroupMeta, ProjectMeta, timestamp_text
from registry.core.names import check_name, project_id
from registry.core.snapshots import GroupSnapshot, Snapshots
from registry.formats import Problem

MAX_OPERATIONS = 1000
Action = Literal["create", "update", "rename", "delete"]
ACTIONS: tuple[Action, ...] = ("create", "update", "rename", "delete")


@dataclass(frozen=True)
class Operation:
    """One change of a batch. ``project`` names an existing project (id or name) for update,
    rename and delete; ``name`` is the new name of a create or a rename."""

    action: Action
    project: str | None = None
    name: str | None = None
    data: str | None = None
    format: str | None = None
    dialect: str | None = None

    def label(self, index: int) -> str:
        return f"operation {index} ({self.action} {self.name or self.project})"


@dataclass(frozen=True)
class BatchResult:
    view: GroupSnapshot
    touches: tuple[Touch, ...]  # empty when the batch changed nothing


def check_operations(operations: Sequence[Operation]) -> None:
    """What can be refused before reading the group: counts, fields, names and formats."""
    if not operations:
        raise InvalidInput("a batch needs at least one operation")
    if len(operations) > MAX_OPERATIONS:
        raise InvalidInput(f"a batch has at most {MAX_OPERATIONS} operations, not {len(operations)}")
    for index, op in enumerate(operations):
        needs_project = op.action != "create"
        if needs_project != (op.project is not None):
            raise InvalidInput(
                f"{op.label(index)}: 'project' is {'required' if needs_project else 'not allowed'}"
            )
        if (op.action in ("create", "rename")) != (op.name is not None):
            raise InvalidInput(f"{op.label(index)}: 'name' is for create and rename only, and required there")
        if op.action == "update" and op.data is None:
            raise InvalidInput(f"{op.label(index)}: 'data' is required")
        if op.action in ("rename", "delete") and (op.data, op.format, op.dialect) != (None, None, None):
            raise InvalidInput(f"{op.label(index)}: a {op.action} takes no data, format or dialect")
        if op.name is not None:
            check_name(op.name, what="project")
        if op.format is not None or op.dialect is not None:
            check_format(op.format or "sql", op.dialect)


class Batch:
    """Builds one commit out of a list of operations, each checked against the state the ones
    before it leave (so a batch may delete or rename a project and reuse its name)."""

    def __init__(self, snapshots: Snapshots, writer: GroupWriter, validator: SchemaValidator) -> None:
        self.snapshots = snapshots
        self.writer = writer
        self.validator = validator

    def apply(
        self,
        group_id: str,
        operations: Sequence[Operation],
        *,
        author: str,
        message: str | None = None,
        if_match: Collection[str] | None = None,
    ) -> BatchResult:
        check_operations(operations)
        # Validation is the slow part: done before the lock, with the formats the group has now.
        # A build that finds a project's format changed meanwhile validates that document again.
        checked = self._validate(self.snapshots.get(group_id), operations)

        def build(view: GroupSnapshot, now: int) -> Change:
            check_if_match(if_match, view.version)
            return _Builder(view, now, self, checked).build(operations)

        view, change = self.writer.write(group_id, build, author=author, message=message)
        return BatchResult(view, change.batch if change is not None else ())

    def _validate(
        self, view: GroupSnapshot, operations: Sequence[Operation]
    ) -> dict[int, tuple[str, str | None]]:
        """Every document's (format, dialect) as validated, by operation; all problems at once."""
        checked: dict[int, tuple[str, str | None]] = {}
        problems: list[Problem] = []
        refused: list[str] = []
        for index, op in enumerate(operations):
            if op.data is None:
                continue
            current = _find(view.meta, op.project) if op.project is not None else None
            fmt, dialect = _effective(op, current)
            result = self.validator(fmt, op.data, dialect=dialect)
            checked[index] = (fmt, dialect)
            if not result.valid:
                refused.append(f"{op.label(index)}: {result.error_count} error(s)")
                prefix = f"{op.label(index)}: "
                problems += [replace(p, message=prefix + p.message) for p in result.errors]
        if refused:
            raise InvalidSchema(
                f"{len(refused)} document(s) of the batch are invalid: {'; '.join(refused)}", problems
            )
        return checked


def _find(meta: GroupMeta, ref: str) -> ProjectMeta | None:
    return meta.projects.get(ref) if ref.startswith("_") else meta.project_named(ref)


def _effective(op: Operation, current: ProjectMeta | None) -> tuple[str, str | None]:
    """The format and canonical dialect a document is stored with (an update keeps the project's)."""
    if op.format is not None:
        return op.format, check_format(op.format, op.dialect)
    if current is not None:
        dialect = op.dialect if op.dialect is not None else current.dialect
        return current.format, check_format(current.format, dialect)
    return "yaml", check_format("yaml", op.dialect)


class _Builder:
    """One batch's change, built operation by operation on the group's view."""

    def __init__(
        self, view: GroupSnapshot, now: int, batch: Batch, checked: dict[int, tuple[str, str | None]]
    ) -> None:
        self.view = view
        self.meta = view.meta
        self.stamp = timestamp_text(now)
        self.batch = batch
        self.checked = checked
        self.files: dict[str, bytes | None] = {}
        self.touches: list[Touch] = []
        self.named: set[str] = set()  # projects an operation already named

    def build(self, operations: Sequence[Operation]) -> Change:
        steps = {
            "create": self._create,
            "update": self._update,
            "rename": self._rename,
            "delete": self._delete,
        }
        for index, op in enumerate(operations):
            try:
                steps[op.action](index, op)
            except (NotFound, NameTaken, InvalidInput) as exc:
                raise type(exc)(f"{op.label(index)}: {exc.detail}; nothing was changed") from exc
        if not self.touches:
            raise Unchanged
        summary = f"Apply {len(self.touches)} change(s)"
        return Change(self.meta, summary, BATCH_ACTION, files=self.files, batch=tuple(self.touches))

    def _project(self, ref: str) -> ProjectMeta:
        found = _find(self.meta, ref)
        if found is None:
            raise NotFound(f"no project {ref!r} in this group")
        # History keeps one change per project and commit, so a batch changes a project once.
        if found.id in self.named:
            raise InvalidInput(f"project {found.name!r} is named by an earlier operation of the batch")
        self.named.add(found.id)
        return found

    def _free(self, name: str, pid: str | None = None) -> None:
        other = self.meta.project_named(name)
        if other is not None and other.id != pid:
            raise NameTaken(f"a project named {other.name!r} already exists")

    def _text(self, project: ProjectMeta) -> bytes | None:
        """The project's schema as this batch left it so far."""
        if project.file in self.files:
            return self.files[project.file]
        blob = self.view.files.get(project.file) if project.has_data else None
        return None if blob is None else self.batch.snapshots.text(self.meta.id, blob).encode()

    def _put(self, old: ProjectMeta | None, new: ProjectMeta, data: bytes | None, action: str) -> None:
        if old is not None and old.has_data and old.file != new.file:
            self.files[old.file] = None
        if data is not None:
            self.files[new.file] = data
        self.meta = self.meta.with_project(new)
        self.touches.append(touch(new, action))

    def _create(self, index: int, op: Operation) -> None:
        assert op.name is not None
        self._free(op.name)
        fmt, dialect = self.checked.get(index) or _effective(op, None)
        pid = project_id(self.meta.id, self.meta.next_project_number)
        self.named.add(pid)
        self.meta = replace(self.meta, next_project_number=self.meta.next_project_number + 1)
        project = ProjectMeta(pid, op.name, fmt, dialect, op.data is not None, self.stamp, self.stamp)
        self._put(None, project, op.data.encode() if op.data is not None else None, "create")

    def _update(self, index: int, op: Operation) -> None:
        assert op.project is not None
        assert op.data is not None
        project = self._project(op.project)
        fmt, dialect = _effective(op, project)
        if (fmt, dialect) != self.checked[index]:  # the project changed format since validation
            result = self.batch.validator(fmt, op.data, dialect=dialect)
            if not result.valid:
                raise InvalidSchema(f"{op.label(index)}: the {fmt} schema is invalid", result.errors)
        data = op.data.encode()
        if (fmt, dialect) == (project.format, project.dialect) and self._text(project) == data:
            return  # the same schema again changes nothing
        new = replace(project, format=fmt, dialect=dialect, has_data=True, updated_at=self.stamp)
        self._put(project, new, data, "update")

    def _rename(self, index: int, op: Operation) -> None:
        assert op.project is not None
        assert op.name is not None
        project = self._project(op.project)
        if op.name == project.name:
            return
        self._free(op.name, project.id)
        new = replace(project, name=op.name, updated_at=self.stamp)
        self._put(project, new, self._text(project) if project.has_data else None, "rename")

    def _delete(self, index: int, op: Operation) -> None:
        assert op.project is not None
        project = self._project(op.project)
        if project.has_data:
            self.files[project.file] = None
        self.meta = self.meta.without_project(project.id)
        self.touches.append(touch(project, "delete"))


__all__ = ["ACTIONS", "MAX_OPERATIONS", "Action", "Batch", "BatchResult", "Operation"]
