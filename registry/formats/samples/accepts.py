"""Whether a reader on an entity model accepts a record (docs/compatibility.md, "Semantics").

A record is valid for a reader when every non-nullable field of its entity is present (or
defaulted) and not null, every present declared field holds a value of its type and within its
constraints, and, for a closed entity, it holds no undeclared field. References are checked for
their value's type only: whether the target record exists is a question about a data set, not
about one record.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

import regress

Model = Mapping[str, Any]

_FORMS = {
    "date": re.compile(r"\d{4}-\d{2}-\d{2}"),
    "time": re.compile(r"\d{2}:\d{2}:\d{2}(\.\d+)?"),
    "timestamp": re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})"),
    "uuid": re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"),
}


def accepts(entity: Model, record: Any, *, closed: bool | None = None) -> bool:
    """Whether a reader on ``entity`` accepts ``record``; ``closed`` overrides the entity's own
    (a writer never emits an undeclared field: check a writer's record with ``closed=True``)."""
    return _object_accepts(
        entity.get("fields") or (), entity.get("closed") is True if closed is None else closed, record
    )


def _object_accepts(fields: Any, closed: bool, record: Any) -> bool:
    if not isinstance(record, Mapping):
        return False
    declared = {f["name"]: f for f in fields}
    if closed and any(name not in declared for name in record):
        return False
    for name, field in declared.items():
        if name not in record:
            if not _may_be_absent(field):
                return False
        elif record[name] is None:
            if not field.get("nullable"):
                return False
        elif not value_accepted(field, record[name]):
            return False
    return True


def _may_be_absent(field: Model) -> bool:
    if field.get("default") is not None:
        return True  # the reader fills it
    if "required" in field:  # the format tells absent from null (JSON Schema)
        return field["required"] is False
    return bool(field.get("nullable"))  # elsewhere an absent field reads as null


def value_accepted(field: Model, value: Any) -> bool:
    """Whether ``value`` (not null) has the field's type and meets its constraints."""
    kind = field.get("type")
    check = _CHECKS.get(str(kind))
    return True if check is None else check(field, value)


def _string(field: Model, value: Any) -> bool:
    if not isinstance(value, str):
        return False
    if not field.get("min_length", 0) <= len(value) <= field.get("max_length", math.inf):
        return False
    pattern = field.get("pattern")
    return pattern is None or regress.Regex(str(pattern)).find(value) is not None


def _number(field: Model, value: Any) -> bool:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    if field.get("type") == "integer":
        if not float(value).is_integer():
            return False
        bits = field.get("bits")
        if bits and not -(2 ** (int(bits) - 1)) <= value < 2 ** (int(bits) - 1):
            return False
    if field.get("type") == "decimal" and not _digits_fit(field, value):
        return False
    return bool(
        value >= field.get("minimum", -math.inf)
        and value <= field.get("maximum", math.inf)
        and value > field.get("exclusive_minimum", -math.inf)
        and value < field.get("exclusive_maximum", math.inf)
    )


def _digits_fit(field: Model, value: float) -> bool:
    if field.get("precision") is None and field.get("scale") is None:
        return True  # DECIMAL without a precision: any number
    precision, scale = field.get("precision"), field.get("scale") or 0
    text = f"{abs(value):.{max(int(scale), 0) + 6}f}".rstrip("0").rstrip(".")
    whole, _, fraction = text.partition(".")
    if len(fraction) > int(scale):
        return False
    return precision is None or len(whole.lstrip("0")) <= int(precision) - int(scale)


def _formed(field: Model, value: Any) -> bool:
    return isinstance(value, str) and _FORMS[str(field["type"])].fullmatch(value) is not None


def _array(field: Model, value: Any) -> bool:
    if not isinstance(value, list):
        return False
    if not field.get("min_items", 0) <= len(value) <= field.get("max_items", math.inf):
        return False
    if field.get("unique_items") and len({repr(v) for v in value}) != len(value):
        return False
    items = field.get("items")
    return not isinstance(items, Mapping) or all(v is not None and value_accepted(items, v) for v in value)


def _object(field: Model, value: Any) -> bool:
    return _object_accepts(field.get("fields") or (), field.get("closed") is True, value)


_CHECKS = {
    "string": _string,
    "integer": _number,
    "number": _number,
    "decimal": _number,
    "boolean": lambda field, value: isinstance(value, bool),
    "date": _formed,
    "time": _formed,
    "timestamp": _formed,
    "uuid": _formed,
    "binary": lambda field, value: isinstance(value, str),
    "enum": lambda field, value: value in (field.get("values") or ()),
    "array": _array,
    "object": _object,
}
