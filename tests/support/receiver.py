"""A webhook receiver for tests: a real aiohttp server on loopback, run on its own thread."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.support.server import free_port


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    at: float

    @property
    def event(self) -> dict[str, Any]:
        doc: dict[str, Any] = json.loads(self.body)
        return doc


@dataclass
class Receiver:
    """Answers 204, or ``fail_status`` for the first ``failures`` requests; ``delay`` before answering."""

    failures: int = 0
    fail_status: int = 500
    delay: float = 0.0
    received: list[Received] = field(default_factory=list)  # every request, failed ones too
    accepted: list[Received] = field(default_factory=list)  # the ones answered 2xx
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    async def _handle(self, request: web.Request) -> web.Response:
        item = Received(dict(request.headers), await request.read(), time.monotonic())
        self.received.append(item)
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.failures > 0:
            self.failures -= 1
            return web.Response(status=self.fail_status)
        self.accepted.append(item)
        return web.Response(status=204)

    def start(self) -> Receiver:
        self.port = free_port()
        ready = threading.Event()
        self._loop = asyncio.new_event_loop()

        async def serve() -> None:
            app = web.Application()
            app.router.add_post("/hook", self._handle)
            self._runner = web.AppRunner(app, access_log=None)
            await self._runner.setup()
            await web.TCPSite(self._runner, "127.0.0.1", self.port).start()
            ready.set()

        self._thread = threading.Thread(target=self._run, args=(serve,), daemon=True)
        self._thread.start()
        assert ready.wait(10)
        return self

    def _run(self, serve: Any) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_until_complete(serve())
        self._loop.run_forever()

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()

    def wait_for(self, count: int, timeout: float = 30.0) -> list[Received]:
        deadline = time.monotonic() + timeout
        while len(self.accepted) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(self.accepted) >= count, (len(self.accepted), [r.event["id"] for r in self.accepted])
        return self.accepted[:count]

    def ids(self) -> list[str]:
        return [r.event["id"] for r in self.accepted]

    def __enter__(self) -> Receiver:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
