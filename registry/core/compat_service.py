"""What the compatibility API answers: a check that commits nothing, the semantic diff between
two points of a project's history, and each history entry's change summary.

All of it reads old versions' models from the model cache (:mod:`registry.core.models`), so a
page of history or a transitive check validates each old document at most once per process.
"""

from __future__ import annotations

from typing import Any, TypedDict

from registry.core.changes import check_format, live_project, validate_schema
from registry.core.compat_check import Entities, Point, Verdict, case_insensitive
from registry.core.errors import InvalidSchema, NotFound
from registry.core.history import GroupHistory
from registry.core.levels import Level, effective_level
from registry.core.lru import SizedLRU
from registry.core.metadata import file_name
from registry.core.models import ModelKey
from registry.core.names import group_of_project
from registry.core.timeline import Timeline
from registry.formats.compatibility import compare, is_transitive


class ChangeSummary(TypedDict):
    changes: int
    breaks: list[str]


class CompatibilityService:
    def __init__(self, timeline: Timeline, summary_cache_entries: int = 65536) -> None:
        self.timeline = timeline
        self.catalog = timeline.catalog
        self.guard = timeline.catalog.compat
        self.snapshots = timeline.catalog.snapshots
        # By the pair of documents: most commits of a group leave a project as it was.
        self._summaries: SizedLRU[tuple[ModelKey | None, ModelKey | None], ChangeSummary] = SizedLRU(
            summary_cache_entries, lambda _: 1
        )

    # -- a check ------------------------------------------------------------------------------

    def check(
        self,
        project_id: str,
        data: str,
        *,
        fmt: str | None,
        dialect: str | None,
        level: Level | None,
        against: str | None,
    ) -> Verdict:
        """``data`` against the project's versions (the latest, or up to ``against``) under
        ``level`` (default: the project's), committing nothing."""
        group_id = _group_id_of(project_id)
        view = self.snapshots.get(group_id)
        current = live_project(view, project_id)
        new_format = fmt or current.format
        new_dialect = dialect if dialect is not None or fmt is not None else current.dialect
        new_dialect = check_format(new_format, new_dialect)
        result = validate_schema(new_format, data, new_dialect, self.catalog.validator)
        level = level or effective_level(view.meta, project_id, self.catalog.default_compatibility)[0]
        if against is None:
            points = self.guard.points_for_write(view, project_id, current, is_transitive(level))
        else:
            points = self._points_upto(group_id, project_id, against)
        return self.guard.verdict(group_id, result.entities, new_format, level, points)

    def _points_upto(self, group_id: str, project_id: str, at: str) -> list[Point]:
        history, index = self.timeline.position(group_id, at)
        indexes = history.project_indexes(project_id, upto=index)
        if not indexes or history.touch_of(indexes[-1], project_id).action == "delete":
            raise NotFound(f"project {project_id!r} did not exist at {at!r}")
        return self.guard.history_points(group_id, project_id, upto=index)

    # -- the semantic diff --------------------------------------------------------------------

    def changes(self, project_id: str, *, from_: str | None, to: str | None) -> dict[str, Any]:
        """The changes between two points, with ``/diff``'s defaults: ``to`` the project's last
        change, ``from`` its change before the one ``to`` shows."""
        group_id, history = self._history(project_id)
        tags = self.timeline.tag_targets(group_id) if from_ is not None or to is not None else {}
        to_index = history.by_project[project_id][-1] if to is None else history.resolve(to, tags=tags)
        if from_ is None:
            earlier = history.project_indexes(project_id, upto=to_index)
            from_index = earlier[-2] if len(earlier) >= 2 else None
        else:
            from_index = history.resolve(from_, tags=tags)
        old, old_format = self._entities(group_id, history, project_id, from_index)
        new, new_format = self._entities(group_id, history, project_id, to_index)
        found = compare(old, new, case_insensitive=case_insensitive(old_format, new_format))
        return {
            "from": history.revisions[from_index].version if from_index is not None else None,
            "to": history.revisions[to_index].version,
            "changes": [c.to_json() for c in found],
        }

    def _entities(
        self, group_id: str, history: GroupHistory, project_id: str, index: int | None
    ) -> tuple[Entities, str]:
        """The project's entities as of position ``index`` (none where it had no schema)."""
        key = self._key_at(group_id, history, project_id, index)
        if key is None:
            return (), ""
        model = self.guard.model(group_id, key)
        if model.entities is None:
            version = history.revisions[index or 0].version
            result = self.catalog.validator(
                key.format, self.snapshots.text(group_id, key.blob), dialect=key.dialect
            )
            raise InvalidSchema(f"the {key.format} schema at {version} no longer validates", result.errors)
        return model.entities, key.format

    def _key_at(
        self, group_id: str, history: GroupHistory, project_id: str, index: int | None
    ) -> ModelKey | None:
        if index is None:
            return None
        indexes = history.project_indexes(project_id, upto=index)
        if not indexes:
            return None
        touch = history.touch_of(indexes[-1], project_id)
        if touch.action == "delete":
            return None
        version = history.revisions[indexes[-1]].version
        blob = self.snapshots.blob_at(group_id, version, file_name(touch.name, touch.format))
        return None if blob is None else ModelKey(blob, touch.format, touch.dialect)

    # -- history summaries --------------------------------------------------------------------

    def summarize(self, project_id: str, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """History entries (one page) with ``change_summary``: each commit against the project's
        version before it; null where either side does not pass today's validator."""
        group_id, history = self._history(project_id)
        pairs = []
        for item in items:
            index = history.position[item["version"]]
            earlier = history.project_indexes(project_id, upto=index)
            pairs.append((earlier[-2] if len(earlier) >= 2 else None, index))
        keys = self._keys_at(group_id, history, project_id, {i for pair in pairs for i in pair})
        return [
            {**item, "change_summary": self._summary(group_id, keys[old], keys[new])}
            for item, (old, new) in zip(items, pairs, strict=True)
        ]

    def _keys_at(
        self, group_id: str, history: GroupHistory, project_id: str, indexes: set[int | None]
    ) -> dict[int | None, ModelKey | None]:
        """:meth:`_key_at` for many positions, with one repository open for the blobs not cached."""
        keys: dict[int | None, ModelKey | None] = dict.fromkeys(indexes)
        wanted = []
        for index in indexes:
            touch = None if index is None else history.touch_of(index, project_id)
            if index is not None and touch is not None and touch.action != "delete":
                wanted.append((index, touch))
        paths = [(history.revisions[i].version, file_name(t.name, t.format)) for i, t in wanted]
        for (index, touch), blob in zip(wanted, self.snapshots.blobs_at(group_id, paths), strict=True):
            keys[index] = None if blob is None else ModelKey(blob, touch.format, touch.dialect)
        return keys

    def _summary(self, group_id: str, old: ModelKey | None, new: ModelKey | None) -> ChangeSummary | None:
        cached = self._summaries.get((old, new))
        if cached is not None:
            return cached
        sides = []
        for key in (old, new):
            model = self.guard.model(group_id, key) if key is not None else None
            if model is not None and model.entities is None:
                return None  # not cached: cheap to find again (the models are)
            sides.append(model.entities if model is not None and model.entities is not None else ())
        formats = (old.format if old else "", new.format if new else "")
        found = compare(sides[0], sides[1], case_insensitive=case_insensitive(*formats))
        summary: ChangeSummary = {
            "changes": len(found),
            "breaks": sorted({d for c in found for d in c.breaks}),
        }
        self._summaries.put((old, new), summary)
        return summary

    def _history(self, project_id: str) -> tuple[str, GroupHistory]:
        group_id = _group_id_of(project_id)
        history = self.snapshots.history(group_id)
        if project_id not in history.by_project:
            raise NotFound(f"no project with id {project_id!r}")
        return group_id, history


def _group_id_of(project_id: str) -> str:
    group_id = group_of_project(project_id)
    if group_id is None:
        raise NotFound(f"no project with id {project_id!r}")
    return group_id
