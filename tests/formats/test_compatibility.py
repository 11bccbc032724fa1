"""The compatibility cases under tests/cases/compatibility/<case>/{old.<ext>,new.<ext>,expected.json}.

Both documents are validated by the real validators and their entities compared. ``expected.json``
lists every change, in order, as ``{"kind", "path", "breaks"}`` and, where a case wants them
checked too, any of ``line``, ``column``, ``before``, ``after`` and ``message``. Each case is also
checked the other way round: comparing new with old must give the mirror image (added for
removed, narrowed for widened, BACKWARD for FORWARD), which tests both directions of every rule
with one file.
A SQL document may name its dialect on its first line (``-- dialect: postgres``); SQL names are
compared case-insensitively when either side is SQL.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from registry.formats import validate
from registry.formats.compatibility import Change, compare
from tests.formats.conftest import case_document, compatibility_cases

CASES = compatibility_cases()
DIALECT = re.compile(r"dialect:\s*(\w+)")

# Swapping old and new turns each kind into its mirror; the others are their own mirror.
MIRROR = {
    "entity-added": "entity-removed",
    "field-added": "field-removed",
    "nullable-narrowed": "nullable-widened",
    "made-required": "made-optional",
    "type-widened": "type-narrowed",
    "bound-loosened": "bound-narrowed",
    "enum-values-added": "enum-values-removed",
    "primary-key-added": "primary-key-removed",
}
MIRROR.update({v: k for k, v in MIRROR.items()})
SWAP = {"BACKWARD": "FORWARD", "FORWARD": "BACKWARD"}


def _entities(folder: Path, stem: str) -> tuple[str, list[dict[str, Any]]]:
    fmt, path = case_document(folder, stem)
    text = path.read_text(encoding="utf-8")
    dialect = DIALECT.search(text.split("\n", 1)[0]) if fmt == "sql" else None
    result = validate(fmt, text, dialect=dialect.group(1) if dialect else None)
    assert result.valid, (path.name, [e.to_json() for e in result.errors])
    return fmt, list(result.entities)


def _case_insensitive(folder: Path) -> bool:
    return "sql" in (case_document(folder, "old")[0], case_document(folder, "new")[0])


def _compare(folder: Path, *, reverse: bool = False) -> list[Change]:
    _, old = _entities(folder, "old")
    _, new = _entities(folder, "new")
    if reverse:
        old, new = new, old
    return compare(old, new, case_insensitive=_case_insensitive(folder))


def _expected(folder: Path) -> list[dict[str, Any]]:
    expected: list[dict[str, Any]] = json.loads((folder / "expected.json").read_text(encoding="utf-8"))
    assert isinstance(expected, list)
    return expected


def _brief(change: Change) -> dict[str, Any]:
    return {"kind": change.kind, "path": change.path, "breaks": list(change.breaks)}


def _mirror(item: dict[str, Any]) -> dict[str, Any]:
    # Only what a reversed comparison keeps: places and values belong to the other document.
    breaks = sorted(SWAP[b] for b in item["breaks"])
    return {"kind": MIRROR.get(item["kind"], item["kind"]), "path": item["path"], "breaks": breaks}


def _key(item: dict[str, Any]) -> str:
    return json.dumps(item, sort_keys=True)


def test_there_are_cases() -> None:
    assert len(CASES) >= 40


@pytest.mark.parametrize("folder", CASES, ids=[c.name for c in CASES])
def test_case(folder: Path) -> None:
    changes = _compare(folder)
    expected = _expected(folder)
    # kind, path and breaks always; line, column, before, after or message where the case says them
    found = [
        {k: v for k, v in c.to_json().items() if k in ("kind", "path", "breaks") or k in wanted}
        for c, wanted in zip(changes, expected, strict=False)
    ]
    assert found + [_brief(c) for c in changes[len(expected) :]] == expected
    for found in changes:
        assert found.path in found.message, found.message  # every message names what it is about


@pytest.mark.parametrize("folder", CASES, ids=[c.name for c in CASES])
def test_case_reversed(folder: Path) -> None:
    """Old and new swapped: every change turns into its mirror image."""
    changes = [_brief(c) for c in _compare(folder, reverse=True)]
    mirrored = [_mirror(item) for item in _expected(folder)]
    if _case_insensitive(folder):  # paths are spelled as the new document spells them
        for item in changes + mirrored:
            item["path"] = item["path"].casefold()
    assert sorted(changes, key=_key) == sorted(mirrored, key=_key)


@pytest.mark.parametrize("folder", CASES, ids=[c.name for c in CASES])
def test_case_against_itself_has_no_change(folder: Path) -> None:
    for stem in ("old", "new"):
        fmt, entities = _entities(folder, stem)
        assert compare(entities, entities, case_insensitive=fmt == "sql") == []
