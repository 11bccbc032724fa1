"""Checking a new schema against a project's earlier versions, and refusing a write that breaks
the project's compatibility level (``409 incompatible-schema``) unless an admin forces it.

Old versions' entity models come from the :class:`~registry.core.models.ModelCache`; the group
writer calls :meth:`CompatibilityGuard.enforce` under the group's lock, after the caller warmed
the cache with :meth:`CompatibilityGuard.warm` outside it, so a check under the lock validates
nothing but (at most) a version no earlier request has needed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from registry.core.changes import SchemaValidator
from registry.core.errors import IncompatibleSchema
from registry.core.levels import Level, effective_level
from registry.core.metadata import ProjectMeta, file_name
from registry.core.models import Model, ModelCache, ModelKey
from registry.core.snapshots import GroupSnapshot, Snapshots
from registry.formats.compatibility import Change, compare, directions, is_transitive

OVERRIDE_TRAILER = "Compatibility-Override"
BREAK_TRAILER = "Compatibility-Break"
Entities = Sequence[dict[str, Any]]


@dataclass(frozen=True)
class Point:
    """One earlier version of a project with a schema: the commit, and its document."""

    version: str
    key: ModelKey


@dataclass(frozen=True)
class Found:
    """A change, and the version it was found against."""

    change: Change
    against: str

    def to_json(self) -> dict[str, Any]:
        return {**self.change.to_json(), "against": self.against}


@dataclass(frozen=True)
class Verdict:
    level: Level
    against: tuple[str, ...]  # the versions checked, newest first
    changes: tuple[Found, ...]  # every change against the newest; breaking ones against the others
    breaking: tuple[Found, ...]

    @property
    def compatible(self) -> bool:
        return not self.breaking

    def to_json(self) -> dict[str, Any]:
        return {
            "compatible": self.compatible,
            "level": self.level,
            "against": list(self.against),
            "changes": [f.to_json() for f in self.changes],
        }

    def refusal(self, what: str) -> IncompatibleSchema:
        kinds = ", ".join(sorted({f.change.kind for f in self.breaking}))
        return IncompatibleSchema(
            f"{what} breaks {self.level} compatibility with {len(self.breaking)} change(s) ({kinds})",
            level=self.level,
            against=self.against,
            changes=[f.to_json() for f in self.breaking],
        )


def case_insensitive(*formats: str) -> bool:
    """SQL names ignore case, so a comparison with an SQL side does too."""
    return "sql" in formats


def one_line(text: str) -> str:
    """``text`` with every run of whitespace (newlines too) as one space: names in a document
    (a JSON Schema property, a quoted SQL identifier) may hold anything, and a newline in a
    trailer would let a schema write trailers of its own into the history."""
    return " ".join(text.split())


def override_trailers(level: Level, broken: Sequence[Found], prefix: str = "") -> tuple[tuple[str, str], ...]:
    """What a forced write records: the level it broke and each breaking change."""
    lines = dict.fromkeys(one_line(f"{prefix}{f.change.kind} {f.change.path}") for f in broken)
    return ((OVERRIDE_TRAILER, level), *((BREAK_TRAILER, line) for line in lines))


class CompatibilityGuard:
    def __init__(
        self, snapshots: Snapshots, models: ModelCache, validator: SchemaValidator, default: Level
    ) -> None:
        self.snapshots = snapshots
        self.models = models
        self.validator = validator
        self.default = default

    def model(self, group_id: str, key: ModelKey) -> Model:
        return self.models.model(key, lambda: self.snapshots.text(group_id, key.blob), self.validator)

    def history_points(self, group_id: str, project_id: str, *, upto: int | None = None) -> list[Point]:
        """Every version of the project with a schema, newest first, up to position ``upto``:
        across renames and format changes; not where it was deleted or had no data."""
        history = self.snapshots.history(group_id)
        wanted = []
        for index in reversed(history.project_indexes(project_id, upto=upto)):
            touch = history.touch_of(index, project_id)
            if touch.action != "delete":
                wanted.append((index, touch, file_name(touch.name, touch.format)))
        blobs = self.snapshots.blobs_at(group_id, [(history.revisions[i].version, f) for i, _, f in wanted])
        return [
            Point(history.revisions[index].version, ModelKey(blob, touch.format, touch.dialect))
            for (index, touch, _), blob in zip(wanted, blobs, strict=True)
            if blob is not None
        ]

    def points_for_write(
        self, view: GroupSnapshot, project_id: str, current: ProjectMeta | None, transitive: bool
    ) -> list[Point]:
        """What a write to the project in ``view`` is checked against, newest first."""
        latest: list[Point] = []
        blob = view.files.get(current.file) if current is not None and current.has_data else None
        if current is not None and blob is not None:
            latest = [Point(view.last_change[project_id], ModelKey(blob, current.format, current.dialect))]
            if not transitive:
                return latest
        older = self.history_points(view.meta.id, project_id)
        return latest + [p for p in older if not latest or p.version != latest[0].version]

    def verdict(
        self, group_id: str, new: Entities, new_format: str, level: Level, points: Sequence[Point]
    ) -> Verdict:
        """``new`` against ``points`` (newest first): the newest valid one, or all for a
        transitive level; versions that do not pass today's validator are skipped."""
        transitive, wanted = is_transitive(level), set(directions(level))
        against: list[str] = []
        changes: list[Found] = []
        seen_docs: set[ModelKey] = set()
        seen: set[tuple[str, str, str, str]] = set()
        for point in points:
            model = self.model(group_id, point.key)
            if model.entities is None:
                continue
            first = not against
            against.append(point.version)
            if point.key not in seen_docs:  # the same document as a newer point: the same changes
                seen_docs.add(point.key)
                fold = case_insensitive(point.key.format, new_format)
                for change in compare(model.entities, new, case_insensitive=fold):
                    signature = (change.kind, change.path, repr(change.before), repr(change.after))
                    if first or (wanted.intersection(change.breaks) and signature not in seen):
                        seen.add(signature)
                        changes.append(Found(change, point.version))
            if not transitive:
                break
        broken = tuple(f for f in changes if wanted.intersection(f.change.breaks))
        return Verdict(level, tuple(against), tuple(changes), broken)

    def warm(self, view: GroupSnapshot, project_id: str) -> None:
        """Put the models a write to the project will be checked against in the cache, outside
        the writer lock (a level of NONE needs none)."""
        current = view.meta.projects.get(project_id)
        level, _ = effective_level(view.meta, project_id, self.default)
        if level == "NONE":
            return
        for point in self.points_for_write(view, project_id, current, is_transitive(level)):
            self.model(view.meta.id, point.key)

    def enforce(
        self,
        view: GroupSnapshot,
        project_id: str,
        current: ProjectMeta | None,
        new: Entities,
        new_format: str,
        *,
        force: bool,
        what: str,
    ) -> tuple[tuple[str, str], ...]:
        """Refuse ``new`` if it breaks the project's level; forced, the trailers that say what
        it broke (none when nothing broke)."""
        level, _ = effective_level(view.meta, project_id, self.default)
        if level == "NONE":
            return ()
        points = self.points_for_write(view, project_id, current, is_transitive(level))
        verdict = self.verdict(view.meta.id, new, new_format, level, points)
        if verdict.compatible:
            return ()
        if not force:
            raise verdict.refusal(what)
        return override_trailers(level, verdict.breaking)
