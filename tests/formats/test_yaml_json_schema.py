"""docs/formats/yaml.schema.json: what editors check as people type.

It must accept every valid document (the yaml cases and corpus) and refuse the structural errors
that a case marks with ``# schema: reject``. Documents are read as the validator reads them
(YAML 1.2's ``[string?]`` included, as the YAML language server reads it).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from registry.formats.yaml_expr import REF_NAME_RE
from registry.formats.yaml_loader import load_strict
from registry.formats.yaml_types import TYPE_NAMES
from tests.formats.conftest import CASES, CORPUS, REPO
from tests.formats.test_yaml_language import directives

SCHEMA_PATH = REPO / "docs" / "formats" / "yaml.schema.json"
VALID = sorted((CASES / "yaml" / "valid").glob("*.yaml")) + sorted(
    (CORPUS / "yaml" / "accept").glob("*.yaml")
)
REFUSED = [
    path
    for path in sorted((CASES / "yaml" / "invalid").glob("*.yaml"))
    if ("schema", "reject") in directives(path.read_text("utf-8"))
]


def language_schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(SCHEMA_PATH.read_text("utf-8"))
    return schema


def validator() -> jsonschema.Draft7Validator:
    schema = language_schema()
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema)


def test_the_schema_is_a_draft_7_schema() -> None:
    assert language_schema()["$schema"] == "http://json-schema.org/draft-07/schema#"


@pytest.mark.parametrize("path", VALID, ids=[f"{p.parent.name}/{p.name}" for p in VALID])
def test_accepts_every_valid_document(path: Path) -> None:
    document = load_strict(path.read_text("utf-8"))
    errors = [error.message for error in validator().iter_errors(document)]
    assert not errors, errors


def test_some_cases_are_marked_for_the_schema() -> None:
    assert len(REFUSED) >= 8


@pytest.mark.parametrize("path", REFUSED, ids=[p.name for p in REFUSED])
def test_refuses_structural_errors(path: Path) -> None:
    document = load_strict(path.read_text("utf-8"))
    assert not validator().is_valid(document)


@pytest.mark.parametrize(
    "expression",
    [
        "string",
        "integer?",
        "integer(min=1, max=2)",
        "string(email)?",
        "$A",
        "$A.b.c?",
        "enum(a, b)",
        "array(x)",
    ],
)
def test_expressions_that_start_with_a_type_pass(expression: str) -> None:
    assert validator().is_valid({"E": {"f": expression}})


@pytest.mark.parametrize("expression", ["int", "Integer", "$", "(x)", "string??", "email", ""])
def test_expressions_that_do_not_start_with_a_type_fail(expression: str) -> None:
    assert not validator().is_valid({"E": {"f": expression}})


def test_the_schema_knows_every_type_and_the_reference_names_of_the_parser() -> None:
    expression = language_schema()["definitions"]["expression"]
    short, pattern = expression["anyOf"][0]["enum"], expression["anyOf"][1]["pattern"]
    for name in TYPE_NAMES:
        assert name in pattern
        assert name in short or name in ("enum", "array")
    assert REF_NAME_RE.pattern in pattern
