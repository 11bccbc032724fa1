"""Load is never a verdict: late is ValidationBusy, CPU time is the budget, small documents have a lane."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from registry.core.errors import ValidationBusy
from registry.core.validation_pool import ValidationPool
from registry.core.validation_worker import over_budget
from tests.core.test_validation_pool import SLOW_SQL  # several seconds of CPU time

SMALL = "user:\n  name: string\n"


@pytest.fixture
def one_large_worker() -> Iterator[ValidationPool]:
    pool = ValidationPool(workers=1, seconds=60, small_workers=1)
    yield pool
    pool.close()


def _wait_until_busy(pool: ValidationPool) -> None:
    """Until the large lane's worker has taken a document (polled: no sleep guesses)."""
    give_up = time.monotonic() + 30
    while pool._idle[False] and time.monotonic() < give_up:
        time.sleep(0.01)
    assert not pool._idle[False]


def test_a_request_past_its_deadline_is_busy_never_invalid() -> None:
    pool = ValidationPool(workers=1, seconds=60, deadline=0.5, small_workers=0)
    try:
        with ThreadPoolExecutor(2) as threads:
            late = [threads.submit(pool.validate, "sql", SLOW_SQL) for _ in range(2)]
            for future in late:  # the first runs past its deadline, the second waits past it
                with pytest.raises(ValidationBusy) as busy:
                    future.result()
                assert busy.value.retry_after == 60
                assert "too busy" in busy.value.detail
        assert pool.timeouts == 0
        assert pool.validate("yaml", SMALL).valid  # the late worker was replaced
    finally:
        pool.close()


def test_a_small_document_does_not_wait_behind_large_ones(one_large_worker: ValidationPool) -> None:
    pool = one_large_worker
    with ThreadPoolExecutor(3) as threads:
        large = [threads.submit(pool.validate, "sql", SLOW_SQL) for _ in range(2)]
        _wait_until_busy(pool)
        small = pool.validate("yaml", SMALL)
        pending = [not future.done() for future in large]
        assert small.valid
        assert pending == [True, True], "the small document waited for a large one"
        assert all(future.result().valid for future in large)


def test_a_small_document_takes_an_idle_large_worker_too() -> None:
    pool = ValidationPool(workers=1, seconds=60, small_workers=1)
    try:
        small_lane = pool._idle[True][-1]
        small_lane.process.kill()  # its lane is gone until replaced: the other worker serves
        small_lane.process.join()
        pool._idle[True].clear()
        assert pool.validate("yaml", SMALL).valid
    finally:
        pool.close()


def test_the_kernels_cpu_backstop_is_the_same_verdict(one_large_worker: ValidationPool) -> None:
    """A parser stuck in C code never sees the CPU timer; RLIMIT_CPU then ends the worker with
    SIGXCPU, which the pool reads as the budget spent (sent here by hand, as the kernel would)."""
    pool = one_large_worker
    with ThreadPoolExecutor(1) as threads:
        running = threads.submit(pool.validate, "sql", SLOW_SQL)
        _wait_until_busy(pool)
        worker = next(w for w in pool._all if not w.small_lane)
        assert worker.process.pid is not None
        os.kill(worker.process.pid, signal.SIGXCPU)
        assert running.result() == over_budget(60)
    assert pool.timeouts == 1
    assert pool.validate("sql", "CREATE TABLE t (id INT);" + " " * 70_000).valid  # a new large worker
