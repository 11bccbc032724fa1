"""The entity model's optional keys (docs/formats/README.md), as each validator fills them.

Cases are data: tests/cases/model/<name>.<ext> and <name>.expected.json, which lists entities and
fields by path (``Entity.field``, nested ``Entity.obj.field``, array items ``Entity.tags[]``). For
every listed field the values must match, and its optional keys must be exactly those listed
(``line``/``column`` are checked where listed, and must be present on every field and entity).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from registry.formats import validate
from registry.formats.base import ENTITY_KEYS, FIELD_KEYS
from tests.formats.conftest import CASE_EXTENSIONS, CASES

DOCUMENTS = sorted(p for p in (CASES / "model").iterdir() if any(p.name.endswith(e) for e in CASE_EXTENSIONS))
PLACES = ("line", "column")
DIALECT = re.compile(r"dialect:\s*(\w+)")


def _format(path: Path) -> str:
    # The longest matching extension wins: `.schema.json` before a bare `.json`.
    return next(
        fmt
        for ext, fmt in sorted(CASE_EXTENSIONS.items(), key=lambda e: -len(e[0]))
        if path.name.endswith(ext)
    )


def _expected(path: Path) -> dict[str, Any]:
    stem = next(path.name[: -len(e)] for e in CASE_EXTENSIONS if path.name.endswith(e))
    found: dict[str, Any] = json.loads((path.parent / f"{stem}.expected.json").read_text(encoding="utf-8"))
    return found


def _entity_path(entity: dict[str, Any]) -> str:
    return f"{entity['namespace']}.{entity['name']}" if entity.get("namespace") else entity["name"]


def _walk(prefix: str, fields: list[dict[str, Any]]) -> Iterator[tuple[str, dict[str, Any], bool]]:
    """(path, model, is a declared field) for every field, nested field and array item type."""
    for field in fields:
        path = f"{prefix}.{field['name']}"
        yield path, field, True
        yield from _inside(path, field)


def _inside(path: str, model: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any], bool]]:
    if model.get("type") == "object":
        yield from _walk(path, model.get("fields") or [])
    if model.get("type") == "array" and isinstance(model.get("items"), dict):
        yield f"{path}[]", model["items"], False
        yield from _inside(f"{path}[]", model["items"])


def _check_keys(
    path: str, model: dict[str, Any], expected: dict[str, Any], optional: tuple[str, ...]
) -> None:
    for key, value in expected.items():
        assert key in model, f"{path}: {key} missing from {model}"
        assert model[key] == value and type(model[key]) is type(value), f"{path}.{key}: {model[key]!r}"
    said = {k for k in optional if k in model and k not in PLACES}
    assert said == {k for k in expected if k in optional and k not in PLACES}, f"{path}: {model}"
    assert all(model[k] is not None for k in said), f"{path}: null placeholder in {model}"


@pytest.mark.parametrize("path", DOCUMENTS, ids=[p.name for p in DOCUMENTS])
def test_model_keys(path: Path) -> None:
    fmt = _format(path)
    text = path.read_text(encoding="utf-8")
    dialect = DIALECT.search(text.split("\n", 1)[0]) if fmt == "sql" else None
    result = validate(fmt, text, dialect=dialect.group(1) if dialect else None)
    assert result.valid, [e.to_json() for e in result.errors]
    expected = _expected(path)
    entities = {_entity_path(e): e for e in result.entities}
    assert set(expected["entities"]) <= set(entities)
    for name, keys in expected["entities"].items():
        _check_keys(name, entities[name], keys, ENTITY_KEYS)
    models = {
        p: (m, declared) for e in result.entities for p, m, declared in _walk(_entity_path(e), e["fields"])
    }
    missing = set(expected["fields"]) - set(models)
    assert not missing, f"no such fields: {missing}; there are {sorted(models)}"
    for field_path, keys in expected["fields"].items():
        _check_keys(field_path, models[field_path][0], keys, FIELD_KEYS)
    for entity in result.entities:
        assert all(isinstance(entity.get(k), int) for k in PLACES), entity
    for field_path, (model, declared) in models.items():
        if declared:  # a field is declared somewhere; an array's item type is not
            assert all(isinstance(model.get(k), int) for k in PLACES), (field_path, model)


def test_there_is_a_case_for_every_format_but_yaml() -> None:
    # yaml's validator belongs to the yaml-language work, which fills the same keys.
    assert {_format(p) for p in DOCUMENTS} >= {"json_schema", "sql", "json_parquet"}


def test_keys_are_absent_where_a_document_says_nothing() -> None:
    plain = {
        "json_schema": '{"title": "T", "properties": {"a": {"type": "string"}}}',
        "sql": "CREATE TABLE t (a TEXT, b REAL)",
        "json_parquet": '{"fields": [{"name": "a", "type": "BYTE_ARRAY", "logical_type": "STRING"}]}',
    }
    quiet = set(FIELD_KEYS) - {"line", "column", "required"}
    for fmt, text in plain.items():
        result = validate(fmt, text)
        assert result.valid, fmt
        for entity in result.entities:
            assert "closed" not in entity
            for field in entity["fields"]:
                assert quiet.isdisjoint(field), (fmt, field)
