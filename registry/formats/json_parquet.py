"""A Parquet schema written in JSON (see docs/formats/json_parquet.md and its JSON Schema).

The structure is checked here field by field so that every problem is located; the rules of the
Parquet LogicalTypes specification live in :mod:`registry.formats.json_parquet_types`.
"""

from __future__ import annotations

from typing import Any

from registry.formats.base import Problems, ValidationResult, entity_model, field_model, said
from registry.formats.json_parquet_types import (
    PHYSICAL_TYPES,
    REPETITIONS,
    annotation_problem,
    entity_type,
    logical_shape,
)
from registry.formats.json_positions import JsonProblem, PathKey, Positions, parse, pointer
from registry.formats.limits import DEFAULT_LIMITS, Limits

ROOT_KEYS = frozenset({"name", "fields"})
FIELD_KEYS = frozenset({"name", "type", "fields", "repetition", "logical_type", "length", "field_id"})
MAX_FIELD_ID = 2**31 - 1


def validate(text: str, *, dialect: str | None = None, limits: Limits = DEFAULT_LIMITS) -> ValidationResult:
    """Validate a JSON Parquet schema and extract its one entity."""
    problems = Problems(limits)
    try:
        parsed = parse(text, limits)
    except JsonProblem as exc:
        for problem in exc.problems:
            problems.error(problem.message, problem.line, problem.column, problem.path)
        return problems.result()
    checker = _Checker(parsed.positions, problems)
    doc = parsed.value
    if not isinstance(doc, dict):
        checker.error((), "a Parquet schema is an object with a 'fields' list")
        return problems.result()
    checker.unknown_keys(doc, (), ROOT_KEYS)
    name = doc.get("name", "schema")
    if not isinstance(name, str) or not name:
        checker.error(("name",), "'name' must be a non-empty string")
    fields = checker.children(doc, ())
    if problems.errors:
        return problems.result()
    line, column = parsed.positions.locate(())
    return problems.result([entity_model(str(name), fields, line=line, column=column)])


class _Checker:
    def __init__(self, positions: Positions, problems: Problems) -> None:
        self.positions = positions
        self.problems = problems

    def error(self, path: PathKey, message: str, *, key: bool = False) -> None:
        self.problems.error(message, *self.positions.locate(path, key=key), pointer(path))

    def warn(self, path: PathKey, message: str) -> None:
        self.problems.warn(message, *self.positions.locate(path), pointer(path))

    def unknown_keys(self, obj: dict[str, Any], path: PathKey, allowed: frozenset[str]) -> None:
        for key in obj:
            if key not in allowed:
                self.error(
                    (*path, key), f"unknown key {key!r}; allowed: {', '.join(sorted(allowed))}", key=True
                )

    def children(self, group: dict[str, Any], path: PathKey) -> list[dict[str, Any]]:
        """Check the 'fields' of a group (or the root): a non-empty list of uniquely named fields."""
        fields = group.get("fields")
        if not isinstance(fields, list) or not fields:
            self.error((*path, "fields") if "fields" in group else path, "'fields' must be a non-empty list")
            return []
        seen: set[str] = set()
        models = []
        for index, field in enumerate(fields):
            field_path = (*path, "fields", index)
            name = field.get("name") if isinstance(field, dict) else None
            if isinstance(name, str) and name in seen:
                self.error((*field_path, "name"), f"duplicate field name {name!r} among siblings")
            elif isinstance(name, str):
                seen.add(name)
            model = self.field(field, field_path)
            if model is not None:
                models.append(model)
        return models

    def field(self, field: Any, path: PathKey) -> dict[str, Any] | None:
        if not isinstance(field, dict):
            self.error(path, "a field is an object with a 'name' and a 'type' or 'fields'")
            return None
        self.unknown_keys(field, path, FIELD_KEYS)
        name = field.get("name")
        if not isinstance(name, str) or not name:
            self.error(
                (*path, "name") if "name" in field else path, "a field needs a non-empty string 'name'"
            )
            name = ""
        repetition = field.get("repetition", "OPTIONAL")
        if repetition not in REPETITIONS:
            self.error((*path, "repetition"), f"repetition must be one of {', '.join(REPETITIONS)}")
        field_id = field.get("field_id")
        if "field_id" in field and (type(field_id) is not int or not 0 <= field_id <= MAX_FIELD_ID):
            self.error((*path, "field_id"), f"field_id must be an integer from 0 to {MAX_FIELD_ID}")
        if ("type" in field) == ("fields" in field):
            self.error(
                path, "a field has either a physical 'type' (a column) or 'fields' (a group), not both"
            )
            return None
        model = self.group(field, path, repetition) if "fields" in field else self.primitive(field, path)
        if model is None:
            return None
        if repetition == "REPEATED":
            model = {"type": "array", "items": model}
        type_ = model.pop("type")
        line, column = self.positions.locate(path)
        model.update(said(line=line, column=column))
        return field_model(name, type_, nullable=repetition == "OPTIONAL", **model)

    def primitive(self, field: dict[str, Any], path: PathKey) -> dict[str, Any] | None:
        physical = field["type"]
        if physical not in PHYSICAL_TYPES:
            self.error(
                (*path, "type"), f"unknown physical type {physical!r}; known: {', '.join(PHYSICAL_TYPES)}"
            )
            return None
        if physical == "INT96":
            self.warn((*path, "type"), "INT96 is deprecated (use INT64 with a TIMESTAMP logical type)")
        length = field.get("length")
        if physical == "FIXED_LEN_BYTE_ARRAY":
            if type(length) is not int or length < 1:
                self.error(
                    (*path, "length") if "length" in field else path,
                    "FIXED_LEN_BYTE_ARRAY needs a positive integer 'length'",
                )
                return None
        elif "length" in field:
            self.error((*path, "length"), f"'length' applies to FIXED_LEN_BYTE_ARRAY only, not {physical}")
        name: str | None = None
        params: dict[str, Any] = {}
        if "logical_type" in field:
            name, params = self.logical(field["logical_type"], (*path, "logical_type"))
            if name is None:
                return None
            problem = annotation_problem(name, params, physical, length)
            if problem is not None:
                self.error((*path, "logical_type"), problem)
                return None
        source = physical if name is None else f"{physical}/{name}"
        model = {**entity_type(physical, name, params), "source_type": source}
        if model["type"] == "binary" and isinstance(length, int):  # bytes, all of them, always
            model.update(min_length=length, max_length=length)
        return model

    def logical(self, logical: Any, path: PathKey) -> tuple[str | None, dict[str, Any]]:
        name, params, shape_problems = logical_shape(logical)
        for key, message in shape_problems:
            self.error(
                (*path, key) if key and isinstance(logical, dict) and key in logical else path, message
            )
        return name, params

    def group(self, field: dict[str, Any], path: PathKey, repetition: str) -> dict[str, Any] | None:
        name = None
        if "logical_type" in field:
            name, _ = self.logical(field["logical_type"], (*path, "logical_type"))
            if name is None:
                return None
            if name not in ("LIST", "MAP"):
                self.error(
                    (*path, "logical_type"), f"{name} annotates a column (a field with 'type'), not a group"
                )
                return None
        fields = self.children(field, path)
        if name is not None and repetition == "REPEATED":
            self.error((*path, "repetition"), f"a {name} group must be REQUIRED or OPTIONAL, not REPEATED")
        if name == "LIST":
            return self.list_group(field, path, fields)
        if name == "MAP":
            return self.map_group(field, path, fields)
        return {"type": "object", "fields": fields, "source_type": None}

    def list_group(
        self, field: dict[str, Any], path: PathKey, fields: list[dict[str, Any]]
    ) -> dict[str, Any] | None:
        children = field["fields"]
        if len(children) != 1:
            self.error((*path, "fields"), "a LIST group has exactly one child: the repeated group 'list'")
            return None
        child = children[0]
        if not isinstance(child, dict) or child.get("repetition") != "REPEATED":
            self.error((*path, "fields", 0), "the child of a LIST group must be REPEATED")
            return None
        if "fields" in child and isinstance(child["fields"], list) and len(child["fields"]) != 1:
            self.error(
                (*path, "fields", 0, "fields"),
                "the repeated group of a LIST has exactly one field, 'element'",
            )
            return None
        if child.get("name") != "list" or "type" in child:
            self.warn(
                (*path, "fields", 0), "legacy LIST layout: write a repeated group 'list' holding 'element'"
            )
        if "fields" in child and isinstance(child["fields"], list):
            element = child["fields"][0]
            if isinstance(element, dict) and element.get("repetition") == "REPEATED":
                self.error((*path, "fields", 0, "fields", 0), "a LIST element must be REQUIRED or OPTIONAL")
                return None
        items = fields[0] if fields else None
        if items is not None and items["type"] == "array":
            items = items["items"]
        if (
            items is not None
            and items["type"] == "object"
            and len(items.get("fields", [])) == 1
            and "type" not in child
        ):
            items = items["fields"][0]
        if items is not None:  # a type, not a field: the element's name and flags are the layout's
            items = {
                k: v
                for k, v in items.items()
                if k not in ("name", "nullable", "primary_key", "line", "column")
            }
        return {"type": "array", "items": items, "source_type": "LIST"}

    def map_group(
        self, field: dict[str, Any], path: PathKey, fields: list[dict[str, Any]]
    ) -> dict[str, Any] | None:
        children = field["fields"]
        kv_path = (*path, "fields", 0)
        if len(children) != 1 or not isinstance(children[0], dict):
            self.error((*path, "fields"), "a MAP group has exactly one child: the repeated group 'key_value'")
            return None
        kv = children[0]
        if kv.get("repetition") != "REPEATED" or not isinstance(kv.get("fields"), list):
            self.error(kv_path, "the child of a MAP group must be a REPEATED group")
            return None
        names = [f.get("name") if isinstance(f, dict) else None for f in kv["fields"]]
        if names not in (["key"], ["key", "value"], ["value", "key"]):
            self.error(
                (*kv_path, "fields"), "a MAP's key_value group holds a field 'key' and optionally 'value'"
            )
            return None
        key = kv["fields"][names.index("key")]
        if key.get("repetition") != "REQUIRED":
            self.error((*kv_path, "fields", names.index("key")), "a MAP key must be REQUIRED")
            return None
        if kv.get("name") != "key_value":
            self.warn(kv_path, "legacy MAP layout: the repeated group is normally named 'key_value'")
        return {"type": "json", "source_type": "MAP"}
