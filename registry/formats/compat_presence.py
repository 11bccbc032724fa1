"""The rows of the rule table about presence: fields added or removed, nullability, ``required``.

A field *may be absent* from a record when its format says so (JSON Schema: not in
``required``) or, where the format does not tell absence from null, when it is nullable; a
reader fills an absent field's default. See docs/compatibility.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from registry.formats.compat_change import BACKWARD, FORWARD, SAFE, Change, Direction, Where, change, where_of

Model = Mapping[str, Any]


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


def show(model: Model, key: str) -> str:
    return repr(model[key]) if key in model else "none"


def nullability(old: Model, new: Model, path: str, where: Where) -> list[Change]:
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


def presence(old: Model, new: Model, path: str, where: Where) -> list[Change]:
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
