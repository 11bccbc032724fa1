"""Entities of a JSON Schema: the root object schema and each object schema in ``$defs``.

See docs/formats/json_schema.md for the mapping from JSON Schema types to entity field types.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from registry.formats.base import entity_model, field_model, said
from registry.formats.json_positions import PathKey, Positions
from registry.formats.json_schema_keys import constraints, is_closed, is_nullable
from registry.formats.limits import Limits

STRING_FORMATS = {
    "date": "date",
    "date-time": "timestamp",
    "time": "time",
    "uuid": "uuid",
}


def schema_entities(
    doc: dict[str, Any], limits: Limits, positions: Positions | None = None
) -> list[dict[str, Any]]:
    """The entities of a valid document; with ``positions``, each entity and field is located."""
    model = _Model(doc, positions)
    entities: list[dict[str, Any]] = []
    if model.root_name is not None:
        fields = model.fields(doc, limits.max_depth, ())
        entities.append(
            entity_model(model.root_name, fields, closed=is_closed(doc), **model.where((), False))
        )
    for keyword, defs in model.defs.items():
        for name, sub in defs.items():
            if isinstance(sub, dict) and _is_object(sub):
                path = (keyword, name)
                fields = model.fields(sub, limits.max_depth, path)
                entities.append(entity_model(name, fields, closed=is_closed(sub), **model.where(path, True)))
    return entities


def _is_object(schema: dict[str, Any]) -> bool:
    kind = schema.get("type")
    return (
        kind == "object"
        or (isinstance(kind, list) and "object" in kind)
        or isinstance(schema.get("properties"), dict)
    )


def _pointer_name(segment: str) -> str:
    """A JSON pointer segment in a URI fragment, as the name it stands for (``a~1b`` is ``a/b``)."""
    return unquote(segment).replace("~1", "/").replace("~0", "~")


class _Model:
    """Field types of one document; its ``$defs``/``definitions`` resolve local ``$ref``s."""

    def __init__(self, doc: dict[str, Any], positions: Positions | None) -> None:
        self.defs = {k: doc[k] for k in ("$defs", "definitions") if isinstance(doc.get(k), dict)}
        self.positions = positions
        title = doc.get("title")
        # The root object schema's entity (``$ref: "#"`` refers to it: trees, linked lists).
        self.root_name = (
            (title if isinstance(title, str) and title.strip() else "root") if _is_object(doc) else None
        )

    def where(self, path: PathKey, key: bool) -> dict[str, Any]:
        """``line``/``column`` of the member (``key``) or value at ``path``, when positions are known."""
        if self.positions is None:
            return {}
        line, column = self.positions.locate(path, key=key)
        return said(line=line, column=column)

    def fields(self, schema: dict[str, Any], depth: int, path: PathKey) -> list[dict[str, Any]]:
        properties = schema.get("properties")
        if not isinstance(properties, dict) or depth <= 0:
            return []
        required = schema.get("required")
        required_names = set(required) if isinstance(required, list) else set()
        fields = []
        for name, sub in properties.items():
            sub_path = (*path, "properties", name)
            model = self.type(sub, depth - 1, sub_path)
            type_ = model.pop("type")
            # "May be absent" (not in `required`) and "may be null" (the type allows null) are
            # two things in JSON Schema, and the model keeps them apart.
            nullable = bool(model.pop("null", False))
            if isinstance(sub, dict) and "default" in sub:
                model["default"] = sub["default"]
            model.update(required=name in required_names, **self.where(sub_path, True))
            fields.append(field_model(name, type_, nullable=nullable, **model))
        return fields

    def type(self, schema: Any, depth: int, path: PathKey) -> dict[str, Any]:
        """The field type of a property schema; ``json`` for anything not simply typed."""
        if not isinstance(schema, dict):
            return {"type": "json", "source_type": None, "null": schema is True}
        ref = schema.get("$ref")
        if isinstance(ref, str):
            return self._referenced(ref, depth)
        null = is_nullable(schema)
        if isinstance(schema.get("enum"), list) and all(isinstance(v, str) for v in schema["enum"]):
            model: dict[str, Any] = {"type": "enum", "values": list(schema["enum"]), "source_type": "enum"}
        else:
            kind = schema.get("type")
            if isinstance(kind, list):
                kinds = [k for k in kind if k != "null"]
                kind = kinds[0] if len(kinds) == 1 else None
            model = self._typed(schema, kind, depth, path)
            model.update(constraints(schema, model["type"]))
        if null:
            model["null"] = True
        return model

    def _referenced(self, ref: str, depth: int) -> dict[str, Any]:
        """An object definition is an entity to refer to; any other definition is its type."""
        if ref == "#" and self.root_name is not None:
            return {"type": "reference", "ref": self.root_name, "source_type": ref}
        for keyword in ("$defs", "definitions"):
            prefix = f"#/{keyword}/"
            if ref.startswith(prefix) and "/" not in ref[len(prefix) :]:
                name = _pointer_name(ref[len(prefix) :])
                target = self.defs.get(keyword, {}).get(name)
                if isinstance(target, dict) and _is_object(target):
                    return {"type": "reference", "ref": name, "source_type": ref}
                if isinstance(target, dict) and depth > 0:
                    return {**self.type(target, depth - 1, (keyword, name)), "source_type": ref}
        return {"type": "json", "source_type": ref}

    def _typed(self, schema: dict[str, Any], kind: Any, depth: int, path: PathKey) -> dict[str, Any]:
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
                self.type(items, depth - 1, (*path, "items"))
                if depth > 0 and isinstance(items, dict)
                else {"type": "json", "source_type": None}
            )
            item_model.pop("null", None)
            return {"type": "array", "items": item_model, "source_type": source}
        if kind == "object" or (kind is None and isinstance(schema.get("properties"), dict)):
            fields = self.fields(schema, depth - 1, path)
            return {
                "type": "object",
                "fields": fields,
                "source_type": source,
                **said(closed=is_closed(schema)),
            }
        return {"type": "json", "source_type": source}
