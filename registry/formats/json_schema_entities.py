"""Entities of a JSON Schema: the root object schema and each object schema in ``$defs``.

See docs/formats/json_schema.md for the mapping from JSON Schema types to entity field types.
"""

from __future__ import annotations

from typing import Any

from registry.formats.base import entity_model, field_model
from registry.formats.limits import Limits

STRING_FORMATS = {
    "date": "date",
    "date-time": "timestamp",
    "time": "time",
    "uuid": "uuid",
}


def schema_entities(doc: dict[str, Any], limits: Limits) -> list[dict[str, Any]]:
    entities: list[dict[str, Any]] = []
    if _is_object(doc):
        title = doc.get("title")
        name = title if isinstance(title, str) and title.strip() else "root"
        entities.append(entity_model(name, _fields(doc, limits.max_depth)))
    for keyword in ("$defs", "definitions"):
        defs = doc.get(keyword)
        if not isinstance(defs, dict):
            continue
        for name, sub in defs.items():
            if isinstance(sub, dict) and _is_object(sub):
                entities.append(entity_model(name, _fields(sub, limits.max_depth)))
    return entities


def _is_object(schema: dict[str, Any]) -> bool:
    kind = schema.get("type")
    return (
        kind == "object"
        or (isinstance(kind, list) and "object" in kind)
        or isinstance(schema.get("properties"), dict)
    )


def _fields(schema: dict[str, Any], depth: int) -> list[dict[str, Any]]:
    properties = schema.get("properties")
    if not isinstance(properties, dict) or depth <= 0:
        return []
    required = schema.get("required")
    required_names = set(required) if isinstance(required, list) else set()
    fields = []
    for name, sub in properties.items():
        model = _type(sub, depth - 1)
        type_ = model.pop("type")
        nullable = name not in required_names or model.pop("null", False)
        model.pop("null", None)
        fields.append(field_model(name, type_, nullable=bool(nullable), **model))
    return fields


def _type(schema: Any, depth: int) -> dict[str, Any]:
    """The field type of a property schema; ``json`` for anything not simply typed."""
    if not isinstance(schema, dict):
        return {"type": "json", "source_type": None}
    ref = schema.get("$ref")
    if isinstance(ref, str):
        for prefix in ("#/$defs/", "#/definitions/"):
            if ref.startswith(prefix) and "/" not in ref[len(prefix) :]:
                return {"type": "reference", "ref": ref[len(prefix) :], "source_type": ref}
        return {"type": "json", "source_type": ref}
    if isinstance(schema.get("enum"), list) and all(isinstance(v, str) for v in schema["enum"]):
        return {"type": "enum", "values": list(schema["enum"]), "source_type": "enum"}
    kind = schema.get("type")
    null = False
    if isinstance(kind, list):
        null = "null" in kind
        kinds = [k for k in kind if k != "null"]
        kind = kinds[0] if len(kinds) == 1 else None
    model = _typed(schema, kind, depth)
    if null:
        model["null"] = True
    return model


def _typed(schema: dict[str, Any], kind: Any, depth: int) -> dict[str, Any]:
    source = kind if isinstance(kind, str) else None
    if kind == "string":
        fmt = schema.get("format")
        if schema.get("contentEncoding") == "base64":
            return {"type": "binary", "source_type": source}
        return {
            "type": STRING_FORMATS.get(fmt, "string") if isinstance(fmt, str) else "string",
            "source_type": source,
        }
    if kind in ("integer", "number", "boolean"):
        return {"type": kind, "source_type": source}
    if kind == "array" or (kind is None and "items" in schema):
        items = schema.get("items")
        item_model = (
            _type(items, depth - 1)
            if depth > 0 and isinstance(items, dict)
            else {"type": "json", "source_type": None}
        )
        item_model.pop("null", None)
        return {"type": "array", "items": item_model, "source_type": source}
    if kind == "object" or (kind is None and isinstance(schema.get("properties"), dict)):
        return {"type": "object", "fields": _fields(schema, depth - 1), "source_type": source}
    return {"type": "json", "source_type": source}
