"""Validation in worker processes: same results as in process, and a hard CPU-time limit."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from registry.core.validation_pool import ValidationPool
from registry.formats import validate
from tests.support.client import Client
from tests.support.git import commit_count, repo_path
from tests.support.server import Server

# Several seconds of parsing.
SLOW_SQL = "".join(
    f"CREATE TABLE t{i} (id INT PRIMARY KEY, name TEXT NOT NULL, ref INT REFERENCES t{max(i - 1, 0)}(id));\n"
    for i in range(2000)
)


@pytest.fixture
def pool() -> Iterator[ValidationPool]:
    pool = ValidationPool(workers=1, seconds=0.5)
    yield pool
    pool.close()


@pytest.mark.parametrize(
    ("fmt", "text"),
    [
        ("yaml", "user:\n  name: string\n"),
        ("yaml", "user:\n  name: strin\n"),
        ("sql", "CREATE TABLE t (id INT;"),
    ],
)
def test_results_are_those_of_the_validator(pool: ValidationPool, fmt: str, text: str) -> None:
    assert pool.validate(fmt, text) == validate(fmt, text)


def test_a_document_over_the_time_limit_is_refused_and_the_pool_recovers(pool: ValidationPool) -> None:
    slow = pool.validate("sql", SLOW_SQL)
    assert not slow.valid
    assert slow.errors[0].message == "validation needs more than 0.5 s of CPU time; the document is refused"
    assert pool.timeouts == 1
    assert pool.validate("yaml", "user:\n  name: string\n").valid


def test_a_dead_worker_is_replaced(pool: ValidationPool) -> None:
    worker = pool._idle[True][-1]  # the small documents' lane: the next one goes there
    worker.process.kill()
    worker.process.join()
    gone = pool.validate("yaml", "user:\n  name: string\n")
    assert not gone.valid
    assert "stopped" in gone.errors[0].message
    assert pool.validate("yaml", "user:\n  name: string\n").valid


def test_the_server_refuses_a_schema_that_takes_too_long(tmp_path: Path) -> None:
    srv = Server(tmp_path / "data", env={"REGISTRY_PARSE_SECONDS": "0.5"}).start()
    try:
        api = Client(srv.url, srv.admin_key())
        group = api.post("/project-group", {"name": "g"}).json
        response = api.post(
            "/project", {"project_group_id": group["id"], "name": "big", "format": "sql", "data": SLOW_SQL}
        )
        assert response.status == 422
        assert "needs more than 0.5 s of CPU time" in response.json["errors"][0]["message"]
        assert commit_count(repo_path(srv.data_dir, group["id"])) == 1
        checked = api.post("/validate", {"format": "sql", "data": SLOW_SQL})
        assert checked.json["valid"] is False
        ok = api.post(
            "/project",
            {
                "project_group_id": group["id"],
                "name": "small",
                "format": "sql",
                "data": "CREATE TABLE t (id INT);",
            },
        )
        assert ok.status == 201
    finally:
        srv.stop()


def test_slow_validations_do_not_hold_the_threads_that_reads_need(tmp_path: Path) -> None:
    """Validations beyond the validation processes wait without a thread; the reads go on."""
    env = {"REGISTRY_VALIDATION_WORKERS": "1", "REGISTRY_IO_THREADS": "2"}
    srv = Server(tmp_path / "data", env=env).start()
    try:
        api = Client(srv.url, srv.admin_key())
        group = api.post("/project-group", {"name": "g"}).json
        with ThreadPoolExecutor(3) as pool:
            checks = [
                pool.submit(api.post, "/validate", {"format": "sql", "data": SLOW_SQL}) for _ in range(3)
            ]
            time.sleep(0.3)  # the first validation runs; with two threads, the old code held both
            history = api.get(f"/project-group/{group['id']}/history")  # a read that needs a thread
            pending = sum(not check.done() for check in checks)
            assert history.status == 200
            assert pending >= 2, "the read waited for the validations ahead of it"
            assert [check.result().status for check in checks] == [200] * 3  # each took about a second
    finally:
        srv.stop()


def test_the_nesting_limit_is_configurable(tmp_path: Path) -> None:
    nested = "root:\n" + "".join("  " * (d + 1) + f"l{d}:\n" for d in range(20)) + "  " * 21 + "x: string\n"
    srv = Server(tmp_path / "data", env={"REGISTRY_MAX_DEPTH": "8"}).start()
    try:
        api = Client(srv.url, srv.admin_key())
        refused = api.post("/validate", {"format": "yaml", "data": nested}).json
        assert refused["valid"] is False
        assert any("deep" in e["message"] or "nest" in e["message"] for e in refused["errors"]), refused
    finally:
        srv.stop()
    assert validate("yaml", nested).valid  # within the default limit
