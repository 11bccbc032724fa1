"""Blocking storage work runs in a thread pool, never on the event loop.

Writes to one group queue on an asyncio lock first, so waiting writers hold no thread: a burst
of writes to one group cannot starve reads or writes to other groups.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


class Offloader:
    def __init__(self, threads: int) -> None:
        self._pool = ThreadPoolExecutor(threads, thread_name_prefix="registry-io")
        self._group_locks: dict[str, asyncio.Lock] = {}

    async def run(self, fn: Callable[P, R], /, *args: P.args, **kwargs: P.kwargs) -> R:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, functools.partial(fn, *args, **kwargs))

    async def write(self, group_id: str, fn: Callable[P, R], /, *args: P.args, **kwargs: P.kwargs) -> R:
        lock = self._group_locks.setdefault(group_id, asyncio.Lock())
        async with lock:
            return await self.run(fn, *args, **kwargs)

    def close(self) -> None:
        self._pool.shutdown(wait=True)
