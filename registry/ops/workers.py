"""``serve --workers N``: N server processes on one port, over one data folder.

The supervisor binds N listening sockets to the same address with ``SO_REUSEPORT`` (the kernel
spreads new connections across them) and hands one to each worker, a fresh interpreter started
with multiprocessing's ``spawn``. The supervisor keeps its copies open, so connections that queue
on a worker's socket while that worker restarts are not lost. Nothing is shared in memory but
the change beacon, a memory-mapped file every writer changes after a durable commit: a worker
serves a cached view only while the beacon is unchanged, and reads the branch head from disk
otherwise (see :mod:`registry.core.snapshots`); writers serialize on per-repository file locks. That
is what makes this safe.

The supervisor restarts a worker that dies, forwards SIGTERM and SIGINT to the workers (each then
finishes its in-flight requests), and sets ``PROMETHEUS_MULTIPROC_DIR`` so ``/metrics`` on any
worker reports all of them. Workers ask the kernel to stop them if the supervisor dies.
"""

from __future__ import annotations

import asyncio
import ctypes
import logging
import multiprocessing
import multiprocessing.connection
import os
import shutil
import signal
import socket
import tempfile
import time
from multiprocessing.process import BaseProcess
from types import FrameType
from typing import TextIO

from aiohttp import web
from prometheus_client import multiprocess

from registry.core.config import Config
from registry.core.logs import configure_logging
from registry.http.access_log import AccessLogger
from registry.http.app import create_app
from registry.http.metrics import MULTIPROC_ENV

log = logging.getLogger("registry.ops.workers")
_PR_SET_PDEATHSIG = 1
_RESTART_BACKOFF_SECONDS = 1.0


def bind_sockets(host: str, port: int, count: int) -> list[socket.socket]:
    """``count`` listening sockets on one address (port 0 picks a free port for all of them)."""
    family, kind, proto, _, address = socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )[0]
    sockets: list[socket.socket] = []
    try:
        for _ in range(count):
            sock = socket.socket(family, kind, proto)
            sockets.append(sock)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            sock.bind(address)
            sock.listen(128)
            address = sock.getsockname()  # the port port 0 chose, for the next sockets
    except OSError:
        for sock in sockets:
            sock.close()
        raise
    return sockets


def run_worker(config: Config, sock: socket.socket, index: int, supervisor_pid: int) -> None:
    """A worker process: one aiohttp server on the socket it was handed."""
    _stop_with_supervisor(supervisor_pid)
    configure_logging(config.log_format)
    app = create_app(config)
    app.on_startup.append(_stop_on_the_first_signal_only)
    web.run_app(
        app,
        sock=sock,
        access_log_class=AccessLogger,
        shutdown_timeout=config.shutdown_timeout_seconds,
        print=lambda _: log.info("worker %d ready", index),
    )


async def _stop_on_the_first_signal_only(app: web.Application) -> None:
    """Replace aiohttp's SIGTERM/SIGINT handlers with ones that act once.

    A worker gets the signal twice when the whole process group (or systemd's cgroup) is
    signalled and the supervisor forwards it too; aiohttp's handler then raised GracefulExit a
    second time in the middle of the graceful shutdown, dropping requests it was finishing.
    (aiohttp installs its handlers before the app's startup hooks run; these replace them.)
    """
    loop = asyncio.get_running_loop()
    stopping = False

    def stop() -> None:
        nonlocal stopping
        if not stopping:
            stopping = True
            raise web.GracefulExit()

    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop)


def _stop_with_supervisor(supervisor_pid: int) -> None:
    """Linux: have the kernel send SIGTERM when the supervisor dies, even by SIGKILL."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):  # not Linux: the supervisor's SIGTERM is all there is
        return
    if os.getppid() != supervisor_pid:  # it died before prctl took effect
        os.kill(os.getpid(), signal.SIGTERM)


class Supervisor:
    def __init__(self, config: Config, sockets: list[socket.socket], metrics_dir: str) -> None:
        self.config = config
        self.sockets = sockets
        self.metrics_dir = metrics_dir
        self.context = multiprocessing.get_context("spawn")
        self.workers: dict[int, BaseProcess] = {}
        self.started_at: dict[int, float] = {}
        self.stopping = False

    def start(self, index: int) -> None:
        process = self.context.Process(
            target=run_worker,
            args=(self.config, self.sockets[index], index, os.getpid()),
            name=f"registry-worker-{index}",
        )
        process.start()
        self.workers[index] = process
        self.started_at[index] = time.monotonic()

    def stop(self, signum: int, frame: FrameType | None) -> None:
        self.stopping = True

    def run(self) -> int:
        for index in range(len(self.sockets)):
            self.start(index)
        while not self.stopping:
            multiprocessing.connection.wait([p.sentinel for p in self.workers.values()], timeout=0.5)
            for index, process in list(self.workers.items()):
                if process.exitcode is not None and not self.stopping:
                    self._restart(index, process)
        return self._shut_down()

    def _restart(self, index: int, process: BaseProcess) -> None:
        log.warning("worker %d (pid %s) exited with %s; restarting it", index, process.pid, process.exitcode)
        if process.pid is not None:
            # Its live gauges go; untyped upstream.
            multiprocess.mark_process_dead(process.pid, self.metrics_dir)  # type: ignore[no-untyped-call]
        if time.monotonic() - self.started_at[index] < _RESTART_BACKOFF_SECONDS:
            time.sleep(_RESTART_BACKOFF_SECONDS)  # a worker that dies at once must not spin
        if not self.stopping:
            self.start(index)

    def _shut_down(self) -> int:
        for process in self.workers.values():
            if process.exitcode is None:
                process.terminate()  # SIGTERM: aiohttp finishes in-flight requests, then exits
        # aiohttp waits the timeout for running handlers, then as long again for the ones it
        # cancelled: a worker may rightly take twice the timeout.
        deadline = time.monotonic() + 2 * self.config.shutdown_timeout_seconds + 10
        for process in self.workers.values():
            process.join(max(0.0, deadline - time.monotonic()))
            if process.exitcode is None:
                log.error("worker pid %s did not stop in time; killing it", process.pid)
                process.kill()
                process.join()
        return 0


def serve_workers(config: Config, out: TextIO) -> int:
    """Run ``config.workers`` worker processes until SIGTERM or SIGINT; returns the exit status."""
    sockets = bind_sockets(config.host, config.port, config.workers)
    host, port = sockets[0].getsockname()[:2]
    metrics_dir = tempfile.mkdtemp(prefix="registry-metrics-")
    # prometheus-client reads this when a worker imports it; workers inherit the environment.
    os.environ[MULTIPROC_ENV] = metrics_dir
    supervisor = Supervisor(config, sockets, metrics_dir)
    previous = {sig: signal.signal(sig, supervisor.stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    print(
        f"======== Running on http://{host}:{port} with {config.workers} workers ========",
        file=out,
        flush=True,
    )
    try:
        return supervisor.run()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        for sock in sockets:
            sock.close()
        os.environ.pop(MULTIPROC_ENV, None)
        shutil.rmtree(metrics_dir, ignore_errors=True)
