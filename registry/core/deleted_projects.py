"""Deleted projects, and projects named by a name they had: read from a group's history alone.

A deleted project has no entry in ``.registry.json`` any more, only its commits; these lookups
let a client restore it by the name it knew, or list what can be restored, without digging an
id out of the group history.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from registry.core.errors import NotFound
from registry.core.history import GroupHistory
from registry.core.metadata import timestamp_text
from registry.core.names import fold
from registry.core.snapshots import GroupSnapshot


@dataclass(frozen=True)
class DeletedProject:
    """A project whose last change (up to some position of its group's history) deleted it."""

    id: str
    name: str  # what it was called when it was deleted
    format: str
    dialect: str | None
    created_at: str
    deleted_at: str
    deleted_in: str  # the version that deleted it
    last_version: str | None  # its last state before that, what a restore takes (None: unknown)

    def to_json(self) -> dict[str, str | None]:
        return {
            "id": self.id,
            "name": self.name,
            "format": self.format,
            "dialect": self.dialect,
            "created_at": self.created_at,
            "deleted_at": self.deleted_at,
            "deleted_in": self.deleted_in,
            "last_version": self.last_version,
        }


def deleted_projects(history: GroupHistory, upto: int | None = None) -> list[DeletedProject]:
    """The projects deleted as of position ``upto`` (default: now), most recently deleted first."""
    found = []
    for pid in history.by_project:
        indexes = history.project_indexes(pid, upto=upto)
        if not indexes:
            continue
        touch = history.touch_of(indexes[-1], pid)
        if touch.action != "delete":
            continue
        deleted = history.revisions[indexes[-1]]
        found.append(
            DeletedProject(
                id=pid,
                name=touch.name,
                format=touch.format,
                dialect=touch.dialect,
                created_at=timestamp_text(history.revisions[indexes[0]].timestamp),
                deleted_at=timestamp_text(deleted.timestamp),
                deleted_in=deleted.version,
                last_version=history.revisions[indexes[-2]].version if len(indexes) > 1 else None,
            )
        )
    found.sort(key=lambda d: history.position[d.deleted_in], reverse=True)
    return found


def project_id_named(view: GroupSnapshot, history: Callable[[], GroupHistory], name: str) -> str:
    """The id of the project called ``name`` (ignoring case): the live one, else the one most
    recently deleted under that name; NotFound if neither. ``history`` is only read for the
    second (blocking: call it in a thread)."""
    live = view.meta.project_named(name)
    if live is not None:
        return live.id
    folded = fold(name)
    for deleted in deleted_projects(history()):
        if fold(deleted.name) == folded:
            return deleted.id
    raise NotFound(f"no project named {name!r} in group {view.meta.name!r}, live or deleted")
