"""Schema validation in worker processes, with a hard time limit per document.

A thread cannot be stopped, so a document that makes a parser run for minutes would hold a
server thread (and the GIL) for minutes. Here each validation runs in one of a few worker
processes: past ``seconds`` the worker is killed, replaced, and the document refused. It also
takes the parsers' CPU work off the server process, so validation runs beside request handling
on another core.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import multiprocessing
import multiprocessing.connection
import queue
import signal
import threading
import time
from dataclasses import dataclass, field
from multiprocessing.process import BaseProcess

from registry.core.logs import configure_worker_logging
from registry.formats import (
    DEFAULT_LIMITS,
    Limits,
    Problem,
    ValidationResult,
    load_validators,
    report_validation,
    validate,
)

log = logging.getLogger(__name__)


STARTUP_SECONDS = 120.0  # a new worker imports the parsers first; that is not parse time
_READY = "ready"


def _serve(conn: multiprocessing.connection.Connection, limits: Limits, log_format: str) -> None:
    """A worker's loop: validate each request until the pool closes the pipe."""
    # SIGTERM or Ctrl-C sent to the whole process group (systemd's default, a terminal) must not
    # kill validations the server is still finishing during its graceful shutdown: the pool ends
    # its workers itself (closing the pipe, then kill), and a worker whose server died sees EOF.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    configure_worker_logging(log_format)
    load_validators()
    conn.send(_READY)  # the parsers are imported: the clock may start
    while True:
        try:
            request = conn.recv()
        except EOFError:
            return
        if request is None:
            return
        fmt, text, dialect = request
        conn.send(validate(fmt, text, dialect=dialect, limits=limits))


@dataclass(eq=False)  # identity: workers live in a set
class _Worker:
    process: BaseProcess
    conn: multiprocessing.connection.Connection
    ready: bool = False
    starting: threading.Lock = field(default_factory=threading.Lock)

    def wait_ready(self) -> None:
        """Wait until the worker has started (not counted against a document's time)."""
        with self.starting:
            if not self.ready:
                if not self.conn.poll(STARTUP_SECONDS) or self.conn.recv() != _READY:
                    raise OSError("the validation worker did not start")
                self.ready = True


class ValidationPool:
    """``validate`` for worker threads: blocks while every worker process is busy."""

    def __init__(
        self, workers: int, seconds: float, limits: Limits = DEFAULT_LIMITS, log_format: str = "text"
    ) -> None:
        self.seconds = seconds
        self.limits = limits
        self.log_format = log_format
        self._context = multiprocessing.get_context("spawn")
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        self.timeouts = 0
        first = [self._spawn() for _ in range(max(1, workers))]
        for worker in first:
            self._idle.put(worker)
        # Before multiprocessing's own exit hook (atexit runs last-registered first): that one
        # sends SIGTERM, which the workers ignore, and would wait for them for ever when the app's
        # cleanup did not run (a second Ctrl-C interrupts it).
        atexit.register(self.close)
        self._started = threading.Event()
        threading.Thread(target=self._await_start, args=(first,), name="validator-start", daemon=True).start()

    def _await_start(self, workers: list[_Worker]) -> None:
        for worker in workers:
            with contextlib.suppress(OSError, EOFError):
                worker.wait_ready()
        self._started.set()

    def ready(self) -> bool:
        """Whether the first workers have started (``/readyz`` waits for it)."""
        return self._started.is_set()

    def _spawn(self) -> _Worker:
        ours, theirs = self._context.Pipe()
        process = self._context.Process(
            target=_serve, args=(theirs, self.limits, self.log_format), name="registry-validator", daemon=True
        )
        process.start()
        theirs.close()
        worker = _Worker(process, ours)
        with self._lock:
            self._all.add(worker)
        return worker

    def _retire(self, worker: _Worker) -> None:
        worker.process.kill()
        worker.process.join()
        worker.conn.close()
        with self._lock:
            self._all.discard(worker)

    def validate(self, fmt: str, text: str, *, dialect: str | None = None) -> ValidationResult:
        worker = self._idle.get()
        started = time.perf_counter()
        try:
            worker.wait_ready()
            started = time.perf_counter()
            worker.conn.send((fmt, text, dialect))
            if worker.conn.poll(self.seconds):
                result: ValidationResult = worker.conn.recv()
                self._idle.put(worker)
                return result
            self.timeouts += 1
            problem = f"validation took longer than {self.seconds:g} s; the document is refused"
        except (EOFError, OSError) as exc:  # the worker died (killed, out of memory)
            log.warning("a validation worker died: %s", exc)
            problem = "the validator stopped while reading this document; it is refused"
        finally:
            report_validation(fmt, time.perf_counter() - started)
        self._retire(worker)
        if not self._closed:
            self._idle.put(self._spawn())
        return ValidationResult(errors=(Problem(problem),))

    def close(self) -> None:
        """End the workers (idempotent: the app's cleanup and the exit hook both call it)."""
        self._closed = True
        with self._lock:
            workers = list(self._all)
            self._all.clear()
        for worker in workers:
            with contextlib.suppress(OSError):
                worker.conn.send(None)
            worker.process.join(timeout=5)
            if worker.process.is_alive():
                worker.process.kill()
            worker.conn.close()
