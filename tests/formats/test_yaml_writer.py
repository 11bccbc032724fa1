"""registry/formats/yaml_writer.py: the entities of any format, written in the yaml language.

Each document it writes must validate and give back the same entities, as far as yaml says them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from registry.formats import validate
from registry.formats.yaml_writer import to_yaml
from tests.formats.conftest import CASES, CORPUS, corpus_manifest
from tests.formats.yaml_round_trip import assert_same_entities

YAML_DOCUMENTS = sorted((CASES / "yaml" / "valid").glob("*.yaml")) + sorted(
    (CORPUS / "yaml" / "accept").glob("*.yaml")
)
SQL_DOCUMENTS = [("sakila-postgres.sql", "postgres"), ("sakila-mysql.sql", "mysql"), ("bookshop.sql", None)]
SHOP_JSON_SCHEMA = {
    "title": "Order",
    "type": "object",
    "required": ["id", "lines"],
    "properties": {
        "id": {"type": "string", "format": "uuid"},
        "placed": {"type": "string", "format": "date-time"},
        "status": {"enum": ["new", "paid", "sent"]},
        "lines": {"type": "array", "items": {"$ref": "#/$defs/Line"}},
        "note": {"type": ["string", "null"]},
        "shipping": {"type": "object", "properties": {"city": {"type": "string"}, "zip": {"type": "string"}}},
        "tags": {"type": "array", "items": {"type": "string"}},
    },
    "$defs": {
        "Line": {
            "type": "object",
            "required": ["sku"],
            "properties": {
                "sku": {"type": "string"},
                "qty": {"type": "integer"},
                "price": {"type": "number"},
            },
        }
    },
}


def round_trip(
    entities: list[dict[str, Any]] | tuple[dict[str, Any], ...],
) -> tuple[str, list[dict[str, Any]]]:
    text = to_yaml(entities, source="a test")
    result = validate("yaml", text)
    assert result.valid, (text, [e.to_json() for e in result.errors])
    return text, list(result.entities)


@pytest.mark.parametrize("path", YAML_DOCUMENTS, ids=[f"{p.parent.name}/{p.name}" for p in YAML_DOCUMENTS])
def test_yaml_documents_come_back_the_same(path: Path) -> None:
    entities = validate("yaml", path.read_text("utf-8")).entities
    text, again = round_trip(entities)
    assert_same_entities(entities, again, text)
    assert "Not expressible" not in text


@pytest.mark.parametrize(("name", "dialect"), SQL_DOCUMENTS)
def test_sql_entities_come_back_the_same(name: str, dialect: str | None) -> None:
    source = validate("sql", (CORPUS / "sql" / "accept" / name).read_text("utf-8"), dialect=dialect)
    assert source.valid
    text, again = round_trip(source.entities)
    assert_same_entities(source.entities, again, text)
    assert [e["name"] for e in again] == [e["name"] for e in source.entities]


def test_json_schema_entities_come_back_the_same() -> None:
    source = validate("json_schema", json.dumps(SHOP_JSON_SCHEMA))
    assert source.valid
    text, again = round_trip(source.entities)
    assert_same_entities(source.entities, again, text)
    assert {e["name"] for e in again} == {"Order", "Line"}


FULL_MODEL: list[dict[str, Any]] = [
    {
        "name": "Customer",
        "namespace": None,
        "count": 50,
        "closed": True,
        "fields": [
            {"name": "id", "type": "uuid", "nullable": False, "primary_key": True, "source_type": "uuid"},
            {"name": "age", "type": "integer", "nullable": True, "primary_key": False, "source_type": None,
             "minimum": 18, "maximum": 99, "bits": 16, "default": 30},
            {"name": "email", "type": "string", "nullable": False, "primary_key": False, "source_type": None,
             "hint": "email", "max_length": 80, "min_length": 3, "unique": True},
            {"name": "code", "type": "string", "nullable": False, "primary_key": False, "source_type": None,
             "pattern": "^it's #[A-Z]{2}: \\d+$", "default": "it's #AB: 1"},
            {"name": "balance", "type": "decimal", "nullable": False, "primary_key": False,
             "source_type": None, "precision": 12, "scale": 2, "exclusive_minimum": -1.5,
             "exclusive_maximum": 1e6},
            {"name": "tier", "type": "enum", "nullable": False, "primary_key": False, "source_type": None,
             "values": ["a, b", "plain", "don't", "default=x", " padded "], "default": "plain"},
            {"name": "vip", "type": "boolean", "nullable": False, "primary_key": False, "source_type": None,
             "default": False},
            {"name": "nick", "type": "string", "nullable": True, "primary_key": False, "source_type": None,
             "default": None},
            {"name": "tags", "type": "array", "nullable": True, "primary_key": False, "source_type": None,
             "items": {"type": "string", "source_type": None, "hint": "slug", "nullable": True},
             "min_items": 1, "max_items": 4, "unique_items": True},
            {"name": "geo", "type": "object", "nullable": False, "primary_key": False, "source_type": None,
             "fields": [{"name": "lat", "type": "number", "nullable": False, "primary_key": False,
                         "source_type": None, "minimum": -90, "maximum": 90}]},
            {"name": "lines", "type": "array", "nullable": False, "primary_key": False, "source_type": None,
             "items": {"type": "object", "source_type": None,
                       "fields": [{"name": "sku", "type": "string", "nullable": False, "primary_key": False,
                                   "source_type": None}]}},
        ],
    },
    {
        "name": "Order",
        "namespace": None,
        "relations": [{"field": "customer", "ref": "Customer.id", "min": 1, "max": 5}],
        "fields": [
            {"name": "customer", "type": "reference", "ref": "Customer.id", "nullable": False,
             "primary_key": False, "source_type": None},
            {"name": "placed", "type": "timestamp", "nullable": False, "primary_key": False,
             "source_type": None, "hint": "past_datetime", "default": "2024-01-31T12:30:00"},
            {"name": "day", "type": "date", "nullable": False, "primary_key": False, "source_type": None,
             "default": "2024-01-31"},
        ],
    },
    {"name": "1", "namespace": None, "fields": [
        {"name": "yes", "type": "json", "nullable": False, "primary_key": False, "source_type": None},
        {"name": "a b", "type": "time", "nullable": False, "primary_key": False, "source_type": None},
    ]},
    {"name": "Odd(name)", "namespace": None, "fields": [
        {"name": "x", "type": "binary", "nullable": False, "primary_key": False, "source_type": None,
         "max_length": 16},
    ]},
]  # fmt: skip


def test_every_key_yaml_can_say_survives() -> None:
    text, again = round_trip(FULL_MODEL)
    assert_same_entities(FULL_MODEL, again, text)
    assert "Not expressible" not in text
    assert "Customer(count=50, closed):" in text


def test_what_yaml_cannot_say_is_listed_in_comments() -> None:
    model: list[dict[str, Any]] = [
        {"name": "t", "namespace": "shop", "fields": [
            {"name": "at", "type": "timestamp", "nullable": False, "primary_key": False, "source_type": None,
             "default": "now()"},
            {"name": "kind", "type": "string", "nullable": False, "primary_key": False, "source_type": None,
             "hint": "not-a-hint", "required": False},
            {"name": "blob", "type": "object", "nullable": True, "primary_key": False, "source_type": None,
             "fields": []},
            {"name": "who", "type": "reference", "ref": "nowhere.id", "nullable": False, "primary_key": False,
             "source_type": None},
            {"name": "doc", "type": "json", "nullable": False, "primary_key": False, "source_type": None,
             "default": {"a": [1]}},
            {"name": "lst", "type": "array", "nullable": False, "primary_key": False, "source_type": None,
             "items": {"type": "string", "source_type": None}, "default": []},
        ]},
        {"name": "t", "namespace": "other", "fields": [
            {"name": "x", "type": "string", "nullable": False, "primary_key": False, "source_type": None}]},
        {"name": "empty", "namespace": None, "fields": []},
    ]  # fmt: skip
    text, again = round_trip(model)
    header = [line for line in text.splitlines() if line.startswith("#")]
    for expected in (
        "its namespace 'shop'",
        "t.at: default 'now()' is not an ISO 8601 timestamp",
        "t.kind: the hint 'not-a-hint'",
        "required: false",
        "t.blob: nullable",
        "t.blob: an object without fields, written as json",
        "t.who: the reference to 'nowhere.id', written as json",
        "other.t: a second entity named 't'",
        "empty: an entity without fields",
        't.doc: its default {"a": [1]}',
        "t.lst: its default []",
    ):
        assert any(expected in line for line in header), (expected, header)
    fields = {f["name"]: f for f in again[0]["fields"]}
    assert fields["at"]["type"] == "timestamp" and "default" not in fields["at"]
    assert fields["who"]["type"] == "json"
    assert [e["name"] for e in again] == ["t"]


ACCEPTED = [c for c in corpus_manifest() if c["expect"] == "accept"]


@pytest.mark.parametrize("case", ACCEPTED, ids=[c["path"] for c in ACCEPTED])
def test_every_accepted_corpus_document_converts_to_valid_yaml(case: dict[str, Any]) -> None:
    """Real schemas of every format: the yaml written from their entities validates and agrees."""
    source = validate(case["format"], (CORPUS / case["path"]).read_text("utf-8"), dialect=case.get("dialect"))
    if not any(entity["fields"] for entity in source.entities):
        # Nothing yaml can hold (it has no entity without fields): comments that say so, no entity.
        text = to_yaml(source.entities, source="a test")
        assert all(line.startswith("#") for line in text.splitlines()), text
        return
    text, again = round_trip(source.entities)
    assert_same_entities(source.entities, again, text)
