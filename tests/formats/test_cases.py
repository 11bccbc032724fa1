"""Hand-made cases under tests/cases/<format>/{valid,invalid}: one good and one bad per rule.

Conventions (so adding a case needs no code):
- SQL files may name their dialect on the first line: ``-- dialect: postgres``.
- An invalid case may state where its first error is with ``expect-line: N`` in a comment on its
  first line (YAML ``#``, SQL ``--``); JSON cases cannot carry comments and are checked for a line only.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from registry.formats import validate
from tests.formats.conftest import case_files

CASES = case_files()
DIALECT = re.compile(r"dialect:\s*(\w+)")
EXPECT_LINE = re.compile(r"expect-line:\s*(\d+)")


def _first_line(text: str) -> str:
    return text.split("\n", 1)[0]


@pytest.mark.parametrize(("fmt", "kind", "path"), CASES, ids=[f"{c[0]}/{c[1]}/{c[2].name}" for c in CASES])
def test_case(fmt: str, kind: str, path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    first = _first_line(text)
    dialect = DIALECT.search(first) if fmt == "sql" else None
    result = validate(fmt, text, dialect=dialect.group(1) if dialect else None)
    errors = [e.to_json() for e in result.errors]
    if kind == "valid":
        assert result.valid, errors
        assert result.entities or fmt == "json_schema"  # `true` is a schema with no entities
    else:
        assert not result.valid
        assert all(e["line"] for e in errors), errors
        expected = EXPECT_LINE.search(first)
        if expected:
            assert int(expected.group(1)) in {e["line"] for e in errors}, errors


def test_every_format_has_good_and_bad_cases() -> None:
    kinds = {(fmt, kind) for fmt, kind, _ in CASES}
    for fmt in ("yaml", "json_schema", "json_parquet", "sql"):
        assert (fmt, "valid") in kinds
        assert (fmt, "invalid") in kinds
