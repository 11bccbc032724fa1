"""JSON documents (json_schema, json_parquet): what json.loads lets through silently is refused, and
what it cannot place is placed (docs/formats/README.md)."""

from __future__ import annotations

import pytest

from registry.formats import validate

JSON_FORMATS = ("json_schema", "json_parquet")


def located(fmt: str, text: str) -> list[tuple[int | None, int | None, str, str]]:
    return [(e.line, e.column, e.path, e.message) for e in validate(fmt, text).errors]


def test_a_member_named_twice_is_refused_where_it_is_repeated() -> None:
    schema = '{"type": "object",\n "properties": {"a": {"type": "string"}},\n "properties": {"b": {}}}'
    assert located("json_schema", schema) == [
        (3, 2, "/properties", "duplicate member name 'properties' (first on line 2)")
    ]
    parquet = '{"fields": [{"name": "a", "type": "INT32"}],\n "fields": [{"name": "b", "type": "INT32"}]}'
    assert located("json_parquet", parquet) == [
        (2, 2, "/fields", "duplicate member name 'fields' (first on line 1)")
    ]


def test_repeats_inside_a_repeat_are_found_and_members_of_a_repeat_are_not_repeats() -> None:
    text = '{"a": {"x": 1, "x": {"x": 1, "x": 2}}, "b": [{"k": 1}, {"k": 2}]}'
    assert [(e[1], e[2]) for e in located("json_schema", text)] == [(16, "/a/x"), (30, "/a/x/x")]


@pytest.mark.parametrize("fmt", JSON_FORMATS)
@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_placed_where_they_are(fmt: str, constant: str) -> None:
    text = '{\n  "description": "NaN and Infinity in a string are fine",\n  "x": [1, ' + constant + "]\n}"
    errors = located(fmt, text)
    assert [(line, column) for line, column, _, _ in errors] == [(3, 12)]
    assert constant.lstrip("-") in errors[0][3]


@pytest.mark.parametrize("fmt", JSON_FORMATS)
def test_a_byte_order_mark_is_ignored_and_positions_stay(fmt: str) -> None:
    good = {
        "json_schema": '{"type": "string"}',
        "json_parquet": '{"fields": [{"name": "a", "type": "INT32"}]}',
    }
    assert validate(fmt, "\ufeff" + good[fmt]).valid
    bad = "\ufeff{\n  x\n}"
    assert [(e.line, e.column) for e in validate(fmt, bad).errors] == [(2, 3)]
