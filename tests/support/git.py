"""Running the real git client against the server and reading bare repositories."""

from __future__ import annotations

import subprocess
from pathlib import Path


def git(
    *args: str, cwd: Path | None = None, check: bool = True, key: str | None = None
) -> subprocess.CompletedProcess[str]:
    cmd = ["git"]
    if key is not None:
        cmd += ["-c", f"http.extraHeader=Authorization: Bearer {key}"]
    env = {
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_CONFIG_NOSYSTEM": "1",
        "HOME": str(cwd or Path.cwd()),
        "PATH": "/usr/bin:/bin",
    }
    return subprocess.run(
        [*cmd, *args], cwd=cwd, capture_output=True, text=True, check=check, timeout=120, env=env
    )


def repo_path(data_dir: Path, group_id: str) -> Path:
    return data_dir / "groups" / f"{group_id}.git"


def commit_count(repo: Path) -> int:
    return int(git("--git-dir", str(repo), "rev-list", "--count", "main").stdout)


def tree_files(repo: Path, rev: str = "main") -> list[str]:
    return git("--git-dir", str(repo), "ls-tree", "--name-only", rev).stdout.split()


def show(repo: Path, rev_path: str) -> bytes:
    return subprocess.run(
        ["git", "--git-dir", str(repo), "show", rev_path], capture_output=True, check=True
    ).stdout
