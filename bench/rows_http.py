"""Rows 1-4: reads and writes over HTTP against their baselines."""

from __future__ import annotations

import json
import multiprocessing
import shutil
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from bench.commit_loop import dulwich_commits_per_second, store_commits_per_second
from bench.context import Context
from bench.generate import BuiltGroup, schema_text
from bench.load import PLACEHOLDER, LoadResult, LoadSpec, run_load
from bench.procs import read_head_of, start_baseline_app, wait_settled
from bench.table import Row, at_least, ratio
from registry.core.names import group_of_project

READ_CONNECTIONS = 32
CommitLoop = Callable[[Path, list[str], float], tuple[int, float]]
WRITE_CONNECTIONS = 16


def _notes(result: LoadResult) -> str:
    errors = f", {result.errors} errors" if result.errors else ""
    return f"{result.tool}; p50 {result.p50_ms:.1f} ms, p99 {result.p99_ms:.1f} ms{errors}"


def row_1(ctx: Context) -> list[Row]:
    group = ctx.groups["small"]
    paths = [f"/project/{pid}" for pid in group.project_ids]
    body = ctx.registry().get(paths[0], ctx.key)
    body_file = ctx.scratch / "project-body.json"
    body_file.write_bytes(body)
    seconds = ctx.scale.read_seconds
    baseline_app = start_baseline_app(body_file, ctx.key, ctx.scratch / "baseline-app.log")
    runs: list[tuple[LoadResult, LoadResult]] = []
    try:
        # Alternated, so that load from elsewhere on a shared machine hits both alike.
        for _ in range(ctx.scale.read_rounds):
            ours = run_load(
                LoadSpec(ctx.registry().url, "GET", paths, ctx.key, READ_CONNECTIONS, seconds), ctx.tool
            )
            theirs = run_load(
                LoadSpec(baseline_app.url, "GET", paths, ctx.key, READ_CONNECTIONS, seconds), ctx.tool
            )
            runs.append((ours, theirs))
    finally:
        baseline_app.stop()
    server = sorted((o for o, _ in runs), key=lambda x: x.per_second)[len(runs) // 2]
    base = sorted((t for _, t in runs), key=lambda x: x.per_second)[len(runs) // 2]
    r = ratio(server.per_second, base.per_second)
    return [
        Row(
            "1",
            f"GET /project/:id req/s, {READ_CONNECTIONS} connections ({len(body)} B body)",
            f"{server.per_second:,.0f} req/s",
            f"{base.per_second:,.0f} req/s (minimal aiohttp app)",
            r,
            ">= 0.8",
            f"{_notes(server)}; median of {len(runs)} alternated runs each "
            f"(ratios {', '.join(f'{o.per_second / t.per_second:.2f}' for o, t in runs)})",
            at_least(r, 0.8),
        )
    ]


def put_template() -> str:
    return json.dumps({"data": schema_text(1, PLACEHOLDER)})


def put_load(ctx: Context, paths: list[str]) -> LoadResult:
    spec = LoadSpec(
        ctx.registry().url, "PUT", paths, ctx.key, WRITE_CONNECTIONS, ctx.scale.write_seconds, put_template()
    )
    result = run_load(spec, ctx.tool)
    groups = {group_of_project(path.rsplit("/", 1)[1]) for path in paths}
    wait_settled([ctx.data_dir / "groups" / f"{g}.git" for g in sorted(g for g in groups if g)])
    if result.requests == 0:
        raise RuntimeError("no PUT completed; see the server log")
    return result


def _commit_loop(ctx: Context, group: BuiltGroup, loop: CommitLoop) -> float:
    """Commits per second of a loop on a copy of the group (the server's repository is left alone)."""
    return _commit_loops(ctx, [group], loop)


def _commit_loops(ctx: Context, groups: list[BuiltGroup], loop: CommitLoop) -> float:
    """Commits per second of one loop per group, each on a copy and in a process of its own (so
    no GIL is shared), all started at the same moment."""
    copies = [ctx.scratch / "loop" / f"{group.id}.git" for group in groups]
    for group, copy in zip(groups, copies, strict=True):
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(ctx.group_path(group), copy)
    project_ids = [list(group.project_ids[:10]) for group in groups]
    seconds = ctx.scale.write_seconds
    try:
        if len(groups) == 1:
            commits, elapsed = loop(copies[0], project_ids[0], seconds)
            return commits / elapsed
        start_at = time.time() + LOOP_START_DELAY_SECONDS
        with ProcessPoolExecutor(len(groups), mp_context=multiprocessing.get_context("fork")) as pool:
            futures = [
                pool.submit(_loop_at, start_at, loop, c, p, seconds)
                for c, p in zip(copies, project_ids, strict=True)
            ]
            runs = [future.result() for future in futures]
        return sum(commits for commits, _ in runs) / max(elapsed for _, elapsed in runs)
    finally:
        for copy in copies:
            shutil.rmtree(copy, ignore_errors=True)


LOOP_START_DELAY_SECONDS = 1.0  # time for every process of _commit_loops to be up


def _loop_at(
    start_at: float, loop: CommitLoop, path: Path, project_ids: list[str], seconds: float
) -> tuple[int, float]:
    time.sleep(max(0.0, start_at - time.time()))
    return loop(path, project_ids, seconds)


def _put_row(ctx: Context, key: str, group: BuiltGroup) -> Row:
    paths = [f"/project/{pid}" for pid in group.project_ids[:10]]
    result = put_load(ctx, paths)
    ctx.facts[f"put_rate_{key}"] = result.per_second
    loop_rate = _commit_loop(ctx, group, dulwich_commits_per_second)
    store_rate = _commit_loop(ctx, group, store_commits_per_second)
    r = ratio(result.per_second, loop_rate)
    return Row(
        key,
        f"PUT yaml (durable) req/s, {WRITE_CONNECTIONS} clients, "
        f"1 group of {len(group.project_ids):,} projects",
        f"{result.per_second:,.1f} req/s",
        f"{loop_rate:,.1f} commits/s (dulwich loop, fsync)",
        r,
        ">= 1.0",
        f"{_notes(result)}; repo_store writer loop {store_rate:,.1f} commits/s",
        at_least(r, 1.0),
    )


def row_2(ctx: Context) -> list[Row]:
    return [_put_row(ctx, "2", ctx.groups["small"])]


def row_3(ctx: Context) -> list[Row]:
    group = ctx.groups["big"]
    ctx.facts["big_before"] = read_head_of(ctx.group_path(group))
    row = _put_row(ctx, "3", group)
    ctx.facts["big_after"] = read_head_of(ctx.group_path(group))
    return [row]


def row_4(ctx: Context) -> list[Row]:
    groups = ctx.parallel
    width = min(len(g.project_ids) for g in groups)
    # Interleaved, so consecutive requests of a client go to different groups.
    paths = [f"/project/{g.project_ids[i]}" for i in range(width) for g in groups]
    one_group = ctx.facts.get("put_rate_2")
    if not isinstance(one_group, float):  # row 2 did not run: measure the one-group figure here
        one_group = put_load(ctx, [f"/project/{pid}" for pid in groups[0].project_ids]).per_second
    result = put_load(ctx, paths)
    # What storage alone allows: one commit per publish in every group at once, no HTTP. A write
    # to a group of its own cannot share its flush, so this is about the most the row can reach.
    storage_rate = _commit_loops(ctx, groups, store_commits_per_second)
    r = ratio(result.per_second, one_group)
    return [
        Row(
            "4",
            f"PUT req/s, {WRITE_CONNECTIONS} clients across {len(groups)} groups",
            f"{result.per_second:,.1f} req/s",
            f"{one_group:,.1f} req/s (one group, row 2)",
            r,
            ">= 1.5",
            f"{_notes(result)}; repo_store writer loops, {len(groups)} groups at once: "
            f"{storage_rate:,.1f} commits/s ({storage_rate / one_group:.2f} of the one-group figure)",
            at_least(r, 1.5),
        )
    ]
