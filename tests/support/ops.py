"""Helpers for the operations tests: metrics, JSON log lines, fsck, many clients at once."""

from __future__ import annotations

import io
import json
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from prometheus_client.parser import text_string_to_metric_families

from registry.ops.cli import main
from tests.support.client import Client


def metric_samples(client: Client) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """``/metrics`` as {(sample name, labels): value}."""
    response = client.get("/metrics")
    assert response.status == 200, response
    out = {}
    for family in text_string_to_metric_families(response.body.decode()):
        for sample in family.samples:
            out[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return out


def sample(samples: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def json_log_lines(text: str) -> Iterator[dict[str, Any]]:
    for line in text.splitlines():
        if line.startswith("{"):
            yield json.loads(line)


def fsck(repo: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", "--git-dir", str(repo), "fsck", "--strict", "--no-dangling", "--no-progress"],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def all_repositories(data_dir: Path) -> list[Path]:
    return sorted((data_dir / "groups").glob("_g*.git")) + sorted((data_dir / "deleted-groups").glob("*.git"))


def assert_fsck_clean(data_dir: Path) -> None:
    for repo in all_repositories(data_dir):
        result = fsck(repo)
        assert result.returncode == 0 and not result.stdout.strip(), (repo, result.stdout, result.stderr)


@dataclass
class CliResult:
    returncode: int
    stdout: str
    stderr: str


def cli(*args: str, data_dir: Path, check: bool = True) -> CliResult:
    """Run ``schema-registry ARGS --data-dir DIR`` in this process (its streams are injectable)."""
    out, err = io.StringIO(), io.StringIO()
    code = main([*args, "--data-dir", str(data_dir)], stdout=out, stderr=err)
    result = CliResult(code, out.getvalue(), err.getvalue())
    assert not check or code == 0, result
    return result
