"""The rule table of docs/compatibility.md applied to fields, their types, items and nested objects.

A *writer* on one schema makes records that a *reader* on the other must accept. BACKWARD asks
whether readers on the new schema accept what old writers made; FORWARD the reverse.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from operator import itemgetter
from typing import Any

from registry.formats.compat_change import (
    BACKWARD,
    BOTH,
    FORWARD,
    SAFE,
    Change,
    Where,
    change,
    where_of,
)
from registry.formats.compat_presence import (
    field_added,
    field_removed,
    has_default,
    nullability,
    presence,
    show,
)
from registry.formats.compat_types import (
    as_decimal,
    counted_bounds,
    decimal_bounds,
    numeric_bounds,
    type_relation,
)

Model = Mapping[str, Any]


def _exact(name: Any) -> str:
    return name if isinstance(name, str) else str(name)


def _folded(name: Any) -> str:
    return (name if isinstance(name, str) else str(name)).casefold()


class Names:
    """How names compare: exactly, or case-insensitively (SQL)."""

    __slots__ = ("case_insensitive", "key")

    def __init__(self, case_insensitive: bool) -> None:
        self.case_insensitive = case_insensitive
        # A plain function rather than a method: it runs for every field of every version a
        # transitive check reads.
        self.key: Callable[[Any], str] = _folded if case_insensitive else _exact


def compare_fields(
    old: Sequence[Model],
    new: Sequence[Model],
    path: str,
    closed: tuple[bool, bool],
    names: Names,
    where: Where,
) -> list[Change]:
    """Fields matched by name; ``closed`` says whether the old and the new entity are closed."""
    found: list[Change] = []
    pairs = _pairs(old, new)
    if pairs is not None:
        for before, field in pairs:
            if before != field and not _same(before, field):
                field_path = f"{path}.{field.get('name')}"
                found.extend(compare_field(before, field, field_path, names, where_of(field, where)))
        return found
    key = names.key
    by_name: dict[str, Model] = {}
    for field in old:
        by_name.setdefault(key(field.get("name")), field)
    for field in new:
        earlier = by_name.pop(key(field.get("name")), None)
        if earlier is not None and (earlier == field or _same(earlier, field)):
            continue
        field_path = f"{path}.{field.get('name')}"
        if earlier is None:
            found.append(field_added(field, field_path, closed[0], path))
        else:
            found.extend(compare_field(earlier, field, field_path, names, where_of(field, where)))
    for field in by_name.values():
        found.append(field_removed(field, f"{path}.{field.get('name')}", closed[1], path))
    return found


def _same(old: Model, new: Model) -> bool:
    """Whether two fields say the same but for where they are written: the common case of a
    transitive check over a long history, so it is decided by one comparison made in C rather
    than by the rules. (Names that differ only in case go the long way and find no change.)"""
    return len(old) == len(new) and {**old, "line": 0, "column": 0} == {**new, "line": 0, "column": 0}


def _pairs(old: Sequence[Model], new: Sequence[Model]) -> list[tuple[Model, Model]] | None:
    """The fields paired in order when both lists name the same fields in the same order (the
    common case, decided without a lookup per field); else None."""
    if len(old) != len(new):
        return None
    try:
        if list(map(_name, old)) != list(map(_name, new)):
            return None
    except KeyError:
        return None
    return list(zip(old, new, strict=True))


_name = itemgetter("name")


def compare_field(old: Model, new: Model, path: str, names: Names, where: Where) -> list[Change]:
    """One field present in both schemas: nullability, presence, default, then its type."""
    found = nullability(old, new, path, where)
    found += presence(old, new, path, where)
    if old.get("default") != new.get("default") or has_default(old) != has_default(new):
        found.append(
            change(
                "default-changed",
                path,
                f"default of {path} changed from {show(old, 'default')} to {show(new, 'default')}: "
                "readers fill absent values differently, no data becomes invalid",
                SAFE,
                where,
                before=old.get("default"),
                after=new.get("default"),
            )
        )
    return found + compare_type(old, new, path, names, where)


def compare_type(old: Model, new: Model, path: str, names: Names, where: Where) -> list[Change]:
    """Two types (a field's, or an array's items): the type itself, then what it holds or bounds."""
    old_type, new_type = str(old.get("type")), str(new.get("type"))
    relation = type_relation(old_type, new_type)
    if relation == "changed":
        return [_type_change("type-changed", path, old_type, new_type, where)]
    found = []
    if relation != "same":
        found.append(_type_change(f"type-{relation}", path, old_type, new_type, where))
    elif old_type == "array":
        found += compare_type(_items(old), _items(new), f"{path}[]", names, where)
    elif old_type == "object":
        found += compare_object(old, new, path, names, where)
    elif old_type == "enum":
        found += _enum_values(old, new, path, where)
    elif old_type == "reference":
        found += _reference(old, new, path, names, where)
    if old_type == new_type == "decimal":
        found += decimal_bounds(old, new, path, where)
    elif {old_type, new_type} == {"integer", "decimal"}:
        # An integer is a decimal of scale 0 with as many digits as its width or bounds allow: a
        # DECIMAL(3, 0) cannot hold every INTEGER, whatever "integer -> decimal widens" says. Only
        # what the type's own widening (or narrowing) does not already say is reported.
        said_by_type = "bound-loosened" if relation == "widened" else "bound-narrowed"
        digits = decimal_bounds(as_decimal(old), as_decimal(new), path, where)
        found += [c for c in digits if c.kind != said_by_type]
    same = relation == "same"
    return (
        found + numeric_bounds(old, new, path, where) + counted_bounds(old, new, path, where, same_type=same)
    )


def _items(model: Model) -> Model:
    items = model.get("items")
    return items if isinstance(items, Mapping) else {"type": "json"}


_TYPE_WHY = {
    "type-widened": "readers on the old schema refuse values that data written after this change may hold",
    "type-narrowed": "data written before this change may hold values the new type refuses",
    "type-changed": "readers on each schema refuse the values of the other",
}
_TYPE_BREAKS = {"type-widened": FORWARD, "type-narrowed": BACKWARD, "type-changed": BOTH}


def _type_change(kind: str, path: str, old: str, new: str, where: Where) -> Change:
    verb = kind.split("-")[1]
    return change(
        kind,
        path,
        f"type of {path} {verb} from {old} to {new}: {_TYPE_WHY[kind]}",
        _TYPE_BREAKS[kind],
        where,
        before=old,
        after=new,
    )


def compare_object(old: Model, new: Model, path: str, names: Names, where: Where) -> list[Change]:
    """A nested object: whether it is closed, and its fields, by the same rules as an entity's."""
    closed = (old.get("closed") is True, new.get("closed") is True)
    found = closed_change(closed, path, where)
    old_fields, new_fields = old.get("fields") or [], new.get("fields") or []
    return found + compare_fields(old_fields, new_fields, path, closed, names, where)


def closed_change(closed: tuple[bool, bool], path: str, where: Where) -> list[Change]:
    if closed[0] == closed[1]:
        return []
    now = "closed" if closed[1] else "open"
    return [
        change(
            "closed-changed",
            path,
            f"{path} is now {now}: this alone breaks nothing, it decides whether added and removed fields do",
            SAFE,
            where,
            before=closed[0],
            after=closed[1],
        )
    ]


def _enum_values(old: Model, new: Model, path: str, where: Where) -> list[Change]:
    was = [v for v in old.get("values") or []]
    now = [v for v in new.get("values") or []]
    added = [v for v in now if v not in was]
    removed = [v for v in was if v not in now]
    found = []
    if added:
        found.append(
            change(
                "enum-values-added",
                path,
                f"enum {path} gained {_listed(added)}: readers on the old schema refuse them",
                FORWARD,
                where,
                before=was,
                after=now,
            )
        )
    if removed:
        found.append(
            change(
                "enum-values-removed",
                path,
                f"enum {path} lost {_listed(removed)}: data written before this change may hold them",
                BACKWARD,
                where,
                before=was,
                after=now,
            )
        )
    return found


def _listed(values: list[Any]) -> str:
    return ("value " if len(values) == 1 else "values ") + ", ".join(repr(v) for v in values)


def _reference(old: Model, new: Model, path: str, names: Names, where: Where) -> list[Change]:
    was, now = str(old.get("ref", "")), str(new.get("ref", ""))
    old_entity, _, old_field = was.partition(".")
    new_entity, _, new_field = now.partition(".")
    # `Address` and `Address.id` are the same target written two ways (yaml versus SQL).
    same_field = not old_field or not new_field or names.key(old_field) == names.key(new_field)
    if names.key(old_entity) == names.key(new_entity) and same_field:
        return []
    return [
        change(
            "reference-retargeted",
            path,
            f"{path} references {now} instead of {was}: its values name records of another entity",
            BOTH,
            where,
            before=was,
            after=now,
        )
    ]
