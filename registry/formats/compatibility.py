"""Whether data made from one schema is valid for readers on another: the compatibility engine.

Works on the entity model that every validator returns (``ValidationResult.entities``), so it
compares any two formats. Entities are matched by namespace and name, fields by name (both
case-insensitively with ``case_insensitive=True``, as SQL names are). Each :class:`Change` says
which directions it breaks; :func:`breaking` keeps those that a level forbids. The semantics and
the rule table are in docs/compatibility.md.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal, get_args

from registry.formats.compat_change import (
    BACKWARD,
    BOTH,
    FORWARD,
    SAFE,
    Change,
    Direction,
    Where,
    change,
    where_of,
)
from registry.formats.compat_fields import Names, closed_change, compare_fields

Level = Literal[
    "NONE", "BACKWARD", "FORWARD", "FULL", "BACKWARD_TRANSITIVE", "FORWARD_TRANSITIVE", "FULL_TRANSITIVE"
]
LEVELS: tuple[Level, ...] = get_args(Level)

_DIRECTIONS: dict[str, tuple[Direction, ...]] = {
    "NONE": (),
    "BACKWARD": ("BACKWARD",),
    "FORWARD": ("FORWARD",),
    "FULL": BOTH,
}


def directions(level: Level) -> tuple[Direction, ...]:
    """The directions a level checks: ``FULL`` (and ``FULL_TRANSITIVE``) both, ``NONE`` none."""
    base = level.removesuffix("_TRANSITIVE")
    if level not in LEVELS:
        raise ValueError(f"unknown compatibility level {level!r}; known: {', '.join(LEVELS)}")
    return _DIRECTIONS[base]


def is_transitive(level: Level) -> bool:
    """Whether a level checks against every earlier version rather than only the latest."""
    if level not in LEVELS:
        raise ValueError(f"unknown compatibility level {level!r}; known: {', '.join(LEVELS)}")
    return level.endswith("_TRANSITIVE")


def breaking(changes: Iterable[Change], level: Level) -> list[Change]:
    """The changes that break a direction ``level`` checks, in their order."""
    wanted = set(directions(level))
    return [c for c in changes if wanted.intersection(c.breaks)]


def compare(
    old: Sequence[Mapping[str, Any]], new: Sequence[Mapping[str, Any]], *, case_insensitive: bool = False
) -> list[Change]:
    """Every change from entity list ``old`` to ``new``: the new document's entities in order (added
    or compared), then the removed ones in the old document's order."""
    names = Names(case_insensitive)
    by_key: dict[tuple[str, str], Mapping[str, Any]] = {}
    for entity in _entities(old, "old"):
        by_key.setdefault(_key(entity, names), entity)
    found: list[Change] = []
    for entity in _entities(new, "new"):
        path = entity_path(entity)
        before = by_key.pop(_key(entity, names), None)
        if before is None:
            found.append(
                change(
                    "entity-added",
                    path,
                    f"entity {path} was added: readers on the old schema ignore its records",
                    SAFE,
                    where_of(entity),
                )
            )
        else:
            found.extend(_compare_entity(before, entity, path, names))
    for entity in by_key.values():
        path = entity_path(entity)
        found.append(
            change(
                "entity-removed",
                path,
                f"entity {path} was removed: readers on the new schema ignore its records, "
                "and writers on it make none",
                SAFE,
                where_of(entity),
            )
        )
    return found


def _entities(entities: Sequence[Mapping[str, Any]], which: str) -> list[Mapping[str, Any]]:
    if isinstance(entities, (str, bytes)) or not isinstance(entities, Sequence):
        raise TypeError(f"the {which} entities must be a list of entity objects")
    for index, entity in enumerate(entities):
        if not isinstance(entity, Mapping) or not isinstance(entity.get("name"), str):
            raise TypeError(f"{which} entity {index} is not an entity object with a 'name'")
        fields = entity.get("fields", [])
        if not isinstance(fields, Sequence) or isinstance(fields, (str, bytes)):
            raise TypeError(f"{which} entity {entity['name']!r} has 'fields' that are not a list")
        if not all((type(f) is dict or isinstance(f, Mapping)) and "name" in f for f in fields):
            raise TypeError(f"{which} entity {entity['name']!r} has a field that is not a field object")
    return list(entities)


def entity_path(entity: Mapping[str, Any]) -> str:
    """An entity's name as change paths start: ``namespace.name``, or ``name`` without one."""
    namespace = entity.get("namespace")
    return f"{namespace}.{entity['name']}" if namespace else str(entity["name"])


def _key(entity: Mapping[str, Any], names: Names) -> tuple[str, str]:
    namespace = entity.get("namespace")
    return names.key(namespace or ""), names.key(entity["name"])


def _compare_entity(old: Mapping[str, Any], new: Mapping[str, Any], path: str, names: Names) -> list[Change]:
    if old == new:  # one comparison in C: most entities of two versions are the same
        return []
    where = where_of(new)
    closed = (old.get("closed") is True, new.get("closed") is True)
    found = closed_change(closed, path, where)
    found += _primary_key(old, new, path, names, where)
    return found + compare_fields(
        old.get("fields") or [], new.get("fields") or [], path, closed, names, where
    )


def _primary_key(
    old: Mapping[str, Any], new: Mapping[str, Any], path: str, names: Names, where: Where
) -> list[Change]:
    was, now = _key_columns(old), _key_columns(new)
    if was == now or {names.key(n) for n in was} == {names.key(n) for n in now}:
        return []
    shown = [f"({', '.join(cols)})" if cols else "none" for cols in (was, now)]
    if was and now:
        message = (
            f"the primary key of {path} changed from {shown[0]} to {shown[1]}: consumers join on "
            "keys, so this is refused both ways"
        )
        return [change("primary-key-changed", path, message, BOTH, where, before=was, after=now)]
    # A key that appears or goes is a uniqueness constraint added or dropped (as `unique` is);
    # the NOT NULL it implies is seen on its fields.
    if now:
        message = (
            f"{path} gained the primary key {shown[1]}: data written before this change need not "
            "hold unique keys"
        )
        return [change("primary-key-added", path, message, BACKWARD, where, after=now)]
    message = (
        f"{path} lost its primary key {shown[0]}: readers on the old schema refuse the repeated "
        "keys that data written after this change may hold"
    )
    return [change("primary-key-removed", path, message, FORWARD, where, before=was)]


def _key_columns(entity: Mapping[str, Any]) -> list[str]:
    return [str(f.get("name")) for f in entity.get("fields") or [] if f.get("primary_key") is True]


__all__ = ["LEVELS", "Change", "Direction", "Level", "breaking", "compare", "directions", "is_transitive"]
