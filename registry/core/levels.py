"""Compatibility levels as the service reads and stores them (the rules are in the engine,
:mod:`registry.formats.compatibility`, which names the levels).

A level is stored in a group's ``.registry.json`` for the group and for each project that has
its own; a project without one follows its group, a group without one the server's default.
"""

from __future__ import annotations

from typing import Literal

from registry.core.errors import InvalidLevel
from registry.core.metadata import GroupMeta
from registry.formats.compatibility import LEVELS, Level

__all__ = ["LEVELS", "Level", "Source", "check_level", "effective_level"]

Source = Literal["project", "group", "default"]


def check_level(value: object) -> Level:
    """``value`` as a level (exactly as spelled in :data:`LEVELS`), or :class:`InvalidLevel`."""
    if not isinstance(value, str) or value not in LEVELS:
        raise InvalidLevel(f"compatibility must be one of {', '.join(LEVELS)}, not {value!r}")
    return value


def effective_level(meta: GroupMeta, project_id: str | None, default: Level) -> tuple[Level, Source]:
    """The level in force for a project (or, with None, for the group), and where it comes from.

    Levels in the file were checked when they were set; one that is not a level any more (a file
    written by a later version) counts as unset rather than failing every write.
    """
    project = meta.projects.get(project_id) if project_id is not None else None
    if project is not None and project.compatibility in LEVELS:
        return project.compatibility, "project"
    if meta.compatibility in LEVELS:
        return meta.compatibility, "group"
    return default, "default"
