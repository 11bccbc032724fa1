"""Row 5 (clone against ``git http-backend``) and row 9 (bytes on disk per commit)."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

from bench.context import Context
from bench.procs import dir_bytes, read_head_of, start_git_backend
from bench.rows_http import put_load
from bench.table import Row, at_most, ratio

CLONE_TIMEOUT_SECONDS = 900
MAX_PACKED_COMMITS = 1000  # row 9 repacks at most this many of the newest commits


def _clone_seconds(url: str, dest: Path) -> tuple[float, str]:
    shutil.rmtree(dest, ignore_errors=True)
    start = time.perf_counter()
    subprocess.run(
        ["git", "clone", "--bare", "--quiet", url, str(dest)],
        check=True,
        timeout=CLONE_TIMEOUT_SECONDS,
        env={"GIT_TERMINAL_PROMPT": "0", "PATH": "/usr/bin:/bin"},
    )
    seconds = time.perf_counter() - start
    head = read_head_of(dest)
    shutil.rmtree(dest, ignore_errors=True)
    return seconds, head


def row_5(ctx: Context) -> list[Row]:
    group = ctx.groups["clone"]
    server = ctx.registry()
    backend = start_git_backend(ctx.data_dir / "groups", ctx.key, ctx.scratch / "git-backend.log")
    tries = 1 if group.commits >= 5000 else 2
    try:
        dest = ctx.scratch / "clone.git"
        base = min(
            _clone_seconds(f"http://bench:{ctx.key}@127.0.0.1:{backend.port}/{group.id}.git", dest)
            for _ in range(tries)
        )
        ours = min(
            _clone_seconds(f"http://bench:{ctx.key}@{server.url[7:]}/git/{group.id}.git", dest)
            for _ in range(tries)
        )
    finally:
        backend.stop()
    if ours[1] != base[1]:
        raise RuntimeError(f"the two clones differ: {ours[1]} vs {base[1]}")
    r = ratio(ours[0], base[0])
    return [
        Row(
            "5",
            f"git clone, group of {len(group.project_ids):,} projects and {group.commits:,} commits",
            f"{ours[0]:.2f} s",
            f"{base[0]:.2f} s (git http-backend)",
            r,
            "<= 1.5 (time)",
            f"best of {tries}; repository packed by the generator (git fast-import)",
            at_most(r, 1.5),
        )
    ]


def _packed_bytes(repo: Path, old: str, new: str) -> int:
    """Size of a pack of the objects of ``old..new``, made with ``git gc --aggressive``'s settings."""
    objects = subprocess.run(
        ["git", f"--git-dir={repo}", "rev-list", "--objects", f"{old}..{new}"],
        check=True,
        capture_output=True,
    ).stdout
    pack = subprocess.run(
        ["git", f"--git-dir={repo}", "pack-objects", "--window=250", "--depth=50", "--stdout", "-q"],
        input=b"\n".join(line.split(b" ")[0] for line in objects.splitlines()) + b"\n",
        check=True,
        capture_output=True,
    ).stdout
    return len(pack)


def _count(repo: Path, old: str, new: str) -> int:
    out = subprocess.run(
        ["git", f"--git-dir={repo}", "rev-list", "--count", f"{old}..{new}"],
        check=True,
        capture_output=True,
        text=True,
    )
    return int(out.stdout)


def row_9(ctx: Context) -> list[Row]:
    group = ctx.groups["big"]
    path = ctx.group_path(group)
    if "big_after" not in ctx.facts:  # row 3 did not run: make the one-line changes here
        ctx.facts["big_before"] = read_head_of(path)
        ctx.facts["big_bytes_before"] = dir_bytes(path)
        put_load(ctx, [f"/project/{pid}" for pid in group.project_ids[:10]])
        ctx.facts["big_after"] = read_head_of(path)
    old, new = str(ctx.facts["big_before"]), str(ctx.facts["big_after"])
    before = ctx.facts["big_bytes_before"]
    assert isinstance(before, tuple)
    after = dir_bytes(path)
    commits = _count(path, old, new)
    apparent, allocated = after[0] - before[0], after[1] - before[1]
    base_old = old
    if commits > MAX_PACKED_COMMITS:
        base_old = subprocess.run(
            ["git", f"--git-dir={path}", "rev-parse", f"{new}~{MAX_PACKED_COMMITS}"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    packed_commits = min(commits, MAX_PACKED_COMMITS)
    packed = _packed_bytes(path, base_old, new) / packed_commits
    r = ratio(allocated / commits, packed)
    return [
        Row(
            "9",
            f"bytes on disk per commit, one-line change, group of {len(group.project_ids):,} projects",
            f"{allocated / commits:,.0f} B (as written; {apparent / commits:,.0f} B apparent)",
            f"{packed:,.0f} B (git gc --aggressive settings)",
            r,
            "<= 1.5",
            f"{commits} commits from row 3, measured as the server left them",
            at_most(r, 1.5),
        )
    ]
