"""``schema-registry maintain``: full repacks while a server serves and clients write."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from repo_store import pack_count
from tests.support.client import Client
from tests.support.git import commit_count, repo_path
from tests.support.ops import assert_fsck_clean, cli
from tests.support.server import Server

WRITERS = 4
WRITES = 12


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Server, Client]]:
    srv = Server(tmp_path / "data").start()
    try:
        yield srv, Client(srv.url, srv.admin_key())
    finally:
        srv.stop()


def test_maintain_packs_each_group_into_one_pack_while_writes_go_on(served: tuple[Server, Client]) -> None:
    srv, api = served
    group = api.post("/project-group", {"name": "busy"}).json
    other = api.post("/project-group", {"name": "quiet"}).json
    ids = [
        api.post(
            "/project", {"project_group_id": group["id"], "name": f"p{i}", "data": "e:\n  f: string\n"}
        ).json["id"]
        for i in range(WRITERS)
    ]
    api.post("/project", {"project_group_id": other["id"], "name": "q", "data": "e:\n  f: string\n"})
    repo = repo_path(srv.data_dir, group["id"])
    statuses: list[int] = []

    def writer(pid: str) -> None:
        client = Client(srv.url, srv.admin_key())
        for n in range(WRITES):
            statuses.append(client.put(f"/project/{pid}", {"data": f"e:\n  f{n}: number\n"}).status)

    threads = [threading.Thread(target=writer, args=(pid,)) for pid in ids]
    for t in threads:
        t.start()
    runs = [cli("maintain", data_dir=srv.data_dir) for _ in range(3)]
    for t in threads:
        t.join()
    assert statuses == [200] * (WRITERS * WRITES)
    assert all(r.stdout.strip().endswith("Repacked 2 repositories") for r in runs)
    for pid in ids:
        assert api.get(f"/project/{pid}").json["data"] == f"e:\n  f{WRITES - 1}: number\n"
    assert commit_count(repo) == 1 + WRITERS + WRITERS * WRITES
    cli("maintain", data_dir=srv.data_dir)
    assert pack_count(repo) == 1
    assert pack_count(repo_path(srv.data_dir, other["id"])) == 1
    assert_fsck_clean(srv.data_dir)
    assert cli("check", data_dir=srv.data_dir).returncode == 0


def test_maintain_one_group_and_an_unknown_one(served: tuple[Server, Client]) -> None:
    srv, api = served
    group = api.post("/project-group", {"name": "g"}).json
    result = cli("maintain", "--group", group["id"], data_dir=srv.data_dir)
    assert result.stdout.startswith(f"{group['id']}\t")
    assert "Repacked 1 repositories" in result.stdout
    missing = cli("maintain", "--group", "_gnothere00000000", data_dir=srv.data_dir, check=False)
    assert missing.returncode == 1
    assert "no project group '_gnothere00000000'" in missing.stdout
