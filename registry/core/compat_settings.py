"""Reading and setting compatibility levels: part of the registry's metadata, so each change is a
commit (action ``set-compatibility``) and every point of history knows the level then in force.

Setting a level touches no project: it carries no ``Project-*`` trailers, so no project's version
moves and no project history lists it. The server's default is never stored; a group without a
level of its own follows whatever the running server says.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace

from registry.core.catalog import Catalog
from registry.core.changes import Change, Unchanged, check_if_match, live_project
from registry.core.errors import NotFound
from registry.core.levels import Level, Source, effective_level
from registry.core.metadata import METADATA_FILE, GroupMeta
from registry.core.names import group_of_project
from registry.core.snapshots import GroupSnapshot
from registry.core.timeline import Timeline

ACTION = "set-compatibility"
LEVEL_TRAILER = "Compatibility-Level"
PROJECT_TRAILER = "Compatibility-Project"
DROPPED = "inherit"  # the trailer's value when a project's own level is dropped


@dataclass(frozen=True)
class Setting:
    """The level in force, where it comes from, and the group version it was read at."""

    compatibility: Level
    source: Source
    version: str

    def to_json(self) -> dict[str, str]:
        return {"compatibility": self.compatibility, "source": self.source}


class CompatibilitySettings:
    def __init__(self, catalog: Catalog, timeline: Timeline) -> None:
        self.catalog = catalog
        self.timeline = timeline

    @property
    def default(self) -> Level:
        return self.catalog.default_compatibility

    # -- reading -----------------------------------------------------------------------------

    def group_setting(self, group_id: str, at: str | None = None) -> Setting:
        """The group's level now, or as of ``at`` (any way of naming a point in history)."""
        version, meta = self._meta_at(group_id, at)
        return Setting(*effective_level(meta, None, self.default), version)

    def project_setting(self, project_id: str, at: str | None = None) -> Setting:
        """The level in force for a project now, or as of ``at``."""
        group_id = _group_id_of(project_id)
        version, meta = self._meta_at(group_id, at)
        if project_id not in meta.projects and not self._existed(group_id, project_id, version):
            when = "now" if at is None else f"at {at!r}"
            raise NotFound(f"no project with id {project_id!r} {when}")
        return Setting(*effective_level(meta, project_id, self.default), version)

    def _meta_at(self, group_id: str, at: str | None) -> tuple[str, GroupMeta]:
        if at is None:
            view = self.catalog.snapshots.get(group_id)
            return view.version, view.meta
        history, index = self.timeline.position(group_id, at)
        version = history.revisions[index].version
        snapshots = self.catalog.snapshots
        blob = snapshots.blob_at(group_id, version, METADATA_FILE)
        if blob is None:  # every registry commit has one; a pushed commit keeps the one before it
            raise NotFound(f"no registry metadata at {version}")
        return version, GroupMeta.loads(snapshots.text(group_id, blob).encode())

    def _existed(self, group_id: str, project_id: str, version: str) -> bool:
        """Whether history says the project existed at ``version`` (a commit inside a push still
        holds the metadata file from before the push, which cannot list projects it created)."""
        history = self.catalog.snapshots.history(group_id)
        indexes = history.project_indexes(project_id, upto=history.position[version])
        return bool(indexes) and history.touch_of(indexes[-1], project_id).action != "delete"

    # -- setting -----------------------------------------------------------------------------

    def set_group_level(
        self,
        group_id: str,
        level: Level | None,
        *,
        author: str,
        message: str | None = None,
        if_match: Collection[str] | None = None,
    ) -> Setting:
        """Set (or, with None, drop) the group's own level: one commit, unless it is that already."""

        def build(view: GroupSnapshot, now: int) -> Change:
            check_if_match(if_match, view.version)
            if view.meta.compatibility == level:
                raise Unchanged
            said = level or f"the server's default ({self.default})"
            return Change(
                meta=replace(view.meta, compatibility=level),
                summary=f"Set compatibility of project group {view.meta.name} to {said}",
                action=ACTION,
                trailers=((LEVEL_TRAILER, level or DROPPED),),
            )

        view, _ = self.catalog.writer.write(group_id, build, author=author, message=message)
        return Setting(*effective_level(view.meta, None, self.default), view.version)

    def set_project_level(
        self, project_id: str, level: Level | None, *, author: str, message: str | None = None
    ) -> Setting:
        """Set (or, with None, drop) a project's own level; its version and ``updated_at`` stay."""

        def build(view: GroupSnapshot, now: int) -> Change:
            project = live_project(view, project_id)
            if project.compatibility == level:
                raise Unchanged
            said = level or "its group's level"
            return Change(
                meta=view.meta.with_project(replace(project, compatibility=level)),
                summary=f"Set compatibility of {project.name} to {said}",
                action=ACTION,
                trailers=((LEVEL_TRAILER, level or DROPPED), (PROJECT_TRAILER, project_id)),
            )

        view, _ = self.catalog.writer.write(_group_id_of(project_id), build, author=author, message=message)
        return Setting(*effective_level(view.meta, project_id, self.default), view.version)


def _group_id_of(project_id: str) -> str:
    group_id = group_of_project(project_id)
    if group_id is None:
        raise NotFound(f"no project with id {project_id!r}")
    return group_id
