"""Drive a server with a real HTTP load generator: wrk (with a Lua script), else bench.pyload.

wrk comes from the system packages (``apt-get install -y wrk``). Without it the benchmark falls
back to :mod:`bench.pyload`, an aiohttp client in its own process, and says so in the table: that
client needs much more CPU per request than wrk, which on a small machine lowers every figure.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

RESULT_MARK = "BENCH-JSON "
PLACEHOLDER = "@REVISION@"  # where a PUT body takes a number unique to the request


@dataclass(frozen=True)
class LoadSpec:
    url: str  # http://host:port
    method: str  # GET or PUT
    paths: list[str]  # requests go round robin over these
    key: str  # sent as a Bearer key
    connections: int
    seconds: float
    body_template: str | None = None  # PUT: the JSON body, PLACEHOLDER replaced per request


@dataclass(frozen=True)
class LoadResult:
    requests: int
    seconds: float
    errors: int  # non-2xx answers plus socket errors and timeouts
    p50_ms: float
    p99_ms: float
    tool: str

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def load_tool(preference: str) -> str:
    """``wrk`` when installed (or asked for), else ``python``."""
    if preference == "python":
        return "python"
    if shutil.which("wrk"):
        return "wrk"
    if preference == "wrk":
        raise SystemExit("wrk is not installed: apt-get update && apt-get install -y wrk")
    return "python"


def _lua_string(text: str) -> str:
    return json.dumps(text)  # a JSON string literal is a valid Lua string literal for our ASCII


def wrk_script(spec: LoadSpec) -> str:
    paths = ", ".join(_lua_string(p) for p in spec.paths)
    headers = f'["Authorization"] = {_lua_string("Bearer " + spec.key)}'
    body = "nil"
    if spec.body_template is not None:
        headers += ', ["Content-Type"] = "application/json"'
        body = _lua_string(spec.body_template.replace("%", "%%").replace(PLACEHOLDER, "%d"))
    return f"""
local paths = {{{paths}}}
local headers = {{{headers}}}
local template = {body}
local counter = 0
local next_id = 1

function setup(thread)
  thread:set("thread_id", next_id)
  next_id = next_id + 1
end

function request()
  counter = counter + 1
  local path = paths[(counter + thread_id) % #paths + 1]
  if template == nil then
    return wrk.format({_lua_string(spec.method)}, path, headers)
  end
  return wrk.format({_lua_string(spec.method)}, path, headers,
                    string.format(template, thread_id * 100000000 + counter))
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{RESULT_MARK}{{"requests": %d, "duration_us": %d, "errors": %d, "p50_us": %d, "p99_us": %d}}\\n',
    summary.requests, summary.duration, e.status + e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
"""


def _parse(output: str, tool: str) -> LoadResult:
    for line in output.splitlines():
        if line.startswith(RESULT_MARK):
            doc = json.loads(line.removeprefix(RESULT_MARK))
            return LoadResult(
                requests=doc["requests"],
                seconds=doc["duration_us"] / 1e6,
                errors=doc["errors"],
                p50_ms=doc["p50_us"] / 1000,
                p99_ms=doc["p99_us"] / 1000,
                tool=tool,
            )
    raise RuntimeError(f"{tool} printed no result:\n{output}")


def run_load(spec: LoadSpec, tool: str) -> LoadResult:
    with tempfile.TemporaryDirectory(prefix="bench-load-") as folder:
        if tool == "wrk":
            script = Path(folder) / "load.lua"
            script.write_text(wrk_script(spec))
            threads = min(2, spec.connections)
            args = [
                "wrk",
                f"-t{threads}",
                f"-c{spec.connections}",
                f"-d{spec.seconds:g}s",
                "--timeout",
                "60s",
            ]
            args += ["-s", str(script), spec.url]
        else:
            spec_file = Path(folder) / "load.json"
            spec_file.write_text(json.dumps(asdict(spec)))
            args = [sys.executable, "-m", "bench.pyload", str(spec_file)]
        done = subprocess.run(args, capture_output=True, text=True, check=False, timeout=spec.seconds + 120)
    if done.returncode != 0:
        raise RuntimeError(f"{tool} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return _parse(done.stdout, tool)
