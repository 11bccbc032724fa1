"""A verdict depends on the document only: under real load valid schemas stay valid, a server
too busy to judge in time says 503, and a small document does not wait behind large ones."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from registry.formats import validate
from tests.core.test_validation_pool import SLOW_SQL
from tests.support.client import Client
from tests.support.git import commit_count, git, repo_path
from tests.support.openapi_check import check_response
from tests.support.server import Server

SMALL = "user:\n  name: string\n"
# About 400 kB of YAML: most of a second of a parser's CPU time, or more.
LARGE = "".join(
    f"entity{i}:\n  id: number\n  name: string\n  ref: $entity{max(i - 1, 0)}.id\n  tags: [string]\n"
    f"  kind: enum(a, b, c)\n"
    for i in range(4000)
)


@contextmanager
def busy_cores(count: int) -> Iterator[None]:
    """Other work on the same cores: processes that only burn CPU (ended by their own handles)."""
    burners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(count)]
    try:
        yield
    finally:
        for burner in burners:
            burner.kill()
            burner.wait()


def _cpu_seconds(text: str) -> float:
    started = time.process_time()
    assert validate("yaml", text).valid
    return time.process_time() - started


def test_valid_schemas_stay_valid_and_small_ones_are_answered_first_under_load(tmp_path: Path) -> None:
    # A budget of two and a half times the document's own CPU time: what the document needs,
    # with room. Queueing and four burners on the cores multiply its wall time by more.
    budget = max(1.0, 2.5 * _cpu_seconds(LARGE))
    env = {"REGISTRY_PARSE_SECONDS": f"{budget:.2f}", "REGISTRY_VALIDATION_DEADLINE": "600"}
    srv = Server(tmp_path / "data", env=env).start()
    try:
        api = Client(srv.url, srv.admin_key(), hooks=[check_response])
        plain = Client(srv.url, srv.admin_key())  # checking 4000 entities against the OpenAPI takes a minute
        group = api.post("/project-group", {"name": "g"}).json
        stored = plain.post("/project", {"project_group_id": group["id"], "name": "big", "data": LARGE}).json
        with busy_cores(4), ThreadPoolExecutor(4) as threads:
            updates = [
                threads.submit(
                    plain.put, f"/project/{stored['id']}", {"data": LARGE + f"extra{n}:\n  x: string\n"}
                )
                for n in range(2)
            ]
            entities = [threads.submit(plain.get, f"/project/{stored['id']}/entities") for _ in range(2)]
            large = updates + entities
            time.sleep(1)  # not an assertion: lets the large documents take every large-lane worker
            small = api.post("/validate", {"format": "yaml", "data": SMALL})
            pending = sum(not future.done() for future in large)
            answers = [future.result() for future in large]
        assert small.status == 200 and small.json["valid"] is True
        assert pending == len(large), "the small document waited for a large one to finish"
        assert [a.status for a in answers] == [200] * 4, [a.json for a in answers if a.status != 200]
        assert all(len(a.json["entities"]) == 4000 for a in answers[2:])
    finally:
        srv.stop()


def test_a_server_too_busy_to_judge_in_time_answers_503_and_judges_nothing(tmp_path: Path) -> None:
    srv = Server(tmp_path / "data").start()
    try:  # stored while the server had the time to judge it
        api = Client(srv.url, srv.admin_key(), hooks=[check_response])
        group = api.post("/project-group", {"name": "g"}).json
        stored = api.post(
            "/project", {"project_group_id": group["id"], "name": "slow", "format": "sql", "data": SLOW_SQL}
        )
        assert stored.status == 201
    finally:
        srv.stop()
    srv.env = {"REGISTRY_PARSE_SECONDS": "60", "REGISTRY_VALIDATION_DEADLINE": "0.5"}
    srv.start()
    try:
        api = Client(srv.url, srv.admin_key(), hooks=[check_response])
        before = commit_count(repo_path(srv.data_dir, group["id"]))
        checked = api.post("/validate", {"format": "sql", "data": SLOW_SQL})
        assert checked.status == 503
        assert checked.json["code"] == "validation-busy"
        assert checked.headers["Retry-After"] == "60"
        entities = api.get(f"/project/{stored.json['id']}/entities")  # stored: never "no longer validates"
        assert (entities.status, entities.json["code"]) == (503, "validation-busy")
        created = api.post(
            "/project", {"project_group_id": group["id"], "name": "again", "format": "sql", "data": SLOW_SQL}
        )
        assert (created.status, created.json["code"]) == (503, "validation-busy")
        assert commit_count(repo_path(srv.data_dir, group["id"])) == before
        assert api.post("/validate", {"format": "yaml", "data": SMALL}).json["valid"] is True
        url = f"http://any:{api.key}@127.0.0.1:{srv.port}/git/g.git"
        git("clone", "-q", url, "work", cwd=tmp_path)
        (tmp_path / "work" / "other.sql").write_text(SLOW_SQL + "-- another copy\n")
        git("add", "-A", cwd=tmp_path / "work")
        git(
            "-c", "user.name=A", "-c", "user.email=a@example.com", "commit", "-qm", "x", cwd=tmp_path / "work"
        )
        pushed = git("push", "origin", "main", cwd=tmp_path / "work", check=False)
        assert pushed.returncode != 0
        assert "other.sql: the server is too busy to validate" in pushed.stderr
        assert commit_count(repo_path(srv.data_dir, group["id"])) == before
    finally:
        srv.stop()
