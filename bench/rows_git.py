"""Row 5 (clone against ``git http-backend``) and row 9 (bytes on disk per commit after maintenance)."""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench.context import Context
from bench.procs import read_head_of, start_git_backend, wait_settled
from bench.rows_http import put_load
from bench.rows_scale import timed_gets
from bench.table import Row, at_most, ratio
from repo_store import pack_count

CLONE_TIMEOUT_SECONDS = 900


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
        ),
        _old_version_row(ctx),
    ]


def _old_version_row(ctx: Context) -> Row:
    """The clone group as it was at an old version: the first read of that version against repeats."""
    group = ctx.groups["clone"]
    server = ctx.registry()
    listed = subprocess.run(
        ["git", f"--git-dir={ctx.group_path(group)}", "rev-list", "--first-parent", "main"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    warm_up, measured = listed[len(listed) // 4], listed[len(listed) // 2]
    timed_gets(server.port, ctx.key, f"/project-group/{group.id}?at={warm_up}", 1)  # builds history
    path = f"/project-group/{group.id}?at={measured}"
    first = timed_gets(server.port, ctx.key, path, 1)[0]
    again = statistics.median(timed_gets(server.port, ctx.key, path, 5))
    return Row(
        "5b",
        f"group as of an old version (?at=), {len(group.project_ids):,} projects, first read",
        f"{first * 1000:.1f} ms",
        f"{again * 1000:.1f} ms (the same read again, median of 5)",
        ratio(first, again),
        "report",
        "built from the group's history alone (built by an earlier read); no schema is read",
    )


def _disk_bytes(repo: Path, old: str, new: str) -> int:
    """Bytes the objects of ``old..new`` take on disk in ``repo`` (packed, deltas included)."""
    objects = subprocess.run(
        ["git", f"--git-dir={repo}", "rev-list", "--objects", f"{old}..{new}"],
        check=True,
        capture_output=True,
    ).stdout
    sizes = subprocess.run(
        ["git", f"--git-dir={repo}", "cat-file", "--batch-check=%(objectsize:disk)"],
        input=b"\n".join(line.split(b" ")[0] for line in objects.splitlines()) + b"\n",
        check=True,
        capture_output=True,
    ).stdout
    return sum(int(size) for size in sizes.split())


def _count(repo: Path, old: str, new: str) -> int:
    out = subprocess.run(
        ["git", f"--git-dir={repo}", "rev-list", "--count", f"{old}..{new}"],
        check=True,
        capture_output=True,
        text=True,
    )
    return int(out.stdout)


def row_9(ctx: Context) -> list[Row]:
    """Bytes per commit of row 3's commits after ``schema-registry maintain``, run while serving.

    Counted object by object (``%(objectsize:disk)``), so how a repack treated the older history
    does not matter; the baseline counts the same objects in a copy after ``git gc --aggressive``.
    """
    group = ctx.groups["big"]
    path = ctx.group_path(group)
    if "big_after" not in ctx.facts:  # row 3 did not run: make the one-line changes here
        ctx.facts["big_before"] = read_head_of(path)
        put_load(ctx, [f"/project/{pid}" for pid in group.project_ids[:10]])
        ctx.facts["big_after"] = read_head_of(path)
    old, new = str(ctx.facts["big_before"]), str(ctx.facts["big_after"])
    commits = _count(path, old, new)
    wait_settled([path])
    left_packs, left = pack_count(path), _disk_bytes(path, old, new) / commits
    ctx.registry()  # running: maintenance must work beside a live server
    subprocess.run(
        [
            sys.executable,
            "-m",
            "registry.ops.cli",
            "maintain",
            "--group",
            group.id,
            "--data-dir",
            str(ctx.data_dir),
        ],
        check=True,
        capture_output=True,
    )
    ours = _disk_bytes(path, old, new) / commits
    copy = ctx.scratch / "big-gc.git"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(path, copy)
    subprocess.run(["git", f"--git-dir={copy}", "gc", "--aggressive", "--prune=now", "-q"], check=True)
    base = _disk_bytes(copy, old, new) / commits
    shutil.rmtree(copy, ignore_errors=True)
    r = ratio(ours, base)
    return [
        Row(
            "9",
            f"bytes on disk per commit, one-line change, group of {len(group.project_ids):,} projects",
            f"{ours:,.0f} B (after schema-registry maintain)",
            f"{base:,.0f} B (git gc --aggressive)",
            r,
            "<= 1.5",
            f"{commits} commits from row 3; as the server left them: {left:,.0f} B in {left_packs} packs",
            at_most(r, 1.5),
        )
    ]
