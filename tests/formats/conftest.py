"""Where the shared schema corpus and the hand-made cases live."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
CASES = REPO / "tests" / "cases"


def corpus_dir() -> Path:
    """``shared/corpus`` beside the checkout, or ``$SCHEMA_CORPUS_DIR``."""
    override = os.environ.get("SCHEMA_CORPUS_DIR")
    return Path(override) if override else (REPO / ".." / "shared" / "corpus").resolve()


def corpus_manifest() -> list[dict[str, Any]]:
    """The manifest's cases; an empty list when the corpus is missing (its test then fails)."""
    manifest = corpus_dir() / "manifest.json"
    if not manifest.is_file():
        return []
    cases: list[dict[str, Any]] = json.loads(manifest.read_text(encoding="utf-8"))
    return cases


def case_files() -> list[tuple[str, str, Path]]:
    """(format, "valid"/"invalid", path) of every hand-made case under tests/cases."""
    found = []
    for path in sorted(CASES.glob("*/*/*")):
        if path.is_file():
            found.append((path.parent.parent.name, path.parent.name, path))
    return found
