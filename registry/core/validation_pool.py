"""Schema validation in worker processes: a CPU budget per document, a deadline per request.

A thread cannot be stopped, so a document that makes a parser run for minutes would hold a
server thread (and the GIL) for minutes. Here each validation runs in a worker process, which
also takes the parsers' CPU work off the server process.

Two limits, for two different things (docs/operations.md):

- the document's verdict: at most ``seconds`` of the worker's own CPU time
  (:mod:`registry.core.validation_worker`); more is a refusal (422), the same on an idle server
  and a busy one;
- the server's load: a request that cannot have its verdict within ``deadline`` seconds (waiting
  for a worker, or running slowly on shared cores) gets :class:`ValidationBusy` (503 with
  ``Retry-After``), never a refusal: a valid document is never called invalid for being late.

Small documents (up to ``SMALL_DOCUMENT_CHARS``) have a lane of their own: a worker that only
they use, besides any idle one of the others, so a short document never queues behind megabytes.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import math
import multiprocessing
import multiprocessing.connection
import signal
import threading
import time
from dataclasses import dataclass, field
from multiprocessing.process import BaseProcess

from registry.core.config import default_deadline
from registry.core.errors import ValidationBusy
from registry.core.validation_worker import READY, Request, over_budget, serve
from registry.formats import DEFAULT_LIMITS, Limits, Problem, ValidationResult, report_validation

log = logging.getLogger(__name__)

STARTUP_SECONDS = 120.0  # a new worker imports the parsers first; that is not parse time
SMALL_DOCUMENT_CHARS = 64 << 10  # hand-written schemas and most generated ones; parse in milliseconds


@dataclass(eq=False)  # identity: workers live in a set
class _Worker:
    process: BaseProcess
    conn: multiprocessing.connection.Connection
    small_lane: bool
    ready: bool = False
    starting: threading.Lock = field(default_factory=threading.Lock)

    def wait_ready(self) -> None:
        """Wait until the worker has started (not counted against a document's time)."""
        with self.starting:
            if not self.ready:
                if not self.conn.poll(STARTUP_SECONDS) or self.conn.recv() != READY:
                    raise OSError("the validation worker did not start")
                self.ready = True


class ValidationPool:
    """``validate`` for worker threads: waits for a worker until the request's deadline."""

    def __init__(
        self,
        workers: int,
        seconds: float,
        limits: Limits = DEFAULT_LIMITS,
        log_format: str = "text",
        *,
        deadline: float | None = None,
        small_workers: int = 1,
    ) -> None:
        self.seconds = seconds
        self.deadline = deadline if deadline is not None else default_deadline(seconds)
        self.limits = limits
        self.log_format = log_format
        self._context = multiprocessing.get_context("spawn")
        self._idle: dict[bool, list[_Worker]] = {False: [], True: []}  # by small_lane
        self._all: set[_Worker] = set()
        self._changed = threading.Condition()
        self._closed = False
        self.timeouts = 0  # documents refused for their CPU time
        first = [self._spawn(small_lane=False) for _ in range(max(1, workers))]
        first += [self._spawn(small_lane=True) for _ in range(max(0, small_workers))]
        for worker in first:
            self._idle[worker.small_lane].append(worker)
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

    @staticmethod
    def is_small(text: str) -> bool:
        """Whether ``text`` goes to the small documents' lane."""
        return len(text) <= SMALL_DOCUMENT_CHARS

    def _spawn(self, *, small_lane: bool) -> _Worker:
        ours, theirs = self._context.Pipe()
        process = self._context.Process(
            target=serve, args=(theirs, self.limits, self.log_format), name="registry-validator", daemon=True
        )
        process.start()
        theirs.close()
        worker = _Worker(process, ours, small_lane)
        with self._changed:
            self._all.add(worker)
        return worker

    def _take(self, small: bool, until: float) -> _Worker:
        """An idle worker of the document's lanes, or :class:`ValidationBusy` at ``until``."""
        lanes = (True, False) if small else (False,)
        with self._changed:
            while True:
                for lane in lanes:
                    if self._idle[lane]:
                        return self._idle[lane].pop()
                left = until - time.monotonic()
                if left <= 0 or self._closed:
                    raise self.busy()
                self._changed.wait(left)

    def _give_back(self, worker: _Worker) -> None:
        with self._changed:
            self._idle[worker.small_lane].append(worker)
            self._changed.notify_all()

    def _replace(self, worker: _Worker) -> None:
        """End ``worker`` and start another in its lane."""
        worker.process.kill()
        worker.process.join()
        worker.conn.close()
        with self._changed:
            self._all.discard(worker)
        if not self._closed:
            self._give_back(self._spawn(small_lane=worker.small_lane))

    def busy(self) -> ValidationBusy:
        """The error for a request that cannot have its verdict in time."""
        # By then a worker has freed up: a running document ends within its CPU budget.
        retry = max(1, math.ceil(self.seconds))
        return ValidationBusy(
            f"the server is too busy to validate this document within {self.deadline:g} s; "
            f"nothing was judged or written: send it again in {retry} s",
            retry_after=retry,
        )

    def validate(
        self, fmt: str, text: str, *, dialect: str | None = None, until: float | None = None
    ) -> ValidationResult:
        """The verdict on ``text``; :class:`ValidationBusy` if it cannot be had by ``until``
        (a ``time.monotonic()`` instant; by default the pool's deadline from now)."""
        until = time.monotonic() + self.deadline if until is None else until
        worker = self._take(self.is_small(text), until)
        try:
            result = self._run(worker, (fmt, text, dialect, self.seconds), until)
        except (EOFError, OSError) as exc:  # the worker died
            self._replace(worker)
            return self._died(worker, exc)
        if result is None:  # late: the document is not to blame, its CPU time is bounded
            self._replace(worker)
            raise self.busy()
        self._give_back(worker)
        if result.errors == over_budget(self.seconds).errors:
            self.timeouts += 1
        return result

    def _run(self, worker: _Worker, request: Request, until: float) -> ValidationResult | None:
        """``request``'s verdict from ``worker``, or None if it did not come by ``until``."""
        worker.wait_ready()  # a worker that replaced another starts first
        if time.monotonic() >= until:
            self._give_back(worker)  # idle and ready: the next request takes it
            raise self.busy()
        started = time.perf_counter()
        try:
            worker.conn.send(request)
            if not worker.conn.poll(max(0.0, until - time.monotonic())):
                return None
            result: ValidationResult = worker.conn.recv()
            return result
        finally:
            report_validation(request[0], time.perf_counter() - started)

    def _died(self, worker: _Worker, exc: BaseException) -> ValidationResult:
        if worker.process.exitcode == -signal.SIGXCPU:  # the kernel's backstop of the CPU budget
            self.timeouts += 1
            return over_budget(self.seconds)
        log.warning("a validation worker died: %s", exc)  # killed, out of memory
        return ValidationResult(
            errors=(Problem("the validator stopped while reading this document; it is refused"),)
        )

    def close(self) -> None:
        """End the workers (idempotent: the app's cleanup and the exit hook both call it)."""
        with self._changed:
            self._closed = True
            workers = list(self._all)
            self._all.clear()
            self._changed.notify_all()
        for worker in workers:
            with contextlib.suppress(OSError):
                worker.conn.send(None)
            worker.process.join(timeout=5)
            if worker.process.is_alive():
                worker.process.kill()
            worker.conn.close()
