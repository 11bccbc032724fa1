"""The sample generator on its own: keys, references, cycles, bounds and refusals."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

import pytest

from registry.formats import validate
from registry.formats.samples import Unsatisfiable, generate
from registry.formats.samples.render import as_sql
from registry.formats.samples.values import integer_bounds


def entities(fmt: str, text: str) -> list[dict[str, Any]]:
    result = validate(fmt, text)
    assert result.valid, result.errors
    return list(result.entities)


def test_a_self_reference_points_at_an_earlier_record_and_inserts() -> None:
    ddl = "CREATE TABLE emp (id INT PRIMARY KEY, boss INT NOT NULL REFERENCES emp(id), name TEXT);"
    model = entities("sql", ddl)
    records = generate(model, rows=50, seed=1)["emp"]
    assert [r["id"] for r in records] == list(range(1, 51))
    assert records[0]["boss"] == 1
    assert all(r["boss"] <= r["id"] for r in records)
    db = sqlite3.connect(":memory:")
    db.execute("PRAGMA foreign_keys = ON")
    db.executescript(ddl)
    db.executescript(as_sql(model, {"emp": records}, dialect="sqlite", create=False))


def test_a_recursive_json_schema_embeds_records_to_a_bounded_depth() -> None:
    schema = {
        "title": "Node",
        "type": "object",
        "properties": {"v": {"type": "integer"}, "child": {"$ref": "#"}},
    }
    records = generate(entities("json_schema", json.dumps(schema)), rows=200, seed=3)["Node"]

    def depth(record: Any) -> int:
        return 1 + depth(record.get("child")) if isinstance(record, dict) else 0

    assert max(depth(r) for r in records) <= 4
    assert any(depth(r) >= 2 for r in records)


def test_a_cycle_of_non_nullable_references_is_refused() -> None:
    ddl = (
        "CREATE TABLE a (id INT PRIMARY KEY, b_id INT NOT NULL);"
        "CREATE TABLE b (id INT PRIMARY KEY, a_id INT NOT NULL REFERENCES a(id));"
        "ALTER TABLE a ADD FOREIGN KEY (b_id) REFERENCES b(id);"
    )
    with pytest.raises(Unsatisfiable, match="non-nullable references form a cycle between a, b"):
        generate(entities("sql", ddl), rows=3)


def test_a_cycle_with_a_nullable_link_is_made() -> None:
    ddl = (
        "CREATE TABLE a (id INT PRIMARY KEY, b_id INT);"
        "CREATE TABLE b (id INT PRIMARY KEY, a_id INT NOT NULL REFERENCES a(id));"
        "ALTER TABLE a ADD FOREIGN KEY (b_id) REFERENCES b(id);"
    )
    made = generate(entities("sql", ddl), rows=5, seed=2)
    assert {r["a_id"] for r in made["b"]} <= {r["id"] for r in made["a"]}
    assert all(r["b_id"] is None for r in made["a"])  # a comes first: b has no records yet


def test_only_one_entity_is_answered_but_its_targets_are_made() -> None:
    ddl = (
        "CREATE TABLE u (id INT PRIMARY KEY);"
        "CREATE TABLE p (id INT PRIMARY KEY, u INT NOT NULL REFERENCES u(id));"
    )
    made = generate(entities("sql", ddl), rows=4, only="p")
    assert list(made) == ["p"]
    assert all(1 <= r["u"] <= 4 for r in made["p"])
    with pytest.raises(Unsatisfiable, match="no entity 'q'"):
        generate(entities("sql", ddl), rows=4, only="q")


def test_the_same_seed_gives_the_same_records() -> None:
    model = entities("yaml", "User:\n  name: string\n  score: number\n  ok: boolean\n")
    assert generate(model, rows=20, seed=9) == generate(model, rows=20, seed=9)
    assert generate(model, rows=20, seed=9) != generate(model, rows=20, seed=10)


@pytest.mark.parametrize(
    ("field", "bounds"),
    [
        ({}, (0, 10_000)),
        ({"bits": 8}, (0, 127)),
        ({"minimum": 18, "maximum": 99}, (18, 99)),
        ({"maximum": -5}, (-10_005, -5)),
        ({"exclusive_minimum": 0.5, "exclusive_maximum": 3}, (1, 2)),
        ({"bits": 16, "minimum": -100}, (-100, 9_900)),
    ],
)
def test_integer_bounds(field: dict[str, Any], bounds: tuple[int, int]) -> None:
    assert integer_bounds(field) == bounds


def constrained(**field: Any) -> list[dict[str, Any]]:
    return [
        {
            "name": "E",
            "namespace": None,
            "fields": [{"name": "f", "nullable": False, "primary_key": False, **field}],
        }
    ]


def test_constraints_of_the_model_are_met() -> None:
    records = generate(constrained(type="integer", minimum=18, maximum=20, unique=True), rows=3)["E"]
    assert sorted(r["f"] for r in records) == [18, 19, 20]
    names = generate(constrained(type="string", hint="email", unique=True), rows=1_500)["E"]
    assert len({r["f"] for r in names}) == 1_500
    assert all("@" in r["f"] for r in names)
    codes = generate(constrained(type="string", pattern="^[A-Z]{3}-[0-9]{2}$", max_length=6), rows=30)["E"]
    assert all(len(r["f"]) == 6 and r["f"][3] == "-" for r in codes)


@pytest.mark.parametrize(
    ("field", "rows", "message"),
    [
        ({"type": "integer", "minimum": 10, "maximum": 5}, 3, "no integer lies between 10 and 5"),
        ({"type": "boolean", "unique": True}, 3, "a boolean has two"),
        ({"type": "enum", "values": ["a", "b"], "unique": True}, 3, "the enum has 2"),
        ({"type": "enum", "values": []}, 1, "the enum has no values"),
        ({"type": "string", "min_length": 5, "max_length": 2}, 1, "min_length 5 is above max_length 2"),
        ({"type": "integer", "minimum": 1, "maximum": 3, "unique": True}, 5, "only 3 integers fit"),
        ({"type": "string", "pattern": "^a(?!.*)b$"}, 1, "no string could be made to match"),
    ],
)
def test_what_no_record_can_meet_is_refused_at_the_field(
    field: dict[str, Any], rows: int, message: str
) -> None:
    model = constrained(line=4, column=3, **field)
    with pytest.raises(Unsatisfiable) as raised:
        generate(model, rows=rows)
    [problem] = raised.value.problems
    assert message in problem.message
    assert (problem.line, problem.column, problem.path) == (4, 3, "E.f")
