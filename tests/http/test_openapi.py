"""docs/openapi.yaml is served at /openapi.json and documents every route the app has."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from registry.core.config import Config
from registry.http.app import create_app
from registry.http.problems import PROBLEM_CODES
from tests.support.client import Client
from tests.support.openapi_check import OPENAPI_PATH

UNDOCUMENTED = {"/git/{repo}/info/refs", "/git/{repo}/git-upload-pack", "/git/{repo}/git-receive-pack"}


def test_served_document_is_the_one_in_docs(api: Client) -> None:
    response = api.get("/openapi.json")
    assert response.status == 200
    assert response.json == yaml.safe_load(OPENAPI_PATH.read_text())
    assert response.json["openapi"].startswith("3.1")


def test_every_route_is_documented(tmp_path: Path) -> None:
    app = create_app(Config(data_dir=tmp_path))
    documented = yaml.safe_load(OPENAPI_PATH.read_text())["paths"]
    normalized = {re.sub(r"\{[^}]+\}", "{}", path): ops for path, ops in documented.items()}
    for route in app.router.routes():
        info = route.resource.get_info() if route.resource else {}
        path = info.get("path") or info.get("formatter")
        if route.method == "HEAD" or path in UNDOCUMENTED:
            continue
        key = re.sub(r"\{[^}]+\}", "{}", str(path))
        assert key in normalized, f"{route.method} {path} is not in docs/openapi.yaml"
        assert route.method.lower() in normalized[key], f"{route.method} {path} is not in docs/openapi.yaml"


def test_every_problem_code_the_server_sends_is_documented() -> None:
    sent = PROBLEM_CODES
    problem = yaml.safe_load(OPENAPI_PATH.read_text())["components"]["schemas"]["Problem"]
    assert sent == set(problem["properties"]["code"]["enum"])
    table = (Path(__file__).parents[2] / "docs" / "api.md").read_text()
    assert [code for code in sorted(sent) if f"| `{code}` |" not in table] == []
