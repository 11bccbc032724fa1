"""Validators never raise and stay fast, whatever the input."""

from __future__ import annotations

import json
import time

import pytest

from registry.formats import FORMATS, Limits, check_dialect, sql_dialects, validate

HOSTILE = [
    "",
    "\x00\x01\ufeff",
    "[" * 100_000,
    "[" * 100_000 + "]" * 100_000,
    "{" * 100_000,
    '{"a":' * 50_000,
    "a: " + "[" * 100_000,
    "- " * 5_000 + "x",
    "'" * 10_001,
    "$$" + "x" * 1000,
    "/*" * 1000,
    "CREATE TABLE t (" + "(" * 10_000,
    "BEGIN " * 5_000,
    "\n".join(["GO", "/", "DELIMITER $$", "$$"] * 100),
    '{"$ref": "#/' + "a/" * 5000 + '"}',
    '{"$defs": {"l": [{}]}, "properties": {"a": {"$ref": "#/$defs/l/\u00b2"}}}',  # "²".isdigit()
]


def test_a_ref_into_an_array_with_a_non_ascii_digit_does_not_resolve() -> None:
    text = '{"$defs": {"l": [{}]}, "properties": {"a": {"$ref": "#/$defs/l/\u00b2"}}}'
    messages = [p.message for p in validate("json_schema", text).errors]
    assert any("does not resolve" in m for m in messages), messages


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_never_raises_and_is_fast(fmt: str, text: str) -> None:
    start = time.perf_counter()
    result = validate(fmt, text)
    assert time.perf_counter() - start < 5
    assert isinstance(result.to_json()["valid"], bool)


def test_billion_laughs_refused_fast() -> None:
    lines = ['a0: &a0 ["x","x","x","x","x","x","x","x","x","x"]']
    lines += [f"a{i}: &a{i} [{','.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 12)]
    start = time.perf_counter()
    result = validate("yaml", "\n".join(lines) + "\nBomb:\n  payload: *a11\n")
    assert time.perf_counter() - start < 1
    assert not result.valid
    assert result.errors[0].line


def test_limits_are_configurable() -> None:
    text = "A:\n  b:\n    c:\n      d: string\n"
    assert validate("yaml", text).valid
    assert not validate("yaml", text, limits=Limits(max_depth=2)).valid
    assert not validate("json_schema", "{}", limits=Limits(max_chars=1)).valid


def test_dialects() -> None:
    assert {"postgres", "mysql", "tsql", "oracle", "sqlite"} <= sql_dialects()
    assert check_dialect("Postgres")
    assert not check_dialect("klingon")
    result = validate("sql", "CREATE TABLE a (id INT);", dialect="klingon")
    assert not result.valid
    assert "klingon" in result.errors[0].message


def test_unknown_format_is_an_error_result() -> None:
    assert not validate("xml", "<a/>").valid


def test_entity_model_of_sql() -> None:
    text = (
        "CREATE TABLE customer (id INTEGER PRIMARY KEY, email VARCHAR(50) NOT NULL, born DATE);\n"
        "CREATE TABLE orders (id BIGINT, customer_id INTEGER REFERENCES customer (id), total DECIMAL(9,2));\n"
    )
    entities = {e["name"]: e for e in validate("sql", text).entities}
    customer = {f["name"]: f for f in entities["customer"]["fields"]}
    assert customer["id"]["primary_key"]
    assert not customer["id"]["nullable"]
    assert customer["email"]["type"] == "string"
    assert customer["email"]["source_type"] == "VARCHAR(50)"
    assert customer["born"]["type"] == "date"
    orders = {f["name"]: f for f in entities["orders"]["fields"]}
    assert orders["customer_id"] == orders["customer_id"] | {"type": "reference", "ref": "customer.id"}
    assert orders["total"]["type"] == "decimal"


def test_entity_model_of_yaml() -> None:
    entities = validate("yaml", "A:\n  e: enum(x, y)\n  l: [$A]\n  o:\n    n: number\n").entities
    fields = {f["name"]: f for f in entities[0]["fields"]}
    assert fields["e"]["values"] == ["x", "y"]
    assert fields["l"]["items"] == {"type": "reference", "ref": "A", "source_type": "$A"}
    assert fields["o"]["fields"][0]["type"] == "number"


def test_the_same_problem_at_the_same_place_is_reported_once() -> None:
    # A $defs entry that is not a schema fails several branches of the 2020-12 meta-schema alike.
    text = '{"$schema": "https://json-schema.org/draft/2020-12/schema", "$defs": {"l": [{}]}}'
    errors = [(p.message, p.line, p.column, p.path) for p in validate("json_schema", text).errors]
    assert errors and len(errors) == len(set(errors)), errors


def test_an_enum_value_may_hold_a_comma_inside_quotes() -> None:
    result = validate("yaml", "E:\n  k: enum(\"a,b\", c, 'd,e')\n")
    assert result.entities[0]["fields"][0]["values"] == ["a,b", "c", "d,e"]


@pytest.mark.parametrize(
    ("values", "expected"),
    [("don't, b, c", ["don't", "b", "c"]), ("O'Brien, Smith", ["O'Brien", "Smith"])],
)
def test_an_apostrophe_inside_an_enum_value_is_text(values: str, expected: list[str]) -> None:
    result = validate("yaml", f"E:\n  k: enum({values})\n")
    assert result.entities[0]["fields"][0]["values"] == expected


def test_every_reference_into_a_field_reference_cycle_is_refused() -> None:
    text = "A:\n  x: $A.x\nB:\n  y: $C.z\nC:\n  z: $B.y\n  ok: $A.x\nD:\n  fine: $C\n"
    lines = sorted(p.line or 0 for p in validate("yaml", text).errors if "never reaches a type" in p.message)
    assert lines == [2, 4, 6, 7]


def test_each_reference_in_a_cycle_shows_the_whole_way_round() -> None:
    text = "A:\n  x: $B.y\nB:\n  y: $C.z\nC:\n  z: $A.x\n"
    assert [p.message.split(": ", 1)[1] for p in validate("yaml", text).errors] == [
        "$B.y -> $C.z -> $A.x -> $B.y",
        "$C.z -> $A.x -> $B.y -> $C.z",
        "$A.x -> $B.y -> $C.z -> $A.x",
    ]
    long = "E:\n" + "".join(f"  f{i}: $E.f{i + 1}\n" for i in range(30)) + "  f30: $E.f0\n"
    first = validate("yaml", long).errors[0].message
    assert first.endswith("$E.f10 -> $E.f11 -> ...") and first.count("->") == 11  # shown up to 10 steps


def test_draft_4_id_is_a_keyword_not_an_unknown_one() -> None:
    draft4 = "http://json-schema.org/draft-04/schema#"
    text = f'{{"$schema": "{draft4}", "id": "http://example.com/s", "type": "object"}}'
    result = validate("json_schema", text)
    assert result.valid and result.warnings == ()


def test_a_ref_to_a_definition_that_is_not_an_object_gives_its_type() -> None:
    doc = {
        "$defs": {
            "id": {"type": "string", "format": "uuid"},
            "a/b": {"type": "object", "properties": {"x": {"type": "integer"}}},
            "ids": {"type": "array", "items": {"$ref": "#/$defs/id"}},
        },
        "type": "object",
        "properties": {
            "id": {"$ref": "#/$defs/id"},
            "ab": {"$ref": "#/$defs/a~1b"},
            "ids": {"$ref": "#/$defs/ids"},
        },
    }
    fields = {f["name"]: f for f in validate("json_schema", json.dumps(doc)).entities[0]["fields"]}
    assert fields["id"]["type"] == "uuid"
    assert (fields["ab"]["type"], fields["ab"]["ref"]) == ("reference", "a/b")
    assert (fields["ids"]["type"], fields["ids"]["items"]["type"]) == ("array", "uuid")


def test_a_reference_through_a_field_that_is_not_an_object_says_so() -> None:
    for text, expected in (
        (
            "User:\n  name: string\nX:\n  ok: $User.name.sub\n",
            "'User.name' is a string field, so it has no field 'sub'",
        ),
        (
            "User:\n  tags: [string]\nX:\n  ok: $User.tags.x\n",
            "'User.tags' is an array field, so it has no field 'x'",
        ),
        ("User:\n  geo: {lat: number}\nX:\n  ok: $User.geo.lon\n", "'User' has no field path 'geo.lon'"),
        (  # a field reference is not followed on the way: not "has no fields"
            "User:\n  geo: {lat: number}\nX:\n  g: $User.geo\nY:\n  ok: $X.g.lat\n",
            "'X' has no field path 'g.lat'",
        ),
    ):
        assert [e.message.split(": ", 1)[1] for e in validate("yaml", text).errors] == [expected]
