"""Many clients, two server processes: every acknowledged write is one commit, none is lost.

Sizes are bounded for CI; ``REGISTRY_CONCURRENCY_SCALE=10`` runs ten times the writes
(docs/operations.md).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from tests.support.client import Client
from tests.support.git import commit_count, repo_path, show
from tests.support.ops import assert_fsck_clean
from tests.support.server import Server

SCALE = int(os.environ.get("REGISTRY_CONCURRENCY_SCALE", "1"))
SHARED_CLIENTS = 24  # each with its own project in one shared group
OWN_GROUP_CLIENTS = 12  # each with a group of its own
WRITES_PER_CLIENT = 6 * SCALE


@pytest.fixture(scope="module")
def two_workers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    srv = Server(tmp_path_factory.mktemp("concurrency") / "data", extra_args=("--workers", "2")).start()
    yield srv
    srv.stop()


def run_all(count: int, work: Callable[[int], Any]) -> list[Any]:
    """``work(0..count-1)`` in ``count`` threads started together (one client each)."""
    barrier = threading.Barrier(count)

    def start(n: int) -> Any:
        barrier.wait()
        return work(n)

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(start, range(count)))


def yaml_for(client: int, write: int) -> str:
    return f"# client {client} write {write}\nuser:\n  name: string\n"


def test_every_acknowledged_write_is_one_commit_and_the_last_one_wins(two_workers: Server) -> None:
    api = Client(two_workers.url, two_workers.admin_key())
    shared = api.post("/project-group", {"name": "shared"}).json
    targets: list[tuple[str, str]] = []  # (group id, project id) per client
    for n in range(SHARED_CLIENTS):
        project = api.post("/project", {"project_group_id": shared["id"], "name": f"p{n}"}).json
        targets.append((shared["id"], project["id"]))
    for n in range(OWN_GROUP_CLIENTS):
        group = api.post("/project-group", {"name": f"own{n}"}).json
        project = api.post("/project", {"project_group_id": group["id"], "name": "p"}).json
        targets.append((group["id"], project["id"]))
    setup_commits = {gid: commit_count(repo_path(two_workers.data_dir, gid)) for gid, _ in targets}

    def client(n: int) -> tuple[int, str | None]:
        acknowledged, last = 0, None
        for write in range(WRITES_PER_CLIENT):
            data = yaml_for(n, write)
            response = api.put(f"/project/{targets[n][1]}", {"data": data})
            assert response.status == 200, response  # own project: nothing to conflict with
            acknowledged, last = acknowledged + 1, data
        return acknowledged, last

    results = run_all(len(targets), client)

    acked_per_group: dict[str, int] = {}
    for (gid, pid), (acknowledged, last) in zip(targets, results, strict=True):
        acked_per_group[gid] = acked_per_group.get(gid, 0) + acknowledged
        assert api.get(f"/project/{pid}").json["data"] == last
    for gid, acked in acked_per_group.items():
        repo = repo_path(two_workers.data_dir, gid)
        assert commit_count(repo) == setup_commits[gid] + acked, gid
    shared_repo = repo_path(two_workers.data_dir, shared["id"])
    for n in range(SHARED_CLIENTS):  # and git agrees with the API
        assert show(shared_repo, f"main:p{n}.yaml").decode() == yaml_for(n, WRITES_PER_CLIENT - 1)
    assert_fsck_clean(two_workers.data_dir)


def test_if_match_race_has_exactly_one_winner(two_workers: Server) -> None:
    api = Client(two_workers.url, two_workers.admin_key())
    group = api.post("/project-group", {"name": "race"}).json
    project = api.post("/project", {"project_group_id": group["id"], "name": "p"}).json
    contenders = 32
    for round_ in range(3 * SCALE):
        etag = api.get(f"/project/{project['id']}").headers["ETag"]
        statuses = run_all(
            contenders,
            lambda n, etag=etag, r=round_: (
                api.put(  # type: ignore[misc]
                    f"/project/{project['id']}", {"data": yaml_for(n, r)}, headers={"If-Match": etag}
                ).status
            ),
        )
        assert sorted(statuses) == [200] + [412] * (contenders - 1)
    assert commit_count(repo_path(two_workers.data_dir, group["id"])) == 2 + 3 * SCALE


def test_if_match_retry_loops_lose_no_update(two_workers: Server) -> None:
    """Clients append to one document with GET + PUT If-Match, retrying on 412: all lines land."""
    api = Client(two_workers.url, two_workers.admin_key())
    group = api.post("/project-group", {"name": "appenders"}).json
    project = api.post(
        "/project", {"project_group_id": group["id"], "name": "log", "data": yaml_for(-1, 0)}
    ).json
    clients, appends = 32, 2 * SCALE

    def append(n: int) -> int:
        conflicts = 0
        for k in range(appends):
            while True:
                current = api.get(f"/project/{project['id']}")
                data = current.json["data"] + f"# client {n} append {k}\n"
                put = api.put(
                    f"/project/{project['id']}", {"data": data}, headers={"If-Match": current.headers["ETag"]}
                )
                if put.status == 200:
                    break
                assert put.status == 412, put
                conflicts += 1
        return conflicts

    conflicts = sum(run_all(clients, append))
    final = api.get(f"/project/{project['id']}").json["data"]
    for n in range(clients):
        for k in range(appends):
            assert final.count(f"# client {n} append {k}\n") == 1
    assert commit_count(repo_path(two_workers.data_dir, group["id"])) == 2 + clients * appends
    assert conflicts > 0  # the race did happen
    assert_fsck_clean(two_workers.data_dir)
