"""docs/client.md works as written: its Python examples run against the real server, and its
pre-commit hook and GitHub Actions workflow call commands that exist."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from registry.core.metadata import EXTENSIONS
from registry.ops.cli import build_parser
from tests.support.server import Server

REPO = Path(__file__).resolve().parents[2]
DOC = REPO / "docs" / "client.md"


def blocks(language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```$", DOC.read_text("utf-8"), flags=re.M | re.S)


def test_the_python_examples_run_against_a_real_server(server: Server, tmp_path: Path) -> None:
    code = "\n".join(blocks("python"))
    assert code.count("registry.") > 10  # the examples were found
    script = tmp_path / "examples.py"
    script.write_text(code, "utf-8")
    env = {**os.environ, "REGISTRY_URL": server.url, "REGISTRY_KEY": server.admin_key()}
    result = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, env=env, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "422 invalid-schema the yaml schema has 1 error(s)" in out
    assert "users.yaml:2:7: unknown type 'nosuchtype'" in out
    assert "412 the current version is" in out
    assert "[('create', 'orders'), ('rename', 'customers')]" in out
    assert re.search(r"^[0-9a-f]{12} batch \['orders', 'customers'\]$", out, flags=re.M)


def test_the_workflow_and_its_commands_parse() -> None:
    (workflow,) = blocks("yaml")[1:]
    doc: dict[Any, Any] = yaml.safe_load(workflow)
    steps = doc["jobs"]["schemas"]["steps"]
    runs = [step["run"] for step in steps if "run" in step and step["run"].startswith("schema-registry")]
    assert len(runs) == 3
    parser = build_parser()
    for run in runs:
        args = parser.parse_args(shlex.split(run.replace("${{ github.sha }}", "sha"))[1:])
        assert args.command in ("validate", "sync")


def test_the_pre_commit_hook_validates_the_files_it_matches(tmp_path: Path) -> None:
    (hook,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text("utf-8"))
    config = yaml.safe_load(blocks("yaml")[0])  # the docs' .pre-commit-config.yaml names this hook
    assert config["repos"][0]["hooks"][0]["id"] == hook["id"]
    pattern = re.compile(hook["files"])
    names = [f"s{ext}" for ext in EXTENSIONS.values()]
    assert all(pattern.search(name) for name in names)
    assert not any(pattern.search(name) for name in ("s.yml", "s.json", "notes.md"))
    (tmp_path / "good.yaml").write_text("User:\n  id: number\n")
    (tmp_path / "bad.sql").write_text("CREATE TABLE t (id INT;\n")
    entry = shlex.split(hook["entry"])
    assert entry[0] == "schema-registry"
    command = [sys.executable, "-m", "registry.ops.cli", *entry[1:]]  # as pre-commit runs it: names last
    good = subprocess.run([*command, "good.yaml"], cwd=tmp_path, capture_output=True, text=True, check=False)
    assert good.returncode == 0, good.stderr
    bad = subprocess.run(
        [*command, "good.yaml", "bad.sql"], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert bad.returncode == 1
    assert bad.stdout.startswith("bad.sql:1:")
