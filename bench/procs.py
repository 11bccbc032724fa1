"""Processes the benchmark runs: the registry server and the two baseline servers."""

from __future__ import annotations

import hashlib
import http.client
import io
import os
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from registry.core.layout import ADMIN_KEY_FILE
from registry.ops.cli import ensure_admin_key
from repo_store import read_head

ROOT = Path(__file__).resolve().parents[1]
READY_TIMEOUT_SECONDS = 120.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def admin_key(data_dir: Path) -> str:
    """The admin key of a data folder, made the way the server's first start makes it."""
    ensure_admin_key(data_dir, io.StringIO())
    return (data_dir / ADMIN_KEY_FILE).read_text().strip()


def key_sha256(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int
    started: float  # perf_counter at spawn
    ready_seconds: float = 0.0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def memory_kib(self) -> dict[str, int]:
        """VmRSS (now) and VmHWM (peak) of the process, in KiB."""
        found = {}
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            name, _, value = line.partition(":")
            if name in ("VmRSS", "VmHWM"):
                found[name] = int(value.split()[0])
        return found

    def get(self, path: str, key: str) -> bytes:
        """The body of ``GET path`` with the Bearer key; anything but a 200 is an error."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        try:
            conn.request("GET", path, headers={"Authorization": f"Bearer {key}"})
            response = conn.getresponse()
            body = response.read()
        finally:
            conn.close()
        if response.status != 200:
            raise RuntimeError(f"GET {path}: {response.status} {body[:200]!r}")
        return body

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def _get_status(port: int, path: str) -> int | None:
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        conn.request("GET", path)
        status = conn.getresponse().status
        conn.close()
        return status
    except OSError:
        return None


def _spawn(args: list[str], log: Path, ready_path: str, port: int, wrapper: Sequence[str] = ()) -> Server:
    """Start ``args`` (``python -m MODULE ...``), under ``wrapper`` if given; wait until ready."""
    name = args[2]
    args = [*wrapper, *args]
    with log.open("ab") as out:
        started = time.perf_counter()
        process = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
    server = Server(process, port, started)
    deadline = started + READY_TIMEOUT_SECONDS
    while time.perf_counter() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited with {process.returncode}; see {log}")
        if _get_status(port, ready_path) == 200:
            server.ready_seconds = time.perf_counter() - started
            return server
        time.sleep(0.01)
    server.stop()
    raise RuntimeError(f"{name} was not ready within {READY_TIMEOUT_SECONDS} s; see {log}")


def start_registry(data_dir: Path, log: Path, wrapper: Sequence[str] = ()) -> Server:
    """``schema-registry serve`` on a free port, ready once ``/readyz`` answers 200."""
    port = free_port()
    args = [
        sys.executable,
        "-m",
        "registry.ops.cli",
        "serve",
        "--data-dir",
        str(data_dir),
        "--port",
        str(port),
    ]
    return _spawn(args, log, "/readyz", port, wrapper)


def start_baseline_app(body_file: Path, key: str, log: Path, wrapper: Sequence[str] = ()) -> Server:
    port = free_port()
    args = [sys.executable, "-m", "bench.baseline_app", "--port", str(port), "--body-file", str(body_file)]
    return _spawn([*args, "--key-sha256", key_sha256(key)], log, "/healthz", port, wrapper)


def start_git_backend(root: Path, key: str, log: Path) -> Server:
    port = free_port()
    args = [sys.executable, "-m", "bench.git_backend", "--port", str(port), "--root", str(root)]
    return _spawn([*args, "--key-sha256", key_sha256(key)], log, "/healthz", port)


def dir_bytes(path: Path) -> tuple[int, int]:
    """(apparent size, allocated bytes as ``du`` counts them) of every file under ``path``."""
    apparent = allocated = 0
    for folder, _, files in os.walk(path):
        for name in files:
            st = os.lstat(os.path.join(folder, name))
            apparent += st.st_size
            allocated += st.st_blocks * 512
    return apparent, allocated


def read_head_of(repo: Path) -> str:
    head = read_head(repo)
    if head is None:
        raise RuntimeError(f"{repo} has no commit")
    return head


def wait_settled(repos: list[Path], quiet_seconds: float = 0.5, timeout: float = 300.0) -> None:
    """Wait until no repository's head moved for ``quiet_seconds``.

    A load generator stops sending at its deadline, but the server still commits the writes it had
    queued: copying or measuring a repository before then would race with them.
    """
    deadline = time.perf_counter() + timeout
    last = [read_head(r) for r in repos]
    while time.perf_counter() < deadline:
        time.sleep(quiet_seconds)
        now = [read_head(r) for r in repos]
        if now == last:
            return
        last = now
    raise RuntimeError("the server kept writing long after the load stopped")
