"""Wake event streams and the webhook sender when any process commits (the change beacon).

The beacon is a shared memory page every writer changes after a durable commit; reading it is
a memory read, so one task per process polls it often (every 20 ms) and wakes whoever waits.
That is how a commit made by another worker process reaches a stream within 100 ms.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from aiohttp import web

from registry.core.beacon import ChangeBeacon
from registry.http.context import BEACON_WATCH

POLL_SECONDS = 0.02


class BeaconWatch:
    def __init__(self, beacon: ChangeBeacon) -> None:
        self._beacon = beacon
        self._changed = asyncio.Event()
        self.generation = 0  # counts the changes seen; a waiter passes the one it last acted on
        self.stopping = asyncio.Event()  # set on shutdown: streams end

    async def run(self) -> None:
        seen = self._beacon.value()
        while True:
            await asyncio.sleep(POLL_SECONDS)
            now = self._beacon.value()
            if now != seen:
                seen = now
                self.generation += 1
                self._changed.set()
                self._changed = asyncio.Event()

    async def wait(self, generation: int, seconds: float) -> None:
        """Return once a change after ``generation`` was seen, on shutdown, or after ``seconds``."""
        if self.generation != generation or self.stopping.is_set():
            return
        changed = asyncio.create_task(self._changed.wait())
        stopping = asyncio.create_task(self.stopping.wait())
        try:
            await asyncio.wait((changed, stopping), timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (changed, stopping):
                task.cancel()


async def watching(app: web.Application) -> AsyncIterator[None]:
    """cleanup_ctx: the watch task, and streams told to end when the server stops."""
    task = asyncio.create_task(app[BEACON_WATCH].run())
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def stop_streams(app: web.Application) -> None:
    """on_shutdown: long-lived streams end now rather than hold the shutdown for its timeout."""
    app[BEACON_WATCH].stopping.set()
