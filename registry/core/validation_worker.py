"""The loop of a validation worker process, and the CPU budget each document gets there.

A verdict must depend on the document alone, so the budget is the worker's own CPU time, which
neither the queue before it nor other processes on the same cores consume: under load a
document takes longer, never more CPU. Two bounds enforce it:

- ``ITIMER_PROF`` counts this process's CPU time and interrupts the validator (between Python
  bytecodes: every parser here calls back into Python often) when the budget is spent;
- ``RLIMIT_CPU`` is the backstop for code that never returns to Python: past the budget plus a
  second the kernel ends the process with ``SIGXCPU``, and the pool reads that as the same
  verdict.
"""

from __future__ import annotations

import math
import multiprocessing.connection
import resource
import signal
from types import FrameType

from registry.core.logs import configure_worker_logging
from registry.formats import Limits, Problem, ValidationResult, load_validators, validate

READY = "ready"
Request = tuple[str, str, str | None, float]  # format, text, dialect, CPU seconds


def over_budget(seconds: float) -> ValidationResult:
    """The verdict on a document that needs more than ``seconds`` of CPU time."""
    return ValidationResult(
        errors=(Problem(f"validation needs more than {seconds:g} s of CPU time; the document is refused"),)
    )


class _OverBudget(BaseException):
    """The document used up its CPU time. A BaseException, so that no validator's ``except
    Exception`` (registry.formats.validate has one) takes it for a parser's failure."""


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise _OverBudget


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime  # what RLIMIT_CPU counts


def validate_within(request: Request, limits: Limits) -> ValidationResult:
    """Validate one document with at most its CPU seconds (see the module's docstring)."""
    fmt, text, dialect, seconds = request
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    backstop = math.ceil(_cpu_seconds() + seconds) + 1
    if hard == resource.RLIM_INFINITY or backstop <= hard:
        resource.setrlimit(resource.RLIMIT_CPU, (backstop, hard))
    try:
        try:
            signal.setitimer(signal.ITIMER_PROF, seconds)
            result = validate(fmt, text, dialect=dialect, limits=limits)
        finally:
            signal.setitimer(signal.ITIMER_PROF, 0)  # one-shot: once disarmed it cannot fire
    except _OverBudget:  # also when it fired just as the validator returned: at the limit
        return over_budget(seconds)
    return result


def serve(conn: multiprocessing.connection.Connection, limits: Limits, log_format: str) -> None:
    """A worker's loop: validate each request until the pool closes the pipe."""
    # SIGTERM or Ctrl-C sent to the whole process group (systemd's default, a terminal) must not
    # kill validations the server is still finishing during its graceful shutdown: the pool ends
    # its workers itself (closing the pipe, then kill), and a worker whose server died sees EOF.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGPROF, _interrupt)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # SIGXCPU must not leave core files behind
    configure_worker_logging(log_format)
    load_validators()  # imported on first use elsewhere; here before the clock starts
    conn.send(READY)  # the parsers are imported: the clock may start
    while True:
        try:
            request = conn.recv()
        except EOFError:
            return
        if request is None:
            return
        conn.send(validate_within(request, limits))
