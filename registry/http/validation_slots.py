"""How many validations run in threads at once, per lane: as many as the processes that take them.

A request that validates waits here, on the event loop, not in a read thread (many slow
documents sent at once would otherwise hold every read thread while they queue for a validation
process). Small documents wait apart from large ones, as they have a validation process of their
own; all the waiting counts against the request's deadline (:mod:`registry.core.validation_pool`).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator

from registry.core.validation_pool import ValidationPool


class ValidationSlots:
    def __init__(self, workers: int, small_workers: int = 1) -> None:
        self._large = asyncio.Semaphore(workers)
        self._small = asyncio.Semaphore(workers + small_workers)  # any idle process takes them

    @contextlib.asynccontextmanager
    async def held(self, pool: ValidationPool, text: str, until: float | None = None) -> AsyncIterator[float]:
        """Hold a slot for validating ``text``; :class:`ValidationBusy` if none frees by ``until``
        (default: the pool's deadline from now). Yields the deadline, for the validation itself."""
        until = time.monotonic() + pool.deadline if until is None else until
        slots = self._small if pool.is_small(text) else self._large
        try:
            async with asyncio.timeout(until - time.monotonic()):
                await slots.acquire()
        except TimeoutError:
            raise pool.busy() from None
        try:
            yield until
        finally:
            slots.release()
