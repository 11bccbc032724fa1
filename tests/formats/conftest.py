"""Where the schema corpus and the hand-made cases live: both inside the repository."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
CASES = REPO / "tests" / "cases"
CORPUS = REPO / "tests" / "corpus"


def corpus_dir() -> Path:
    """The corpus of real-world schemas (``tests/corpus``, see its README for sources)."""
    return CORPUS


def corpus_manifest() -> list[dict[str, Any]]:
    """The manifest's cases."""
    manifest = corpus_dir() / "manifest.json"
    cases: list[dict[str, Any]] = json.loads(manifest.read_text(encoding="utf-8"))
    return cases


def case_files() -> list[tuple[str, str, Path]]:
    """(format, "valid"/"invalid", path) of every hand-made case under tests/cases."""
    found = []
    for path in sorted(CASES.glob("*/*/*")):
        if path.is_file():
            found.append((path.parent.parent.name, path.parent.name, path))
    return found
