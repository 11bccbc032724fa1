"""Fallback load generator (when wrk is missing): aiohttp clients in this separate process.

``python -m bench.pyload SPEC.json`` (a :class:`bench.load.LoadSpec` as JSON); prints one
``BENCH-JSON {...}`` line like the wrk script does.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path

import aiohttp

from bench.load import PLACEHOLDER, RESULT_MARK, LoadSpec


async def _drive(spec: LoadSpec) -> dict[str, int]:
    headers = {"Authorization": f"Bearer {spec.key}"}
    if spec.body_template is not None:
        headers["Content-Type"] = "application/json"
    latencies: list[float] = []
    errors = 0
    counter = 0
    start = time.perf_counter()
    deadline = start + spec.seconds
    connector = aiohttp.TCPConnector(limit=spec.connections)
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(connector=connector, headers=headers, timeout=timeout) as session:

        async def client(number: int) -> None:
            nonlocal errors, counter
            while time.perf_counter() < deadline:
                counter += 1
                path = spec.paths[(counter + number) % len(spec.paths)]
                body = None
                if spec.body_template is not None:
                    body = spec.body_template.replace(PLACEHOLDER, str(number * 100000000 + counter))
                sent = time.perf_counter()
                try:
                    async with session.request(spec.method, spec.url + path, data=body) as response:
                        await response.read()
                        errors += response.status >= 300
                except (aiohttp.ClientError, TimeoutError):
                    errors += 1
                latencies.append(time.perf_counter() - sent)

        await asyncio.gather(*(client(n) for n in range(spec.connections)))
    latencies.sort()

    def pick(q: float) -> int:
        return int(latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1e6) if latencies else 0

    return {
        "requests": len(latencies),
        "duration_us": int((time.perf_counter() - start) * 1e6),
        "errors": errors,
        "p50_us": pick(0.5),
        "p99_us": pick(0.99),
    }


def main() -> None:
    spec = LoadSpec(**json.loads(Path(sys.argv[1]).read_text()))
    print(RESULT_MARK + json.dumps(asyncio.run(_drive(spec))), flush=True)


if __name__ == "__main__":
    main()
