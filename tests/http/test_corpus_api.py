"""Every case of the shared corpus behaves as its manifest says through HTTP: POST /validate and PUT.

The validators themselves are tested case by case in tests/formats/test_corpus.py (which also fails
when the corpus is missing); this proves the HTTP layer adds and loses nothing: the same verdict,
the same errors on a 422, nothing committed for a refused schema, and the stored schema's entities.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest

from tests.formats.conftest import corpus_dir, corpus_manifest
from tests.support.client import Client
from tests.support.git import commit_count, repo_path
from tests.support.server import Server

MANIFEST = corpus_manifest()


@pytest.fixture(scope="module")
def corpus_group(api: Client) -> dict[str, Any]:
    """One group for the whole corpus: each case gets its own project in it."""
    response = api.post("/project-group", {"name": f"corpus-{uuid.uuid4().hex[:10]}"})
    assert response.status == 201, response
    body: dict[str, Any] = response.json
    return body


def _project_for(api: Client, group: dict[str, Any], case: dict[str, Any]) -> dict[str, Any]:
    name = re.sub(r"[^A-Za-z0-9]+", "-", case["path"])
    response = api.post("/project", {"project_group_id": group["id"], "name": name})
    assert response.status == 201, response
    body: dict[str, Any] = response.json
    return body


@pytest.mark.parametrize("case", MANIFEST, ids=[c["path"] for c in MANIFEST])
def test_corpus_case_through_http(
    api: Client, server: Server, corpus_group: dict[str, Any], case: dict[str, Any]
) -> None:
    body = {
        "format": case["format"],
        "data": (corpus_dir() / case["path"]).read_text(encoding="utf-8"),
        "dialect": case.get("dialect"),
    }
    checked = api.post("/validate", body)
    assert checked.status == 200, checked
    result = checked.json
    project = _project_for(api, corpus_group, case)
    repo = repo_path(server.data_dir, corpus_group["id"])
    commits = commit_count(repo)
    stored = api.put(f"/project/{project['id']}", body)
    if case["expect"] == "accept":
        assert result["valid"], result["errors"]
        names = {entity["name"] for entity in result["entities"]}
        assert not [name for name in case.get("entities", []) if name not in names]
        assert stored.status == 200, stored
        assert stored.json["dialect"] == case.get("dialect")
        if case.get("entities"):  # only where the manifest cares: re-validating doubles the time
            entities = api.get(f"/project/{project['id']}/entities")
            assert entities.status == 200, entities
            assert entities.json["version"] == stored.json["version"]
            assert entities.json["entities"] == result["entities"]
            assert entities.json["warnings"] == result["warnings"]
    else:
        assert not result["valid"]
        assert result["entities"] == []
        assert any(error["line"] for error in result["errors"]), result["errors"]
        assert stored.status == 422, stored
        assert stored.json["code"] == "invalid-schema"
        assert stored.json["errors"] == result["errors"]
        assert commit_count(repo) == commits
        assert api.get(f"/project/{project['id']}").json["data"] is None
