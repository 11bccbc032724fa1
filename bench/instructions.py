"""Row 1 in instructions: what one cached read costs the registry and the minimal aiohttp app.

``python -m bench.instructions`` (needs valgrind and wrk). Throughput on a shared machine
drifts by a quarter between runs of the same code; instruction counts do not. Each server runs
under ``valgrind --tool=callgrind``, is warmed up, has its counters zeroed, then serves
``wrk -c32`` for a fixed time; the count divided by the requests answered is the figure. It
leaves out the kernel and the processor's cycles per instruction, so it is a floor for the
throughput ratio, not a stand-in for it (docs/performance.md, row 1).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
from pathlib import Path

from bench.context import SMALL_PROJECTS
from bench.generate import GroupSpec, build_group
from bench.load import LoadSpec, run_load
from bench.procs import Server, admin_key, start_baseline_app, start_registry

WARM_UP_REQUESTS = 300
CONNECTIONS = 32


def _instructions_per_request(
    server: Server, out_file: Path, paths: list[str], key: str, seconds: float
) -> float:
    """Zero the counters, serve wrk for ``seconds``, dump: instructions over requests answered."""
    for n in range(WARM_UP_REQUESTS):
        server.get(paths[n % len(paths)], key)
    pid = str(server.process.pid)
    subprocess.run(["callgrind_control", "--zero", pid], check=True, capture_output=True)
    result = run_load(LoadSpec(server.url, "GET", paths, key, CONNECTIONS, seconds), "wrk")
    subprocess.run(["callgrind_control", "--dump", pid], check=True, capture_output=True)
    dumps = sorted(out_file.parent.glob(f"{out_file.name}.{pid}.*"))  # the one written by --dump
    if not dumps or result.requests == 0 or result.errors:
        raise RuntimeError(f"no counts, no answers or {result.errors} errors; see the server log")
    for line in dumps[-1].read_text(errors="replace").splitlines():
        if line.startswith("summary:"):
            return int(line.split()[1]) / result.requests
    raise RuntimeError(f"no summary line in {dumps[-1]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.instructions", description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=15.0, help="wrk run per server (default 15)")
    args = parser.parse_args(argv)
    for tool in ("valgrind", "callgrind_control", "wrk"):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} is not installed (apt-get install -y valgrind wrk)")
    scratch = Path(tempfile.mkdtemp(prefix="registry-instructions-"))
    try:
        data_dir = scratch / "data"
        group = build_group(data_dir, GroupSpec("small", SMALL_PROJECTS, SMALL_PROJECTS + 1))
        key = admin_key(data_dir)
        paths = [f"/project/{pid}" for pid in group.project_ids]
        figures = {}
        for name in ("registry", "baseline"):
            out_file = scratch / f"{name}.callgrind"
            wrapper = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out_file}.%p"]
            log = scratch / f"{name}.log"
            if name == "registry":
                server = start_registry(data_dir, log, wrapper)
                body_file = scratch / "project-body.json"
                body_file.write_bytes(server.get(paths[0], key))
            else:
                server = start_baseline_app(body_file, key, log, wrapper)
            try:
                figures[name] = _instructions_per_request(server, out_file, paths, key, args.seconds)
                print(f"{name}: {figures[name]:,.0f} instructions per request")
            finally:
                server.stop()
        ratio = figures["baseline"] / figures["registry"]
        print(f"ratio (baseline / registry, as row 1 reads): {ratio:.2f}")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
