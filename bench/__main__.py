"""Performance at scale, as ratios against baselines measured in the same run.

``python -m bench`` (``--quick`` for a small run in under a minute, ``--only 3`` for one row).
Starts the real server on a scratch data folder, loads it, drives it with wrk (or a Python
client when wrk is missing) and prints one table. See docs/performance.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import dulwich

from bench import rows_git, rows_http, rows_scale
from bench.context import FULL, QUICK, Context, prepare
from bench.load import load_tool
from bench.table import Row, markdown, print_row

# In the order they run: writes before the clone (row 9 reads what row 3 wrote), memory last.
ROWS: dict[str, Callable[[Context], list[Row]]] = {
    "1": rows_http.row_1,
    "2": rows_http.row_2,
    "3": rows_http.row_3,
    "9": rows_git.row_9,
    "4": rows_http.row_4,
    "5": rows_git.row_5,
    "6": rows_scale.row_6,
    "7": rows_scale.row_7,
    "8": rows_scale.row_8,
}


def _selected(only: list[str] | None) -> list[str]:
    if not only:
        return list(ROWS)
    chosen = {part.strip() for item in only for part in item.split(",") if part.strip()}
    unknown = chosen - set(ROWS)
    if unknown:
        raise SystemExit(f"unknown row(s) {', '.join(sorted(unknown))}; rows are 1-9")
    return [key for key in ROWS if key in chosen]


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown CPU",
    )
    version = ".".join(str(p) for p in dulwich.__version__)
    cpus = len(os.sched_getaffinity(0))
    return f"{cpu}, {cpus} CPUs, Python {platform.python_version()}, dulwich {version}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench", description=__doc__.splitlines()[0] if __doc__ else None
    )
    parser.add_argument("--quick", action="store_true", help="small scenarios, short load runs (< 60 s)")
    parser.add_argument(
        "--only", action="append", metavar="ROW", help="run only this row (repeatable, or 1,3)"
    )
    parser.add_argument("--load", choices=("auto", "wrk", "python"), default="auto", help="load generator")
    parser.add_argument("--scratch", type=Path, help="work folder (default: a new temporary one)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder")
    args = parser.parse_args(argv)
    rows = _selected(args.only)
    scratch = args.scratch or Path(tempfile.mkdtemp(prefix="registry-bench-"))
    scratch.mkdir(parents=True, exist_ok=True)
    tool = load_tool(args.load)
    out = sys.stdout
    ctx = Context(QUICK if args.quick else FULL, scratch, tool, out)
    out.write(f"# bench ({'quick' if args.quick else 'full'}) on {machine()}\n")
    if tool != "wrk":
        out.write("# wrk is not installed: load comes from bench.pyload (a Python client; lower figures)\n")
    out.write(f"# scratch folder {scratch}\n")
    out.flush()
    started = time.perf_counter()
    results: list[Row] = []
    try:
        prepare(ctx, set(rows))
        for key in rows:
            for row in ROWS[key](ctx):
                print_row(row, out)
                results.append(row)
    finally:
        if ctx.server is not None:
            ctx.server.stop()
        if not args.keep and args.scratch is None:
            shutil.rmtree(scratch, ignore_errors=True)
    out.write(f"\n{markdown(sorted(results, key=lambda r: r.key))}")
    out.write(f"\n# {len(results)} rows in {time.perf_counter() - started:.0f} s; load generator: {tool}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
