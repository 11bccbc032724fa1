"""Importing the client loads none of the server's dependencies (a CI job installs it to talk
HTTP, not to parse SQL)."""

from __future__ import annotations

import json
import subprocess
import sys

SERVER_SIDE = [
    "registry.core",
    "registry.http",
    "registry.ops",
    "registry.formats",
    "repo_store",
    "aiohttp",
    "dulwich",
    "sqlglot",
]


def _loaded(code: str) -> list[str]:
    probe = f"import sys\n{code}\nimport json\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    modules: list[str] = json.loads(out.stdout)
    return [m for m in modules if any(m == s or m.startswith(s + ".") for s in SERVER_SIDE)]


def test_importing_the_client_loads_nothing_of_the_server() -> None:
    assert _loaded("import registry.client") == []
    assert _loaded("from registry.client import RegistryClient, AsyncRegistryClient") == []


def test_the_probe_sees_server_modules_when_they_are_loaded() -> None:
    assert "sqlglot" in _loaded("import registry.client\nimport registry.formats.sql")
    assert "dulwich" in _loaded("import registry.core.catalog")
