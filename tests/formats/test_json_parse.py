"""JSON documents (json_schema, json_parquet): what json.loads lets through silently is refused, and
what it cannot place is placed (docs/formats/README.md)."""

from __future__ import annotations

import json

import pytest

from registry.formats import validate
from registry.formats.base import Problems
from registry.formats.limits import Limits

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


@pytest.mark.parametrize("fmt", JSON_FORMATS)
def test_a_repeat_before_a_syntax_error_reports_the_syntax_error(fmt: str) -> None:
    assert located(fmt, '{"a": 1, "a": 2}]') == [(1, 17, "", "invalid JSON: Extra data")]
    assert [e[:2] for e in located(fmt, '[{"a": 1, "a": 2}, {"\\q": 1}]')] == [(1, 22)]  # the escape


def test_numbers_out_of_range_are_refused_where_they_are() -> None:
    long_ok, too_long = "1" * 4100, "2" * 5000
    assert [e[:2] for e in located("json_schema", '{"x": [' + long_ok + ", " + too_long + "]}")] == [
        (1, 4110)
    ]
    assert located("json_schema", '{"y": 1.5,\n "x": -1e400}') == [
        (2, 7, "", "invalid JSON: -1e400 is out of range")
    ]


def test_a_member_named_like_the_scans_own_marks_is_no_repeat() -> None:
    text = '{"a": {"q": 1}, "a": {"q": 2}, "\\u000013": {"q": 3}, "-14": {"q": 4}}'
    assert [e[2] for e in located("json_schema", text)] == ["/a"]


def test_past_the_cap_a_problem_found_again_is_counted_once() -> None:
    problems = Problems(Limits(max_problems=2))
    for message in ("a", "b", "c", "c", "c", "d", "d"):
        problems.error(message, 1, 1)
    result = problems.result()
    assert result.error_count == 4
    assert [e.message for e in result.errors] == ["a", "b", "2 more errors not shown"]


def test_draft_4_exclusive_bounds_are_known_keywords() -> None:
    draft4 = "http://json-schema.org/draft-04/schema#"
    good = validate("json_schema", f'{{"$schema": "{draft4}", "minimum": 0, "exclusiveMinimum": true}}')
    assert good.valid and good.warnings == ()
    bad = validate("json_schema", f'{{"$schema": "{draft4}", "maximum": 9, "exclusiveMaximum": 5}}')
    assert [e.message for e in bad.errors] == ["5 is not of type 'boolean'"] and bad.warnings == ()


def test_parquet_list_items_are_a_type_whatever_the_layout() -> None:
    element = {"name": "element", "type": "INT32", "repetition": "OPTIONAL"}
    standard = {
        "name": "tags",
        "logical_type": "LIST",
        "repetition": "OPTIONAL",
        "fields": [{"name": "list", "repetition": "REPEATED", "fields": [element]}],
    }
    legacy = {
        "name": "old",
        "logical_type": "LIST",
        "fields": [{"name": "x", "type": "INT32", "repetition": "REPEATED"}],
    }
    repeated = {"name": "rep", "type": "INT32", "repetition": "REPEATED"}
    result = validate("json_parquet", json.dumps({"fields": [standard, legacy, repeated]}))
    assert [f["items"] for f in result.entities[0]["fields"]] == [
        {"type": "integer", "source_type": "INT32", "bits": 32}  # bits: the model key, issue 16
    ] * 3


def test_a_ref_to_the_root_is_a_reference_to_the_root_entity() -> None:
    tree = (
        '{"title": "Node", "type": "object", "properties": {"value": {"type": "string"},'
        ' "children": {"type": "array", "items": {"$ref": "#"}}, "parent": {"$ref": "#"}}}'
    )
    fields = {f["name"]: f for f in validate("json_schema", tree).entities[0]["fields"]}
    assert fields["parent"]["type"] == "reference" and fields["parent"]["ref"] == "Node"
    assert fields["children"]["items"] == {"type": "reference", "ref": "Node", "source_type": "#"}
    assert validate("json_schema", '{"type": "array", "items": {"$ref": "#"}}').entities == ()
