"""The in-memory request metrics of a single process expose what prometheus_client's would."""

from __future__ import annotations

import re

from prometheus_client import CollectorRegistry, generate_latest

from registry.http.request_metrics import LocalRequestMetrics, RequestMetrics, SharedRequestMetrics

REQUESTS = [
    ("GET", "/project/{project_id}", 200, 0.0003),
    ("GET", "/project/{project_id}", 200, 0.001),  # exactly on a bound: counted in that bucket
    ("GET", "/project/{project_id}", 304, 0.004),
    ("PUT", "/project/{project_id}", 422, 0.07),
    ("GET", "unmatched", 404, 45.0),  # beyond the last bound: +Inf only
    ("GET", "/project/{project_id}", 200, 0.3),
]


def _exposition(make: type[LocalRequestMetrics] | type[SharedRequestMetrics]) -> str:
    registry = CollectorRegistry()
    metrics: RequestMetrics
    if make is LocalRequestMetrics:
        metrics = local = LocalRequestMetrics()
        registry.register(local)
    else:
        metrics = SharedRequestMetrics(registry)
    for method, route, status, seconds in REQUESTS:
        metrics.started()
        metrics.finished(method, route, status, seconds)
    metrics.started()  # one still running
    text = generate_latest(registry).decode()
    return re.sub(r"^(\w+_created\{.*\}) \S+$", r"\1 <time>", text, flags=re.MULTILINE)  # times differ


def test_local_metrics_read_exactly_like_prometheus_client_ones() -> None:
    local = _exposition(LocalRequestMetrics)
    assert local == _exposition(SharedRequestMetrics)
    assert 'requests_total{method="GET",route="/project/{project_id}",status="200"} 3.0' in local
    assert "registry_http_requests_in_flight 1.0" in local
