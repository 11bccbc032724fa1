"""Counterexamples: for each breaking change of the compatibility cases, a record that a writer
on one version emits and a reader on the other refuses.

Checked by our reader model for every format, and for JSON Schema cases also by jsonschema
itself: valid under the writer's document, invalid under the reader's, both ways round.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from registry.formats.compatibility import compare
from registry.formats.samples.accepts import accepts
from registry.formats.samples.counterexample import _entity_at, example
from tests.formats.conftest import case_document, compatibility_cases
from tests.formats.test_compatibility import _case_insensitive, _entities

CASES = compatibility_cases()
NO_RECORD_SHOWS = {"primary-key-changed", "primary-key-added", "primary-key-removed", "closed-changed"}
# A retargeted reference shows in a data set (its values name records of another entity), not in
# one record, unless the two targets' keys differ in type.
SOMETIMES = {"reference-retargeted"}


def _shown(folder: Path, reverse: bool) -> list[tuple[Any, Any, Any, Any]]:
    _, old = _entities(folder, "old")
    _, new = _entities(folder, "new")
    if reverse:
        old, new = new, old
    found = []
    for change in compare(old, new, case_insensitive=_case_insensitive(folder)):
        if change.breaks:
            found.append((change, example(change, old, new), old, new))
    return found


@pytest.mark.parametrize("reverse", [False, True], ids=["forwards", "backwards"])
@pytest.mark.parametrize("folder", CASES, ids=[c.name for c in CASES])
def test_every_example_is_emitted_by_one_side_and_refused_by_the_other(folder: Path, reverse: bool) -> None:
    for change, shown, old, new in _shown(folder, reverse):
        if shown is None:
            continue
        writers, readers = (old, new) if shown["direction"] == "BACKWARD" else (new, old)
        assert shown["direction"] in change.breaks
        writer, _ = _entity_at(change.path, writers)
        reader, _ = _entity_at(change.path, readers)
        assert writer is not None and reader is not None
        assert accepts(writer, shown["record"], closed=True), (change.kind, shown)
        assert not accepts(reader, shown["record"]), (change.kind, shown)


def test_most_breaking_changes_have_an_example_and_key_changes_none() -> None:
    shown = missing = 0
    for folder in CASES:
        for reverse in (False, True):
            for change, found, _, _ in _shown(folder, reverse):
                if change.kind in NO_RECORD_SHOWS:
                    assert found is None, change
                elif change.kind in SOMETIMES:
                    continue
                elif found is None:
                    missing += 1
                else:
                    shown += 1
    assert shown >= 4 * missing, (shown, missing)


JSON_SCHEMA_CASES = [c for c in CASES if {case_document(c, s)[0] for s in ("old", "new")} == {"json_schema"}]


@pytest.mark.parametrize("reverse", [False, True], ids=["forwards", "backwards"])
@pytest.mark.parametrize("folder", JSON_SCHEMA_CASES, ids=[c.name for c in JSON_SCHEMA_CASES])
def test_json_schema_examples_hold_for_jsonschema_itself(folder: Path, reverse: bool) -> None:
    documents = [json.loads(case_document(folder, s)[1].read_text(encoding="utf-8")) for s in ("old", "new")]
    old_doc, new_doc = reversed(documents) if reverse else documents
    checked = 0
    for change, shown, old, _ in _shown(folder, reverse):
        entity, _ = _entity_at(change.path, old)
        # The documents as a whole validate their own (first) entity; a nested path's example
        # is still a whole record of that entity.
        if shown is None or entity is not old[0]:
            continue
        writer, reader = (old_doc, new_doc) if shown["direction"] == "BACKWARD" else (new_doc, old_doc)
        record = shown["record"]
        assert jsonschema.validators.validator_for(writer)(writer).is_valid(record), (change, shown)
        assert not jsonschema.validators.validator_for(reader)(reader).is_valid(record), (change, shown)
        checked += 1
    CHECKED_BY_JSONSCHEMA[folder.name, reverse] = checked


CHECKED_BY_JSONSCHEMA: dict[tuple[str, bool], int] = {}


def test_jsonschema_checked_many_examples() -> None:
    """Runs after the test above (file order): its examples were checked, not all passed over."""
    assert sum(CHECKED_BY_JSONSCHEMA.values()) >= 20, CHECKED_BY_JSONSCHEMA
