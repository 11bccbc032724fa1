"""Levels, directions and bad input of the compatibility engine (the rules are in the data cases)."""

from __future__ import annotations

from typing import Any

import pytest

from registry.formats import validate
from registry.formats.base import entity_model, field_model
from registry.formats.compatibility import (
    LEVELS,
    Change,
    Level,
    breaking,
    compare,
    directions,
    is_transitive,
)


def _entity(*fields: dict[str, Any], name: str = "User", **extra: Any) -> dict[str, Any]:
    return {**entity_model(name, list(fields)), **extra}


def _field(name: str, type_: str = "string", **extra: Any) -> dict[str, Any]:
    return field_model(name, type_, **extra)


@pytest.mark.parametrize(
    ("level", "expected", "transitive"),
    [
        ("NONE", (), False),
        ("BACKWARD", ("BACKWARD",), False),
        ("FORWARD", ("FORWARD",), False),
        ("FULL", ("BACKWARD", "FORWARD"), False),
        ("BACKWARD_TRANSITIVE", ("BACKWARD",), True),
        ("FORWARD_TRANSITIVE", ("FORWARD",), True),
        ("FULL_TRANSITIVE", ("BACKWARD", "FORWARD"), True),
    ],
)
def test_directions_of_each_level(level: Level, expected: tuple[str, ...], transitive: bool) -> None:
    assert directions(level) == expected
    assert is_transitive(level) is transitive


def test_levels_are_the_seven() -> None:
    assert LEVELS == (
        "NONE",
        "BACKWARD",
        "FORWARD",
        "FULL",
        "BACKWARD_TRANSITIVE",
        "FORWARD_TRANSITIVE",
        "FULL_TRANSITIVE",
    )


@pytest.mark.parametrize("level", ["backward", "FULLY", "", "NONE_TRANSITIVE"])
def test_unknown_level_is_refused(level: Any) -> None:
    with pytest.raises(ValueError, match="unknown compatibility level"):
        directions(level)
    with pytest.raises(ValueError, match="unknown compatibility level"):
        is_transitive(level)


def _changes() -> list[Change]:
    old = [_entity(_field("id", nullable=False), _field("nick", nullable=False), _field("age", "integer"))]
    new = [_entity(_field("id", nullable=False), _field("age", "number"), _field("email", nullable=False))]
    return compare(old, new)


def test_breaking_keeps_the_changes_a_level_forbids() -> None:
    changes = _changes()
    assert [(c.kind, c.breaks) for c in changes] == [
        ("type-widened", ("FORWARD",)),
        ("field-added", ("BACKWARD",)),
        ("field-removed", ("FORWARD",)),
    ]
    assert [c.kind for c in breaking(changes, "BACKWARD")] == ["field-added"]
    assert [c.kind for c in breaking(changes, "BACKWARD_TRANSITIVE")] == ["field-added"]
    assert [c.kind for c in breaking(changes, "FORWARD")] == ["type-widened", "field-removed"]
    assert breaking(changes, "FULL") == changes
    assert breaking(changes, "FULL_TRANSITIVE") == changes
    assert breaking(changes, "NONE") == []
    assert breaking(iter(changes), "FULL") == changes  # any iterable, read once


def test_safe_changes_break_no_level() -> None:
    old = [_entity(_field("id", nullable=False))]
    new = [_entity(_field("id", nullable=False), _field("nick")), _entity(name="Order")]
    changes = compare(old, new)
    assert [(c.kind, c.breaks) for c in changes] == [("field-added", ()), ("entity-added", ())]
    for level in LEVELS:
        assert breaking(changes, level) == []


def test_change_to_json_has_every_key() -> None:
    added = compare([_entity()], [_entity(_field("email", nullable=False, line=3, column=5))])[0]
    assert added.to_json() == {
        "kind": "field-added",
        "path": "User.email",
        "message": "field User.email was added as required and has no default: "
        "data written before this change has no email",
        "breaks": ["BACKWARD"],
        "before": None,
        "after": {
            "name": "email",
            "type": "string",
            "nullable": False,
            "primary_key": False,
            "source_type": None,
        },
        "line": 3,
        "column": 5,
    }


def test_removal_points_into_the_old_document() -> None:
    old = [_entity(_field("id", line=2, column=3), _field("gone", line=7, column=3), line=1, column=1)]
    new = [_entity(_field("id", line=4, column=3), line=3, column=1)]
    (removed,) = compare(old, new)
    assert (removed.kind, removed.line, removed.column) == ("field-removed", 7, 3)


def test_empty_lists() -> None:
    assert compare([], []) == []
    assert [c.kind for c in compare([], [_entity()])] == ["entity-added"]
    assert [c.kind for c in compare([_entity()], [])] == ["entity-removed"]
    assert compare([_entity()], [_entity()]) == []


def test_unknown_types_are_compared_by_name() -> None:
    old = [_entity(_field("shape", "geometry"), _field("spot", "point"))]
    new = [_entity(_field("shape", "geometry"), _field("spot", "string"))]
    assert [(c.kind, c.path, c.breaks) for c in compare(old, new)] == [
        ("type-changed", "User.spot", ("BACKWARD", "FORWARD"))
    ]


def test_names_are_exact_unless_case_insensitive() -> None:
    old = [_entity(_field("Email"), name="Users")]
    new = [_entity(_field("email"), name="users")]
    assert [c.kind for c in compare(old, new)] == ["entity-added", "entity-removed"]
    assert compare(old, new, case_insensitive=True) == []


def test_entities_are_matched_by_namespace_too() -> None:
    old = [_entity(name="t", namespace="a"), _entity(name="t", namespace="b")]
    new = [_entity(name="t", namespace="b"), _entity(name="t", namespace="c")]
    assert [(c.kind, c.path) for c in compare(old, new)] == [
        ("entity-added", "c.t"),
        ("entity-removed", "a.t"),
    ]


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("not a list", [], "old entities must be a list"),
        ([], {"name": "User"}, "new entities must be a list"),
        ([{"fields": []}], [], "old entity 0 is not an entity object"),
        ([], [_entity(), 3], "new entity 1 is not an entity object"),
        ([], [{"name": "User", "fields": 7}], "'fields' that are not a list"),
        ([{"name": "User", "fields": "id"}], [], "'fields' that are not a list"),
        ([{"name": "User", "fields": [{"type": "string"}]}], [], "a field that is not a field object"),
        ([], [{"name": "User", "fields": [None]}], "a field that is not a field object"),
    ],
)
def test_bad_input_is_refused_with_a_reason(old: Any, new: Any, message: str) -> None:
    with pytest.raises(TypeError, match=message):
        compare(old, new)


def test_fields_without_the_optional_keys_compare() -> None:
    # Entities built by hand (or by an older validator) may lack keys; absence means "not said".
    old = [{"name": "User", "fields": [{"name": "id", "type": "string"}]}]
    new = [{"name": "User", "fields": [{"name": "id", "type": "string"}, {"name": "x", "type": "json"}]}]
    assert [(c.kind, c.breaks) for c in compare(old, new)] == [("field-added", ("BACKWARD",))]


def _sql(text: str) -> list[dict[str, Any]]:
    result = validate("sql", text)
    assert result.valid, [e.to_json() for e in result.errors]
    return list(result.entities)


def test_a_transitive_level_sees_what_the_latest_version_hides() -> None:
    """The issue's chain: a nullable field removed, then re-added nullable with another type."""
    v1 = _sql("CREATE TABLE t (id INT PRIMARY KEY, x TEXT)")
    v2 = _sql("CREATE TABLE t (id INT PRIMARY KEY)")
    v3 = _sql("CREATE TABLE t (id INT PRIMARY KEY, x INT)")
    assert breaking(compare(v1, v2, case_insensitive=True), "BACKWARD") == []
    against_latest = compare(v2, v3, case_insensitive=True)
    assert [(c.kind, c.breaks) for c in against_latest] == [("field-added", ())]
    assert breaking(against_latest, "BACKWARD") == []
    # A transitive check compares the new version with every earlier one: v1 had x as text.
    every = [c for earlier in (v1, v2) for c in compare(earlier, v3, case_insensitive=True)]
    assert [(c.kind, c.path) for c in breaking(every, "BACKWARD_TRANSITIVE")] == [("type-changed", "t.x")]
