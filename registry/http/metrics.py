"""Prometheus metrics: requests, latency, commits, cache hits, and the repositories on disk.

Each app has its own ``CollectorRegistry`` (no process-global state, so tests can build many apps).
Under ``serve --workers N`` the supervisor sets ``PROMETHEUS_MULTIPROC_DIR`` before the workers
start; prometheus-client then keeps every worker's values in files there and any worker's
``/metrics`` answers for all of them, so a scrape that lands on either process sees the sum.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

from aiohttp import web
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    ProcessCollector,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from registry.core.layout import DELETED_DIR, GROUPS_DIR
from registry.http.request_metrics import (
    LATENCY_BUCKETS,
    LocalRequestMetrics,
    RequestMetrics,
    SharedRequestMetrics,
)

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
CONTENT_TYPE = CONTENT_TYPE_LATEST
UNMATCHED_ROUTE = "unmatched"  # 404s are one series, not one per probed path
CLIENT_CLOSED = 499  # nginx's convention for "the client went away before the answer"

# Successful requests on these routes are exactly one commit each (issue 2's storage contract).
COMMIT_ACTIONS: Mapping[tuple[str, str], str] = {
    ("POST", "/project-group"): "create-group",
    ("PUT", "/project-group/{group}"): "rename-group",
    ("DELETE", "/project-group/{group}"): "delete-group",
    ("POST", "/project"): "create-project",
    ("PUT", "/project/{project_id}"): "update-project",
    ("PUT", "/project/{group}/{name}"): "update-project",
    ("PATCH", "/project/{project_id}"): "rename-project",
    ("DELETE", "/project/{project_id}"): "delete-project",
}

CacheStats = Callable[[], Mapping[str, tuple[int, int]]]  # cache name -> (hits, misses)


class Metrics:
    """The metrics of one server process."""

    def __init__(self, data_dir: Path, cache_stats: CacheStats | None = None) -> None:
        self.multiprocess_dir = os.environ.get(MULTIPROC_ENV) or None
        self.registry = CollectorRegistry()
        reg = self.registry
        self.http: RequestMetrics
        if self.multiprocess_dir is None:
            self.http = local = LocalRequestMetrics()
            reg.register(local)
        else:
            self.http = SharedRequestMetrics(reg)
        self.request_started: Callable[[], None] = self.http.started  # per request: no extra call
        self.validation = Histogram(
            "registry_validation_duration_seconds",
            "Time spent validating one schema document, by format",
            ["format"],
            buckets=LATENCY_BUCKETS,
            registry=reg,
        )
        self.commits = Counter(
            "registry_commits",
            "Successful writes through the API, by action (a write of nothing makes no commit)",
            ["action"],
            registry=reg,
        )
        self.cache_hits = Gauge(
            "registry_cache_hits",
            "Cache hits since start",
            ["cache"],
            registry=reg,
            multiprocess_mode="livesum",
        )
        self.cache_misses = Gauge(
            "registry_cache_misses",
            "Cache misses since start",
            ["cache"],
            registry=reg,
            multiprocess_mode="livesum",
        )
        self._cache_stats = cache_stats
        self.storage = StorageCollector(data_dir)
        reg.register(self.storage)
        if self.multiprocess_dir is None:
            ProcessCollector(registry=reg)

    def request_finished(self, method: str, route: str, status: int, seconds: float) -> None:
        self.http.finished(method, route, status, seconds)
        if 200 <= status < 300:
            action = COMMIT_ACTIONS.get((method, route))
            if action is not None:
                self.commits.labels(action).inc()

    def refresh_caches(self) -> None:
        if self._cache_stats is None:
            return
        for name, (hits, misses) in self._cache_stats().items():
            self.cache_hits.labels(name).set(hits)
            self.cache_misses.labels(name).set(misses)

    def exposition(self) -> bytes:
        """The text format (blocking: it walks the data folder; call from a worker thread)."""
        self.refresh_caches()
        if self.multiprocess_dir is None:
            return generate_latest(self.registry)
        merged = CollectorRegistry()
        MultiProcessCollector(merged, path=self.multiprocess_dir)  # type: ignore[no-untyped-call]  # untyped upstream
        merged.register(self.storage)
        return generate_latest(merged)


class StorageCollector(Collector):
    """Repository count and bytes on disk, live and deleted groups, measured at scrape time."""

    def __init__(self, data_dir: Path) -> None:
        self._dirs = {"live": data_dir / GROUPS_DIR, "deleted": data_dir / DELETED_DIR}

    def collect(self) -> Iterator[Metric]:
        count = GaugeMetricFamily("registry_repositories", "Group repositories on disk", labels=["state"])
        size = GaugeMetricFamily(
            "registry_repository_bytes", "Bytes of the group repositories on disk", labels=["state"]
        )
        for state, folder in self._dirs.items():
            repos = _repositories(folder)
            count.add_metric([state], len(repos))
            size.add_metric([state], sum(_tree_bytes(repo) for repo in repos))
        yield count
        yield size


def _repositories(folder: Path) -> list[Path]:
    try:
        return [p for p in folder.iterdir() if p.name.startswith("_g") and p.name.endswith(".git")]
    except FileNotFoundError:
        return []


def _tree_bytes(path: Path) -> int:
    total = 0
    for root, _, files in os.walk(path):
        for name in files:
            try:
                total += os.lstat(os.path.join(root, name)).st_size
            except FileNotFoundError:  # a lock or temporary file that went away meanwhile
                continue
    return total


async def refresh_periodically(metrics: Metrics, seconds: float = 5.0) -> None:
    """Keep cache gauges fresh in every worker, not only in the one a scrape lands on."""
    while True:
        metrics.refresh_caches()
        await asyncio.sleep(seconds)


def route_of(request: web.Request) -> str:
    """The route template (``/project/{project_id}``), never the raw path: bounded label values."""
    resource = request.match_info.route.resource
    return resource.canonical if resource is not None else UNMATCHED_ROUTE
