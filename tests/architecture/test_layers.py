"""The floors of docs/architecture.md hold: import-linter's contracts in pyproject.toml pass, and
they would stop a change that climbs a floor."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=root, env=env, capture_output=True, text=True, timeout=120
    )


def test_the_contracts_are_kept() -> None:
    result = lint_imports(REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    contracts = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
    assert f"{len(contracts)} kept, 0 broken" in result.stdout


def copy_of_the_code(tmp_path: Path) -> Path:
    for package in ("registry", "repo_store"):
        shutil.copytree(REPO / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_core_importing_aiohttp_is_stopped(tmp_path: Path) -> None:
    root = copy_of_the_code(tmp_path)
    (root / "registry" / "core" / "climbs.py").write_text("from aiohttp import web\n")
    result = lint_imports(root)
    assert result.returncode == 1
    assert "Only the HTTP layer and the commands above it use aiohttp BROKEN" in result.stdout
    assert "registry.core.climbs -> aiohttp" in result.stdout


def test_core_importing_http_or_storage_importing_the_registry_is_stopped(tmp_path: Path) -> None:
    root = copy_of_the_code(tmp_path)
    (root / "registry" / "core" / "climbs.py").write_text("from registry.http import app\n")
    (root / "repo_store" / "climbs.py").write_text("from registry.core import catalog\n")
    (root / "registry" / "formats" / "climbs.py").write_text("from registry.core import names\n")
    result = lint_imports(root)
    assert result.returncode == 1
    assert "repo_store knows none of them BROKEN" in result.stdout
    for edge in (
        "registry.core.climbs -> registry.http",
        "repo_store.climbs -> registry.core",
        "registry.formats.climbs -> registry.core",
    ):
        assert edge in result.stdout, edge


def test_the_client_library_importing_the_server_is_stopped(tmp_path: Path) -> None:
    root = copy_of_the_code(tmp_path)
    (root / "registry" / "client" / "climbs.py").write_text(
        "from registry.core import names\nimport dulwich\n"
    )
    result = lint_imports(root)
    assert result.returncode == 1
    assert "The client library knows nothing of the server BROKEN" in result.stdout
    assert "registry.client.climbs -> registry.core.names" in result.stdout
    assert "registry.client.climbs -> dulwich" in result.stdout


def test_storage_and_the_domain_using_the_client_is_stopped(tmp_path: Path) -> None:
    root = copy_of_the_code(tmp_path)
    (root / "repo_store" / "climbs.py").write_text("import registry.client\n")
    (root / "registry" / "formats" / "climbs.py").write_text("from registry.client import models\n")
    (root / "registry" / "core" / "climbs.py").write_text("import registry.client.sync\n")
    result = lint_imports(root)
    assert result.returncode == 1
    assert "Storage imports nothing of the registry at all BROKEN" in result.stdout
    assert "never use the client library or httpx BROKEN" in result.stdout
    for edge in (
        "repo_store.climbs -> registry.client",
        "registry.formats.climbs -> registry.client",
        "registry.core.climbs -> registry.client",
    ):
        assert edge in result.stdout, edge
