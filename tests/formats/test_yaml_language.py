"""The yaml language's cases under tests/cases/yaml, with what each one must give.

Besides the conventions of test_cases.py, a yaml case may say in its leading comment lines:

- ``# expect-error: L:C text``: some error is at line L, column C, and its message contains text;
- ``# expect-field: Entity.field.path {json}``: the field's model has at least these keys;
- ``# expect-entity: Entity {json}``: the entity's model has at least these keys;
- ``# schema: reject``: the language's JSON Schema (docs/formats/yaml.schema.json) refuses it too.

Every document valid before the language grew keeps exactly the entities it had (recorded in
tests/formats/data/yaml_entities_before.json), but for the keys that say where things are.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import pytest

from registry.formats import validate
from registry.formats.yaml_hints import HINTS
from tests.formats.conftest import CASES, REPO

YAML_CASES = sorted((CASES / "yaml").glob("*/*.yaml"))
BEFORE = json.loads((Path(__file__).parent / "data" / "yaml_entities_before.json").read_text("utf-8"))
DIRECTIVE = re.compile(r"#\s*(expect-error|expect-field|expect-entity|schema):\s*(.*)")
POSITION_KEYS = ("line", "column")


def directives(text: str) -> list[tuple[str, str]]:
    found = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        match = DIRECTIVE.match(line)
        if match:
            found.append((match.group(1), match.group(2).strip()))
    return found


def find_field(entities: list[dict[str, Any]], path: str) -> dict[str, Any]:
    entity, *steps = path.split(".")
    [model] = [e for e in entities if e["name"] == entity]
    fields = model["fields"]
    found: dict[str, Any] = {}
    for step in steps:
        [found] = [f for f in fields if f["name"] == step]
        fields = found.get("fields", [])
    return found


@pytest.mark.parametrize("path", YAML_CASES, ids=[f"{p.parent.name}/{p.name}" for p in YAML_CASES])
def test_case_gives_what_it_says(path: Path) -> None:
    text = path.read_text("utf-8")
    result = validate("yaml", text)
    errors = [e.to_json() for e in result.errors]
    said = directives(text)
    if path.parent.name == "invalid":
        assert any(kind == "expect-error" for kind, _ in said), f"{path.name} says no expect-error"
    for kind, value in said:
        if kind == "expect-error":
            place, _, message = value.partition(" ")
            line, column = (int(part) for part in place.split(":"))
            assert any(
                (e["line"], e["column"]) == (line, column) and message in e["message"] for e in errors
            ), errors
        elif kind in ("expect-field", "expect-entity"):
            assert result.valid, errors
            name, _, wanted = value.partition(" ")
            if kind == "expect-field":
                model = find_field(list(result.entities), name)
            else:
                [model] = [e for e in result.entities if e["name"] == name]
            expected = json.loads(wanted)
            assert {k: model.get(k) for k in expected} == expected, model


@pytest.mark.parametrize("name", sorted(BEFORE))
def test_documents_valid_before_keep_their_entities(name: str) -> None:
    result = validate("yaml", (REPO / name).read_text("utf-8"))
    assert result.valid, [e.to_json() for e in result.errors]
    assert _without_positions(list(result.entities)) == BEFORE[name]


def test_every_entity_and_field_says_where_it_is() -> None:
    result = validate("yaml", "A:\n  x: string\n  geo:\n    lat: number\nB: {y: $A}\n")
    places = {e["name"]: (e["line"], e["column"]) for e in result.entities}
    assert places == {"A": (1, 1), "B": (5, 1)}
    geo = find_field(list(result.entities), "A.geo")
    assert (geo["line"], geo["column"]) == (3, 3)
    assert (geo["fields"][0]["line"], geo["fields"][0]["column"]) == (4, 5)
    assert (find_field(list(result.entities), "B.y")["column"]) == 5


def _without_positions(value: Any) -> Any:
    if isinstance(value, list):
        return [_without_positions(item) for item in value]
    if isinstance(value, dict):
        return {k: _without_positions(v) for k, v in value.items() if k not in POSITION_KEYS}
    return value


def test_every_example_in_the_documentation_is_valid() -> None:
    doc = (REPO / "docs" / "formats" / "yaml.md").read_text("utf-8")
    examples = re.findall(r"```yaml\n(.*?)```", doc, re.DOTALL)
    assert len(examples) >= 3
    for example in examples:
        result = validate("yaml", example)
        assert result.valid, (example, [e.to_json() for e in result.errors])


# -- hostile type expressions: bounded work, every refusal located ------------------------------


def _first_error(text: str) -> tuple[int | None, int | None, str]:
    started = time.perf_counter()
    result = validate("yaml", text)
    assert time.perf_counter() - started < 2.0, "a hostile expression took too long"
    assert not result.valid
    error = result.errors[0]
    return error.line, error.column, error.message


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("string(" + "x" * 70_000 + ")", "at most 65536 characters"),
        ("array(" * 5_000 + "string" + ")" * 5_000, "nested deeper than 16 levels"),
        ("integer(min=" + "9" * 50 + ")", "at most 40 characters"),
        ("number(max=1e400)", "out of range"),
        ("enum(" + "(" * 30_000 + ")", "never closed"),
        ("string(pattern='" + "\\" * 20_001 + ")", "never closed"),
    ],
)
def test_hostile_expressions_are_refused_quickly_where_they_are(expression: str, message: str) -> None:
    line, column, said = _first_error(f"A:\n  x: {expression}\n")
    assert message in said
    assert line == 2 and column is not None and column >= 6


def test_a_large_enum_and_a_long_flow_list_stay_linear() -> None:
    values = ", ".join(f"v{i}" for i in range(5_000))
    started = time.perf_counter()
    result = validate("yaml", f"A:\n  big: enum({values})\n  flow: [enum({values})]\n")
    assert time.perf_counter() - started < 2.0
    assert result.valid, [e.to_json() for e in result.errors]
    fields = {f["name"]: f for f in result.entities[0]["fields"]}
    assert len(fields["big"]["values"]) == 5_000
    assert fields["flow"]["items"]["values"] == fields["big"]["values"]


def test_many_unknown_types_among_many_entities_stay_fast() -> None:
    text = "".join(f"E{i}:\n  x: Entity{i}\n" for i in range(3_000))
    started = time.perf_counter()
    result = validate("yaml", text)
    assert time.perf_counter() - started < 5.0
    assert result.error_count == 3_000


def test_the_documented_hints_are_the_hints() -> None:
    doc = (REPO / "docs" / "formats" / "yaml.md").read_text("utf-8")
    section = doc.split("## Generation hints", 1)[1].split("\n## ", 1)[0]
    listed = set(re.findall(r"`([a-z0-9_\-]+)`", section.split("a hint fits certain types:", 1)[1]))
    assert listed == set(HINTS)
