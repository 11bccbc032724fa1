"""Where the schema corpus and the hand-made cases live: both inside the repository."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
CASES = REPO / "tests" / "cases"
CORPUS = REPO / "tests" / "corpus"
# Folders of tests/cases that hold one format's valid/invalid documents; `compatibility` holds
# old/new pairs instead (tests/formats/test_compatibility.py).
FORMAT_CASES = ("yaml", "json_schema", "json_parquet", "sql")


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
        if path.is_file() and path.parent.parent.name in FORMAT_CASES:
            found.append((path.parent.parent.name, path.parent.name, path))
    return found


# A compatibility case's documents are old.<ext> and new.<ext>; the extension names the format.
CASE_EXTENSIONS = {
    ".yaml": "yaml",
    ".sql": "sql",
    ".schema.json": "json_schema",
    ".parquet.json": "json_parquet",
}


def compatibility_cases() -> list[Path]:
    """Every folder of tests/cases/compatibility (each holds old, new and expected.json)."""
    return sorted(p for p in (CASES / "compatibility").iterdir() if p.is_dir())


def case_document(folder: Path, stem: str) -> tuple[str, Path]:
    """(format, path) of ``folder``'s ``old`` or ``new`` document."""
    found = [
        (fmt, path)
        for path in folder.glob(f"{stem}.*")
        for ext, fmt in CASE_EXTENSIONS.items()
        if path.name == stem + ext
    ]
    assert len(found) == 1, f"{folder}: expected one {stem}.<ext> of {sorted(CASE_EXTENSIONS)}, found {found}"
    return found[0]
