"""Every case of the shared corpus behaves as its manifest says."""

from __future__ import annotations

from typing import Any

import pytest

from registry.formats import validate
from tests.formats.conftest import corpus_dir, corpus_manifest

MANIFEST = corpus_manifest()


def test_corpus_is_present() -> None:
    assert MANIFEST, f"no cases in {corpus_dir()}/manifest.json"


@pytest.mark.parametrize("case", MANIFEST, ids=[c["path"] for c in MANIFEST])
def test_corpus_case(case: dict[str, Any]) -> None:
    text = (corpus_dir() / case["path"]).read_text(encoding="utf-8")
    result = validate(case["format"], text, dialect=case.get("dialect"))
    if case["expect"] == "accept":
        assert result.valid, [e.to_json() for e in result.errors]
        names = {entity["name"] for entity in result.entities}
        missing = [name for name in case.get("entities", []) if name not in names]
        assert not missing, f"entities missing: {missing}"
    else:
        assert not result.valid
        assert any(error.line for error in result.errors), [e.to_json() for e in result.errors]
