"""The JSON Schema oracle: sample records of the corpus's JSON Schemas validate against the
stored schema with jsonschema, in the schema's own draft.

Left out, each with its reason: schemas whose entity model has `json` fields (the model does not
say what such a value may be, so no record is known to fit), schemas that refer to other
documents (never fetched, so their constraints are unknown), and entities whose schema combines
subschemas (`anyOf`, `oneOf`, `not`, `if`, dependencies): the entity model keeps one type per
field and no conditions between fields, so it cannot say which combination a record must meet.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from registry.formats import validate
from registry.formats.samples import generate
from tests.formats.conftest import corpus_dir, corpus_manifest

ROWS = 5
COMBINATORS = frozenset(
    {"anyOf", "oneOf", "not", "if", "dependencies", "dependentRequired", "dependentSchemas"}
)


def _combines(schema: Any, definitions: dict[str, Any], seen: frozenset[str] = frozenset()) -> bool:
    """Whether ``schema``, or a local definition it refers to, combines subschemas."""
    if isinstance(schema, list):
        return any(_combines(s, definitions, seen) for s in schema)
    if not isinstance(schema, dict):
        return False
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref not in seen:
        target = definitions.get(ref.rsplit("/", 1)[-1])
        if target is not None and _combines(target, definitions, seen | {ref}):
            return True
    return any(
        key in COMBINATORS or (key not in ("$defs", "definitions") and _combines(value, definitions, seen))
        for key, value in schema.items()
    )


def _checked_entities(document: dict[str, Any], entities: list[dict[str, Any]]) -> list[tuple[str, bool]]:
    """(entity name, whether it is the document's own) for each entity the oracle can judge.

    The document's own entity comes first, unless the document is not an object (an array of a
    definition's objects, say): then every entity is a definition."""
    definitions = {**document.get("$defs", {}), **document.get("definitions", {})}
    chosen = []
    for entity in entities:
        root = entity is entities[0] and entity["name"] not in definitions
        if not _combines(document if root else definitions.get(entity["name"], {}), definitions):
            chosen.append((entity["name"], root))
    return chosen


def _has_json(fields: list[dict[str, Any]]) -> bool:
    for field in fields:
        kind = field["type"]
        if kind == "json":
            return True
        nested = field.get("fields") if kind == "object" else None
        if kind == "array":
            items = field.get("items") or {}
            nested = items.get("fields") if items.get("type") == "object" else None
            if items.get("type") == "json":
                return True
        if nested and _has_json(nested):
            return True
    return False


def _cases() -> tuple[list[Any], dict[str, str]]:
    chosen, left_out = [], {}
    for case in corpus_manifest():
        if case["format"] != "json_schema" or case["expect"] != "accept":
            continue
        text = (corpus_dir() / case["path"]).read_text(encoding="utf-8")
        result = validate("json_schema", text)
        entities = list(result.entities)
        if any("not fetched" in w.message for w in result.warnings):
            left_out[case["path"]] = "refers to other documents, which are never fetched"
        elif any(_has_json(e["fields"]) for e in entities):
            left_out[case["path"]] = "has json fields, which say nothing a record could be checked by"
        elif not entities:
            left_out[case["path"]] = "describes no object, so it has no entities"
        elif not _checked_entities(json.loads(text), entities):
            left_out[case["path"]] = "every entity combines subschemas, which the model does not keep"
        else:
            chosen.append(pytest.param(case["path"], text, entities, id=Path(case["path"]).name))
    return chosen, left_out


CASES, LEFT_OUT = _cases()


def test_the_schemas_the_model_can_say_are_checked_and_the_rest_say_why() -> None:
    assert len(CASES) >= 12, LEFT_OUT
    assert all(LEFT_OUT.values())


def _validator_for(document: dict[str, Any], entity: str, first: bool) -> Any:
    cls = jsonschema.validators.validator_for(document)
    if first:
        return cls(document, format_checker=cls.FORMAT_CHECKER)
    pointer = entity.replace("~", "~0").replace("/", "~1")
    where = "$defs" if entity in document.get("$defs", {}) else "definitions"
    wrapper = {k: v for k, v in document.items() if k in ("$schema", "$id", "$defs", "definitions")}
    wrapper["$ref"] = f"#/{where}/{pointer}"
    return cls(wrapper, format_checker=cls.FORMAT_CHECKER)


@pytest.mark.parametrize(("path", "text", "entities"), CASES)
def test_every_sample_record_validates_against_its_schema(path: str, text: str, entities: Any) -> None:
    document = json.loads(text)
    made = generate(entities, rows=ROWS, seed=11)
    for name, root in _checked_entities(document, entities):
        validator = _validator_for(document, name, root)
        for record in made[name]:
            errors = list(validator.iter_errors(record))
            assert not errors, f"{path} {name}: {errors[0].message} at {list(errors[0].path)}"
