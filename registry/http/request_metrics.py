"""Per-request metrics: requests answered, their latency, and requests in flight.

They are updated on every request, so in a single server process they are plain integers and
lists on the event loop, turned into Prometheus samples only when ``/metrics`` is scraped:
``prometheus_client``'s ``inc``/``observe`` take a lock per value and cost several times more.
Under ``serve --workers N`` the values have to reach the files that every worker's ``/metrics``
sums, so there they are ``prometheus_client`` metrics as before. Both give the same series.
"""

from __future__ import annotations

import bisect
import time
from collections.abc import Iterator
from typing import Any, Protocol

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import Metric
from prometheus_client.registry import Collector

REQUESTS = ("registry_http_requests", "HTTP requests answered")
LATENCY = (
    "registry_http_request_duration_seconds",
    "Time from request to answer (streamed answers: to the last byte)",
)
IN_FLIGHT = ("registry_http_requests_in_flight", "Requests being handled")
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
_LE = (*(repr(bound) for bound in LATENCY_BUCKETS), "+Inf")  # bucket labels as prometheus_client writes them


class RequestMetrics(Protocol):
    def started(self) -> None: ...

    def finished(self, method: str, route: str, status: int, seconds: float) -> None: ...


class _Latency:
    __slots__ = ("buckets", "created", "sum")

    def __init__(self) -> None:
        self.buckets = [0] * (len(LATENCY_BUCKETS) + 1)  # per bucket, not cumulative; the last is +Inf
        self.sum = 0.0
        self.created = time.time()


class LocalRequestMetrics(Collector):
    """One process's request metrics as plain numbers, exported as Prometheus samples on scrape.

    Only the event loop writes them. A scrape reads them from a worker thread; it copies each
    table first, so it sees every request either counted or not yet counted.
    """

    def __init__(self) -> None:
        self.in_flight = 0
        self._counts: dict[tuple[str, str, int], int] = {}
        self._created: dict[tuple[str, str, int], float] = {}
        self._latency: dict[tuple[str, str], _Latency] = {}

    def started(self) -> None:
        self.in_flight += 1

    def finished(self, method: str, route: str, status: int, seconds: float) -> None:
        self.in_flight -= 1
        key = (method, route, status)
        count = self._counts.get(key)
        if count is None:
            self._created[key] = time.time()
            count = 0
        self._counts[key] = count + 1
        latency = self._latency.get((method, route))
        if latency is None:
            latency = self._latency[method, route] = _Latency()
        latency.buckets[bisect.bisect_left(LATENCY_BUCKETS, seconds)] += 1
        latency.sum += seconds

    def collect(self) -> Iterator[Metric]:
        """The samples ``prometheus_client``'s Counter, Histogram and Gauge would give."""
        requests = Metric(REQUESTS[0], REQUESTS[1], "counter")
        created = dict(self._created)
        for (method, route, status), count in list(self._counts.items()):
            labels = {"method": method, "route": route, "status": str(status)}
            requests.add_sample(REQUESTS[0] + "_total", labels, float(count))
            requests.add_sample(REQUESTS[0] + "_created", labels, created[method, route, status])
        yield requests
        yield self._latency_metric()
        in_flight = Metric(IN_FLIGHT[0], IN_FLIGHT[1], "gauge")
        in_flight.add_sample(IN_FLIGHT[0], {}, float(self.in_flight))
        yield in_flight

    def _latency_metric(self) -> Metric:
        name = LATENCY[0]
        metric = Metric(name, LATENCY[1], "histogram")
        created = []
        for (method, route), latency in list(self._latency.items()):
            buckets, total = list(latency.buckets), latency.sum
            labels = {"method": method, "route": route}
            cumulative = 0
            for le, count in zip(_LE, buckets, strict=True):
                cumulative += count
                metric.add_sample(name + "_bucket", {"le": le, **labels}, float(cumulative))
            metric.add_sample(name + "_count", labels, float(cumulative))
            metric.add_sample(name + "_sum", labels, total)
            created.append((labels, latency.created))
        for labels, when in created:  # prometheus_client lists every series' _created last
            metric.add_sample(name + "_created", labels, when)
        return metric


class SharedRequestMetrics:
    """Request metrics in ``prometheus_client`` values, which it shares between worker processes."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.requests = Counter(REQUESTS[0], REQUESTS[1], ["method", "route", "status"], registry=registry)
        self.latency = Histogram(
            LATENCY[0], LATENCY[1], ["method", "route"], buckets=LATENCY_BUCKETS, registry=registry
        )
        self.in_flight = Gauge(IN_FLIGHT[0], IN_FLIGHT[1], registry=registry, multiprocess_mode="livesum")
        self._children: dict[tuple[str, str, int], tuple[Any, Any]] = {}

    def started(self) -> None:
        self.in_flight.inc()

    def finished(self, method: str, route: str, status: int, seconds: float) -> None:
        self.in_flight.dec()
        key = (method, route, status)
        children = self._children.get(key)
        if children is None:  # labels() validates and locks on every call: resolve each series once
            children = self._children[key] = (
                self.requests.labels(method, route, str(status)),
                self.latency.labels(method, route),
            )
        children[0].inc()
        children[1].observe(seconds)
