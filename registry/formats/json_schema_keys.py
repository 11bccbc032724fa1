"""The optional keys of the entity model that a JSON Schema property says (docs/formats/json_schema.md).

Each keyword is read only for the types it applies to, as JSON Schema does (``maxLength`` on an
integer constrains nothing), and only with a value of the right kind: the document is valid
against its meta-schema by then, but ``minimum`` could still be a huge integer or a float.
"""

from __future__ import annotations

from typing import Any

from registry.formats.base import said

# `format` values that are types of the model already (see STRING_FORMATS); the others are hints.
TYPED_FORMATS = frozenset({"date", "date-time", "time", "uuid"})
NUMERIC = frozenset({"integer", "number", "decimal"})
STRINGS = frozenset({"string", "date", "time", "timestamp", "uuid", "binary", "enum"})


def _number(value: Any) -> int | float | None:
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def is_closed(schema: Any) -> bool:
    """Whether records may carry no member the schema does not declare."""
    if not isinstance(schema, dict):
        return False
    return schema.get("additionalProperties") is False or schema.get("unevaluatedProperties") is False


def is_nullable(schema: dict[str, Any]) -> bool:
    """Whether ``null`` is a valid value: the type says so, an ``enum``/``const`` holds it, or a
    branch of ``anyOf``/``oneOf`` is the null type, or nothing restricts the value (``{}``)."""
    kind = schema.get("type")
    if kind == "null" or (isinstance(kind, list) and "null" in kind):
        return True
    enum = schema.get("enum")
    if isinstance(enum, list) and None in enum:
        return kind is None  # a `type` without "null" (handled above) refuses it whatever `enum` says
    for keyword in ("anyOf", "oneOf"):
        branches = schema.get(keyword)
        if isinstance(branches, list) and any(
            isinstance(b, dict) and (b.get("type") == "null" or b.get("const", 0) is None) for b in branches
        ):
            return True
    if "const" in schema:
        return schema["const"] is None
    # `{}` (or only annotations and bounds of other types) accepts every value, null included.
    return not _RESTRICTING.intersection(schema)


# Keywords after which a schema may refuse null; without any of them it accepts it.
_RESTRICTING = frozenset(
    {"type", "enum", "const", "$ref", "$dynamicRef", "anyOf", "oneOf", "allOf", "not", "if",
     "properties", "items", "prefixItems", "required"}
)  # fmt: skip


def constraints(schema: dict[str, Any], type_: str) -> dict[str, Any]:
    """The bounds and hints of one property schema whose model type is ``type_``."""
    found: dict[str, Any] = {}
    if type_ in NUMERIC:
        found.update(_numeric(schema))
    if type_ in STRINGS:
        pattern = schema.get("pattern")
        found.update(
            said(
                min_length=_count(schema.get("minLength")),
                max_length=_count(schema.get("maxLength")),
                pattern=pattern if isinstance(pattern, str) else None,
            )
        )
    fmt = schema.get("format")
    if isinstance(fmt, str) and fmt not in TYPED_FORMATS:
        found["hint"] = fmt
    if type_ == "array":
        found.update(
            said(
                min_items=_count(schema.get("minItems")),
                max_items=_count(schema.get("maxItems")),
                unique_items=True if schema.get("uniqueItems") is True else None,
            )
        )
    return found


def _numeric(schema: dict[str, Any]) -> dict[str, Any]:
    minimum, maximum = _number(schema.get("minimum")), _number(schema.get("maximum"))
    low, high = schema.get("exclusiveMinimum"), schema.get("exclusiveMaximum")
    # Draft 4: `exclusiveMinimum: true` makes `minimum` exclusive; later drafts give the number.
    if low is True and minimum is not None:
        minimum, low = None, minimum
    if high is True and maximum is not None:
        maximum, high = None, maximum
    return said(
        minimum=minimum,
        maximum=maximum,
        exclusive_minimum=_number(low),
        exclusive_maximum=_number(high),
    )
