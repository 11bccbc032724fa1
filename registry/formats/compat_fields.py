"""The rule table of docs/compatibility.md applied to fields, their types, items and nested objects.

A *writer* on one schema makes records that a *reader* on the other must accept. BACKWARD asks
whether readers on the new schema accept what old writers made; FORWARD the reverse.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

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
from registry.formats.compat_types import counted_bounds, decimal_bounds, numeric_bounds, type_relation

Model = Mapping[str, Any]


@dataclass(frozen=True)
class Names:
    """How names compare: exactly, or case-insensitively (SQL)."""

    case_insensitive: bool

    def key(self, name: Any) -> str:
        text = str(name)
        return text.casefold() if self.case_insensitive else text


def may_be_absent(model: Model) -> bool:
    """Whether a writer may leave the field out: JSON Schema says so with ``required``; elsewhere a
    nullable field may be left out (it reads as null) and any other may not."""
    if isinstance(model.get("required"), bool):
        return not model["required"]
    return bool(model.get("nullable", False))


def has_default(model: Model) -> bool:
    return "default" in model


def field_added(field: Model, path: str, old_closed: bool, entity: str) -> Change:
    name = str(field.get("name"))
    reason = []
    breaks: list[Direction] = []
    if has_default(field):
        how = "with a default"
    elif may_be_absent(field):
        how = "as optional" if "required" in field else "as nullable"
    else:
        how = "as required and has no default"
        breaks.append("BACKWARD")
        reason.append(f"data written before this change has no {name}")
    if old_closed:
        breaks.append("FORWARD")
        reason.append(f"{entity} is closed in the old schema, so its readers refuse records with {name}")
    if not reason:
        reason.append("readers on the new schema accept data without it")
    return change(
        "field-added",
        path,
        f"field {path} was added {how}: " + "; ".join(reason),
        tuple(breaks),
        where_of(field),
        after=_field_json(field),
    )


def field_removed(field: Model, path: str, new_closed: bool, entity: str) -> Change:
    name = str(field.get("name"))
    reason = []
    breaks: list[Direction] = []
    if new_closed:
        breaks.append("BACKWARD")
        reason.append(
            f"{entity} is closed in the new schema, so its readers refuse data written before this "
            f"change, which has {name}"
        )
    if not may_be_absent(field) and not has_default(field):
        breaks.append("FORWARD")
        reason.append(f"readers on the old schema require {name}, which data written after this change lacks")
    if not reason:
        reason.append(f"readers on the old schema accept records without {name}")
    return change(
        "field-removed",
        path,
        f"field {path} was removed: " + "; ".join(reason),
        tuple(breaks),
        where_of(field),
        before=_field_json(field),
    )


def _field_json(field: Model) -> dict[str, Any]:
    # Before/after of an added or removed field: what it was, without where it was written.
    return {k: v for k, v in field.items() if k not in ("line", "column")}


def compare_fields(
    old: Sequence[Model],
    new: Sequence[Model],
    path: str,
    closed: tuple[bool, bool],
    names: Names,
    where: Where,
) -> list[Change]:
    """Fields matched by name; ``closed`` says whether the old and the new entity are closed."""
    by_name: dict[str, Model] = {}
    for field in old:
        by_name.setdefault(names.key(field.get("name")), field)
    found: list[Change] = []
    for field in new:
        field_path = f"{path}.{field.get('name')}"
        before = by_name.pop(names.key(field.get("name")), None)
        if before is None:
            found.append(field_added(field, field_path, closed[0], path))
        else:
            found.extend(compare_field(before, field, field_path, names, where_of(field, where)))
    for field in by_name.values():
        found.append(field_removed(field, f"{path}.{field.get('name')}", closed[1], path))
    return found


def compare_field(old: Model, new: Model, path: str, names: Names, where: Where) -> list[Change]:
    """One field present in both schemas: nullability, presence, default, then its type."""
    found = _nullability(old, new, path, where)
    found += _presence(old, new, path, where)
    if old.get("default") != new.get("default") or has_default(old) != has_default(new):
        found.append(
            change(
                "default-changed",
                path,
                f"default of {path} changed from {_show(old, 'default')} to {_show(new, 'default')}: "
                "readers fill absent values differently, no data becomes invalid",
                SAFE,
                where,
                before=old.get("default"),
                after=new.get("default"),
            )
        )
    return found + compare_type(old, new, path, names, where)


def _show(model: Model, key: str) -> str:
    return repr(model[key]) if key in model else "none"


def _nullability(old: Model, new: Model, path: str, where: Where) -> list[Change]:
    if "nullable" not in old or "nullable" not in new or bool(old["nullable"]) == bool(new["nullable"]):
        return []
    if old["nullable"]:
        return [
            change(
                "nullable-narrowed",
                path,
                f"field {path} is no longer nullable: data written before this change may hold null there",
                BACKWARD,
                where,
                before=True,
                after=False,
            )
        ]
    return [
        change(
            "nullable-widened",
            path,
            f"field {path} became nullable: readers on the old schema refuse the nulls that data "
            "written after this change may hold",
            FORWARD,
            where,
            before=False,
            after=True,
        )
    ]


def _presence(old: Model, new: Model, path: str, where: Where) -> list[Change]:
    # Only where a format tells absence from null (``required``); elsewhere nullability says it all.
    if not ("required" in old or "required" in new):
        return []
    was, now = may_be_absent(old), may_be_absent(new)
    if was == now:
        return []
    if was:
        why = (
            "readers on the new schema fill its default where data written before this change lacks it"
            if has_default(new)
            else "data written before this change may lack it"
        )
        message = f"field {path} became required: {why}"
        breaks = SAFE if has_default(new) else BACKWARD
        return [change("made-required", path, message, breaks, where, before=False, after=True)]
    why = (
        "readers on the old schema fill their default where data written after this change lacks it"
        if has_default(old)
        else "readers on the old schema refuse the records without it that writers on the new one may make"
    )
    message = f"field {path} became optional: {why}"
    breaks = SAFE if has_default(old) else FORWARD
    return [change("made-optional", path, message, breaks, where, before=True, after=False)]


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
