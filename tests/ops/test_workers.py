"""``serve --workers N``: several processes on one port, one data folder, read-your-writes."""

from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.client import Client
from tests.support.ops import cli, json_log_lines, metric_samples, sample
from tests.support.server import Server

YAML = "user:\n  name: string\n"


def worker_pids(srv: Server) -> set[int]:
    return {line["pid"] for line in json_log_lines(srv.log()) if line["message"].endswith(" ready")}


def wait_for_workers(srv: Server, count: int, timeout: float = 30.0) -> set[int]:
    deadline = time.monotonic() + timeout
    while len(worker_pids(srv)) < count:
        assert time.monotonic() < deadline, srv.log()
        time.sleep(0.05)
    return worker_pids(srv)


@pytest.fixture(scope="module")
def two_workers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    srv = Server(
        tmp_path_factory.mktemp("workers") / "data", extra_args=("--workers", "2", "--log-format", "json")
    ).start()
    wait_for_workers(srv, 2)
    yield srv
    srv.stop()


def test_the_first_admin_key_is_made_once(two_workers: Server) -> None:
    assert two_workers.log().count("Created the first API key") == 1
    keys = json.loads(cli("keys", "list", "--json", data_dir=two_workers.data_dir).stdout)
    assert [k["name"] for k in keys] == ["admin"]


def test_reads_see_the_last_write_whichever_process_answers(two_workers: Server) -> None:
    api = Client(two_workers.url, two_workers.admin_key())  # a new connection per request
    group = api.post("/project-group", {"name": "ryw"}, headers={"X-Request-Id": "ryw-group"}).json
    assert api.get("/project-group/ryw", headers={"X-Request-Id": "ryw-group-read"}).status == 200
    project = api.post("/project", {"project_group_id": group["id"], "name": "p"}).json
    rounds = 40
    for n in range(rounds):
        data = f"# {n}\n{YAML}"
        put = api.put(f"/project/{project['id']}", {"data": data}, headers={"X-Request-Id": f"ryw-w{n}"})
        assert put.status == 200
        got = api.get(f"/project/{project['id']}", headers={"X-Request-Id": f"ryw-r{n}"})
        assert got.json["data"] == data
        assert got.headers["ETag"] == put.headers["ETag"]
    expected = {f"ryw-{kind}{n}" for kind in "wr" for n in range(rounds)}
    served_by: dict[str, int] = {}
    deadline = time.monotonic() + 10
    while not expected <= served_by.keys():  # access lines are written just after the answer
        assert time.monotonic() < deadline, sorted(expected - served_by.keys())
        time.sleep(0.02)
        served_by = {
            line["request_id"]: line["pid"] for line in json_log_lines(two_workers.log()) if "status" in line
        }
    assert len(set(served_by.values())) == 2, "one process answered everything"
    crossed = sum(served_by[f"ryw-w{n}"] != served_by[f"ryw-r{n}"] for n in range(rounds))
    assert crossed > 0, "no read was answered by another process than its write"


def test_metrics_add_up_every_worker(two_workers: Server) -> None:
    api = Client(two_workers.url, two_workers.admin_key())
    before = metric_samples(api)
    for _ in range(20):
        assert api.get("/project-group").status == 200
    after = metric_samples(api)
    labels = {"method": "GET", "route": "/project-group", "status": "200"}
    assert (
        sample(after, "registry_http_requests_total", **labels)
        - sample(before, "registry_http_requests_total", **labels)
        == 20
    )
    assert sample(after, "registry_repositories", state="live") >= 1


def test_a_killed_worker_is_replaced(two_workers: Server) -> None:
    api = Client(two_workers.url, two_workers.admin_key())
    victim = min(worker_pids(two_workers))
    os.kill(victim, signal.SIGKILL)
    deadline = time.monotonic() + 30
    while len(worker_pids(two_workers) - {victim}) < 2:
        assert time.monotonic() < deadline, two_workers.log()
        time.sleep(0.05)
    assert "restarting it" in two_workers.log()
    for _ in range(20):  # both sockets are served again
        assert api.get("/healthz").status == 200


def test_sigterm_stops_every_worker(tmp_path: Path) -> None:
    srv = Server(tmp_path / "data", extra_args=("--workers", "2", "--log-format", "json")).start()
    pids = wait_for_workers(srv, 2)
    srv.stop()
    assert srv.process is not None and srv.process.returncode == 0
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
