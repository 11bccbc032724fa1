"""Webhook delivery: latency from commit to receiver under write load, and backlog replay rate.

``python -m bench.events [--seconds 10] [--backlog 10000]``. Starts the real server (webhooks
to loopback allowed) on a scratch data folder and a fast receiver (aiohttp, answers 204) in this
process. Latency: 16 clients PUT round robin over the 10 projects of one group (the write load
of row 2) for ``--seconds``; each event's latency is from the PUT's answer to the receiver's
arrival, matched by version. Backlog: the webhook is paused, ``--backlog`` commits are made,
the webhook is resumed, and the time until the receiver has them all gives the rate.
See docs/performance.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from bench.procs import admin_key, free_port, start_registry

YAML = "user:\n  name: string\n"


class Receiver:
    def __init__(self) -> None:
        self.arrived: dict[str, float] = {}  # version -> perf_counter at arrival
        self.wanted = 0
        self.enough = asyncio.Event()

    async def handle(self, request: web.Request) -> web.Response:
        event = json.loads(await request.read())
        self.arrived.setdefault(event["data"]["version"], time.perf_counter())
        if len(self.arrived) >= self.wanted:
            self.enough.set()
        return web.Response(status=204)


async def _write_load(
    session: aiohttp.ClientSession, url: str, pids: list[str], until: float, acks: dict[str, float]
) -> int:
    count = 0

    async def client(number: int) -> None:
        nonlocal count
        n = 0
        while time.perf_counter() < until:
            pid = pids[(number + n) % len(pids)]
            async with session.put(f"{url}/project/{pid}", json={"data": YAML + f"# {number} {n}\n"}) as r:
                body = await r.json()
                if r.status == 200:
                    acks[body["version"]] = time.perf_counter()
                    count += 1
            n += 1

    await asyncio.gather(*(client(i) for i in range(16)))
    return count


async def _commits(session: aiohttp.ClientSession, url: str, pids: list[str], total: int) -> None:
    queue = iter(range(total))

    async def client() -> None:
        for n in queue:
            async with session.put(
                f"{url}/project/{pids[n % len(pids)]}", json={"data": YAML + f"# b{n}\n"}
            ) as r:
                assert r.status == 200, await r.text()

    await asyncio.gather(*(client() for _ in range(16)))


async def _wait_for(receiver: Receiver, count: int, seconds: float) -> None:
    receiver.wanted = count
    receiver.enough = asyncio.Event()
    if len(receiver.arrived) >= count:
        return
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(receiver.enough.wait(), seconds)


async def run(seconds: float, backlog: int, data_dir: Path) -> dict[str, Any]:
    os.environ["REGISTRY_WEBHOOKS_ALLOW_PRIVATE"] = "1"
    key = admin_key(data_dir)
    server = start_registry(data_dir, data_dir.parent / "server.log")
    receiver = Receiver()
    app = web.Application()
    app.router.add_post("/hook", receiver.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    headers = {"Authorization": f"Bearer {key}"}
    try:
        async with aiohttp.ClientSession(
            headers=headers, connector=aiohttp.TCPConnector(limit=32)
        ) as session:
            url = server.url
            async with session.post(f"{url}/project-group", json={"name": "bench-events"}) as r:
                group = (await r.json())["id"]
            pids = []
            for n in range(10):
                async with session.post(
                    f"{url}/project", json={"project_group_id": group, "name": f"p{n}"}
                ) as r:
                    pids.append((await r.json())["id"])
            async with session.post(f"{url}/webhooks", json={"url": f"http://127.0.0.1:{port}/hook"}) as r:
                hook = (await r.json())["id"]
            acks: dict[str, float] = {}
            writes = await _write_load(session, url, pids, time.perf_counter() + seconds, acks)
            await _wait_for(receiver, len(acks), 60)
            lags = sorted((receiver.arrived[v] - t) * 1000 for v, t in acks.items() if v in receiver.arrived)
            async with session.patch(f"{url}/webhooks/{hook}", json={"paused": True}) as r:
                assert r.status == 200
            await asyncio.sleep(1.5)  # the sender sees the pause
            before = len(receiver.arrived)
            made = time.perf_counter()
            await _commits(session, url, pids, backlog)
            made = time.perf_counter() - made
            started = time.perf_counter()
            async with session.patch(f"{url}/webhooks/{hook}", json={"paused": False}) as r:
                assert r.status == 200
            await _wait_for(receiver, before + backlog, 600)
            replay = time.perf_counter() - started
            replayed = len(receiver.arrived) - before
    finally:
        await runner.cleanup()
        server.stop()
    return {
        "writes_per_second": writes / seconds,
        "events": len(lags),
        "latency_ms_p50": statistics.median(lags) if lags else None,
        "latency_ms_p99": lags[int(len(lags) * 0.99) - 1] if lags else None,
        "backlog_commit_seconds": made,
        "backlog_replayed": replayed,
        "backlog_seconds": replay,
        "backlog_events_per_second": replayed / replay,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--backlog", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-events-") as scratch:
        data_dir = Path(scratch) / "data"
        data_dir.mkdir()
        print(json.dumps(asyncio.run(run(args.seconds, args.backlog, data_dir)), indent=2))


if __name__ == "__main__":
    main()
