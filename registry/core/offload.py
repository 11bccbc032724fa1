"""Blocking storage work runs in thread pools, never on the event loop.

Reads and writes have pools of their own, so writes waiting for a group's writer lock never
starve reads. At most half the write threads serve one group at once (the rest of its writes
queue on the event loop, holding no thread): enough for :mod:`registry.core.group_commit` to batch a
burst into few flushes (16 writes per batch doubled PUT throughput over 4), while a burst on one
group cannot take every writer thread from the other groups.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


def _in_context(fn: Callable[P, R], /, *args: P.args, **kwargs: P.kwargs) -> Callable[[], R]:
    """``fn`` bound to its arguments and to the caller's context (log lines keep the request id)."""
    return functools.partial(contextvars.copy_context().run, fn, *args, **kwargs)


class Offloader:
    def __init__(self, threads: int) -> None:
        self._reads = ThreadPoolExecutor(threads, thread_name_prefix="registry-read")
        self._writes = ThreadPoolExecutor(threads, thread_name_prefix="registry-write")
        self._group_slots: dict[str, asyncio.Semaphore] = {}
        self._writers_per_group = max(1, threads // 2)

    async def run(self, fn: Callable[P, R], /, *args: P.args, **kwargs: P.kwargs) -> R:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._reads, _in_context(fn, *args, **kwargs))

    async def write(self, group_id: str, fn: Callable[P, R], /, *args: P.args, **kwargs: P.kwargs) -> R:
        slots = self._group_slots.setdefault(group_id, asyncio.Semaphore(self._writers_per_group))
        async with slots:
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(self._writes, _in_context(fn, *args, **kwargs))

    def close(self) -> None:
        self._reads.shutdown(wait=True)
        self._writes.shutdown(wait=True)
