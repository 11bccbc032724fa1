"""Scale, scratch folders, the generated data and the running registry a benchmark run shares."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from bench.generate import BuiltGroup, GroupSpec, build_groups
from bench.procs import Server, admin_key, start_registry


@dataclass(frozen=True)
class Scale:
    read_seconds: float  # each GET load run
    write_seconds: float  # each PUT load run and each commit loop
    big_projects: int  # "1,000 projects"
    parallel_groups: int  # "16 groups"
    clone_projects: int
    clone_commits: int
    history_commits: tuple[int, int, int]  # baseline, reported, measured
    history_requests: int
    startup_groups: int
    startup_commits: int  # per group
    startup_tries: int
    read_rounds: int  # row 1 alternates server and baseline loads this many times


FULL = Scale(10, 15, 1000, 16, 1000, 10_000, (100, 1_000, 10_000), 200, 1000, 100, 3, 3)
QUICK = Scale(2, 2, 50, 16, 50, 300, (30, 100, 300), 30, 20, 20, 1, 1)
SMALL_PROJECTS = 10  # the "group of 10 projects" and each of the parallel groups
HOT_EVERY = 2  # in the history groups every second update touches project 1


@dataclass
class Context:
    scale: Scale
    scratch: Path
    tool: str  # wrk or python
    out: TextIO
    groups: dict[str, BuiltGroup] = field(default_factory=dict)
    parallel: list[BuiltGroup] = field(default_factory=list)
    server: Server | None = None
    key: str = ""
    facts: dict[str, object] = field(default_factory=dict)  # what one row leaves for another

    @property
    def data_dir(self) -> Path:
        return self.scratch / "data"

    @property
    def log(self) -> Path:
        return self.scratch / "server.log"

    def say(self, text: str) -> None:
        self.out.write(f"  .. {text}\n")
        self.out.flush()

    def registry(self) -> Server:
        """The registry on the main data folder, started on first use."""
        if self.server is None:
            self.key = admin_key(self.data_dir)
            self.server = start_registry(self.data_dir, self.log)
            self.facts["rss_at_start_kib"] = self.server.memory_kib()["VmRSS"]
        return self.server

    def group_path(self, group: BuiltGroup) -> Path:
        return self.data_dir / "groups" / f"{group.id}.git"


def specs_for(rows: set[str], scale: Scale) -> dict[str, GroupSpec]:
    """The named groups of the main data folder that the selected rows need."""
    small = SMALL_PROJECTS
    specs: dict[str, GroupSpec] = {}
    if rows & {"1", "2", "4"}:
        specs["small"] = GroupSpec("small", small, small + 1)
    if rows & {"3", "9"}:
        specs["big"] = GroupSpec("big", scale.big_projects, scale.big_projects + 1)
    if "5" in rows:
        specs["clone"] = GroupSpec("clone", scale.clone_projects, scale.clone_commits)
    if "6" in rows:
        for commits in scale.history_commits:
            specs[f"history-{commits}"] = GroupSpec(f"history-{commits}", small, commits, HOT_EVERY)
    return specs


def prepare(ctx: Context, rows: set[str]) -> None:
    """Generate every repository the selected rows need, before any server starts."""
    started = time.perf_counter()
    named = specs_for(rows, ctx.scale)
    jobs = [(ctx.data_dir, spec) for spec in named.values()]
    # The longest job first, so the other thread works through the many small ones meanwhile.
    jobs.sort(key=lambda job: -job[1].commits * max(job[1].projects, 10))
    if "4" in rows:
        jobs += [
            (ctx.data_dir, GroupSpec(f"parallel-{i:02d}", SMALL_PROJECTS, SMALL_PROJECTS + 1))
            for i in range(ctx.scale.parallel_groups)
        ]
    if "7" in rows:
        s = ctx.scale
        jobs += [(ctx.scratch / "startup-one", GroupSpec("one", SMALL_PROJECTS, s.startup_commits))]
        jobs += [
            (ctx.scratch / "startup-many", GroupSpec(f"g{i:04d}", SMALL_PROJECTS, s.startup_commits))
            for i in range(s.startup_groups)
        ]
    built = build_groups(jobs)
    for group in built:
        if group.name in named:
            ctx.groups[group.name] = group
        elif group.name.startswith("parallel-"):
            ctx.parallel.append(group)
    commits = sum(g.commits for g in built)
    ctx.say(f"generated {len(built)} groups, {commits:,} commits in {time.perf_counter() - started:.1f} s")
