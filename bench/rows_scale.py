"""Rows 6-8: history at depth, start-up with many groups, resident memory."""

from __future__ import annotations

import http.client
import statistics
import time
from pathlib import Path

from bench.context import Context
from bench.procs import admin_key, start_registry
from bench.table import Row, at_most, ratio

HISTORY_LIMIT = 50
MEMORY_GOAL_MIB = 300
STARTUP_GOAL_SECONDS = 5.0


def timed_gets(port: int, key: str, path: str, count: int) -> list[float]:
    """Seconds per sequential GET on one kept-alive connection; raises on a non-200."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    times = []
    try:
        for _ in range(count):
            start = time.perf_counter()
            conn.request("GET", path, headers={"Authorization": f"Bearer {key}"})
            response = conn.getresponse()
            body = response.read()
            times.append(time.perf_counter() - start)
            if response.status != 200:
                raise RuntimeError(f"GET {path}: {response.status} {body[:200]!r}")
    finally:
        conn.close()
    return times


def row_6(ctx: Context) -> list[Row]:
    server = ctx.registry()
    small, middle, deep = ctx.scale.history_commits
    cold: dict[int, float] = {}
    warm: dict[int, float] = {}
    for commits in (small, middle, deep):
        group = ctx.groups[f"history-{commits}"]
        path = f"/project/{group.project_ids[0]}/history?limit={HISTORY_LIMIT}"
        cold[commits] = timed_gets(server.port, ctx.key, path, 1)[0]
        warm[commits] = statistics.median(timed_gets(server.port, ctx.key, path, ctx.scale.history_requests))

    def ms(seconds: float) -> str:
        return f"{seconds * 1000:.2f} ms"

    deep_r, middle_r, cold_r = (
        ratio(warm[deep], warm[small]),
        ratio(warm[middle], warm[small]),
        ratio(cold[deep], cold[small]),
    )
    what = f"project history ({HISTORY_LIMIT} newest), median of {ctx.scale.history_requests}"
    return [
        Row(
            "6",
            f"{what}, {deep:,} commits",
            ms(warm[deep]),
            f"{ms(warm[small])} at {small:,} commits",
            deep_r,
            "<= 2 (time)",
            "every 2nd commit touches the project",
            at_most(deep_r, 2.0),
        ),
        Row(
            "6b",
            f"{what}, {middle:,} commits",
            ms(warm[middle]),
            f"{ms(warm[small])} at {small:,} commits",
            middle_r,
            "report",
            "",
        ),
        Row(
            "6c",
            f"first history request after start, {deep:,} commits",
            ms(cold[deep]),
            f"{ms(cold[small])} at {small:,} commits",
            cold_r,
            "report",
            "builds the group's history cache",
        ),
    ]


def _startup(data_dir: Path, log: Path) -> tuple[float, float]:
    """(seconds to ready, seconds for the first GET /project-group after that)."""
    key = admin_key(data_dir)
    server = start_registry(data_dir, log)
    try:
        listing = timed_gets(server.port, key, "/project-group", 1)[0]
        return server.ready_seconds, listing
    finally:
        server.stop()


def row_7(ctx: Context) -> list[Row]:
    s = ctx.scale
    many_dir, one_dir = ctx.scratch / "startup-many", ctx.scratch / "startup-one"
    many, one = [], []
    for _ in range(s.startup_tries):  # alternated, so drift hits both alike
        one.append(_startup(one_dir, ctx.scratch / "startup.log"))
        many.append(_startup(many_dir, ctx.scratch / "startup.log"))
    ready_many = statistics.median(r for r, _ in many)
    ready_one = statistics.median(r for r, _ in one)
    # The first start has no group index yet (DATA/group-index.json): it reads every repository.
    cold_many, cold_one = many[0][1], one[0][1]
    warm_many = statistics.median(g for _, g in many[1:]) if len(many) > 1 else None
    warm_one = statistics.median(g for _, g in one[1:]) if len(one) > 1 else None
    total = s.startup_groups * s.startup_commits
    what = f"{s.startup_groups:,} groups, {total:,} commits"
    return [
        Row(
            "7",
            f"start-up to ready (/readyz 200), {what}",
            f"{ready_many:.2f} s",
            f"{ready_one:.2f} s with 1 group",
            ratio(ready_many, ready_one),
            "report; goal < 5 s",
            f"median of {s.startup_tries}",
            ready_many < STARTUP_GOAL_SECONDS,
        ),
        Row(
            "7b",
            f"first GET /project-group after the first start, {what}",
            f"{cold_many:.2f} s",
            f"{cold_one * 1000:.1f} ms with 1 group",
            ratio(cold_many, cold_one),
            "report",
            "no group index yet: reads every group's metadata",
        ),
        *(
            []
            if warm_many is None or warm_one is None
            else [
                Row(
                    "7c",
                    f"first GET /project-group after a restart, {what}",
                    f"{warm_many * 1000:.1f} ms",
                    f"{warm_one * 1000:.1f} ms with 1 group",
                    ratio(warm_many, warm_one),
                    "report",
                    f"group index on disk; median of {len(many) - 1}",
                )
            ]
        ),
    ]


def row_8(ctx: Context) -> list[Row]:
    memory = ctx.registry().memory_kib()
    rss = memory["VmRSS"] / 1024
    at_start = int(str(ctx.facts.get("rss_at_start_kib", 0))) / 1024
    return [
        Row(
            "8",
            "resident memory of the server after the whole run",
            f"{rss:,.0f} MiB",
            f"{at_start:,.0f} MiB right after start",
            ratio(rss, at_start) if at_start else None,
            f"report; goal < {MEMORY_GOAL_MIB} MB",
            f"peak (VmHWM) {memory['VmHWM'] / 1024:,.0f} MiB",
            rss * 1.048576 < MEMORY_GOAL_MIB,
        ),
    ]
