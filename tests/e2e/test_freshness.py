"""Two server processes on one data folder: a write acknowledged by one is read by the other at once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.client import Client
from tests.support.server import Server


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[tuple[Client, Client]]:
    first = Server(tmp_path / "data").start()
    second = Server(tmp_path / "data").start()
    try:
        yield Client(first.url, first.admin_key()), Client(second.url, second.admin_key())
    finally:
        first.stop()
        second.stop()


def _group_with_project(
    api: Client, group_name: str, name: str, data: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    group = api.post("/project-group", {"name": group_name}).json
    return group, api.post("/project", {"project_group_id": group["id"], "name": name, "data": data}).json


def test_reads_on_one_process_see_writes_of_the_other(pair: tuple[Client, Client]) -> None:
    a, b = pair
    group, project = _group_with_project(a, "shared", "p", "e:\n  f: string\n")
    assert b.get(f"/project/{project['id']}").json["data"] == "e:\n  f: string\n"  # b caches it now
    for i in range(20):
        writer, reader = (a, b) if i % 2 else (b, a)
        data = f"e:\n  f{i}: number\n"
        assert writer.put(f"/project/{project['id']}", {"data": data}).status == 200
        got = reader.get(f"/project/{project['id']}")
        assert got.json["data"] == data, i
        assert got.headers["ETag"] == writer.get(f"/project/{project['id']}").headers["ETag"]
    assert a.patch(f"/project/{project['id']}", {"name": "q"}).status == 200
    assert b.get(f"/project/{project['id']}").json["name"] == "q"
    assert a.delete(f"/project/{project['id']}").status == 200
    assert b.get(f"/project/{project['id']}").status == 404
    assert a.put(f"/project-group/{group['id']}", {"name": "renamed"}).status == 200
    assert b.get("/project-group/renamed").json["id"] == group["id"]
    assert a.delete(f"/project-group/{group['id']}").status == 200
    assert b.get(f"/project-group/{group['id']}").status == 404


def test_reads_by_name_on_one_process_see_changes_by_the_other(pair: tuple[Client, Client]) -> None:
    a, b = pair
    group, project = _group_with_project(a, "named", "p", "e:\n  f: string\n")
    for _ in range(2):  # b answers the second read from memory
        assert b.get("/project/named/p").json["data"] == "e:\n  f: string\n"
    assert a.put(f"/project/{project['id']}", {"data": "e:\n  g: number\n"}).status == 200
    assert b.get("/project/named/p").json["data"] == "e:\n  g: number\n"
    assert a.patch(f"/project/{project['id']}", {"name": "q"}).status == 200
    assert b.get("/project/named/p").status == 404
    assert b.get("/project/named/q").json["id"] == project["id"]
    assert a.put(f"/project-group/{group['id']}", {"name": "other"}).status == 200
    assert b.get(f"/project/{project['id']}").status == 200  # b's view of the renamed group is fresh
    assert b.get("/project/named/q").status == 404
    _, theirs = _group_with_project(a, "named", "q", "e:\n  h: string\n")
    assert b.get("/project/named/q").json["id"] == theirs["id"]
    assert b.get("/project/other/q").json["id"] == project["id"]


def test_group_names_stay_unique_across_processes(pair: tuple[Client, Client]) -> None:
    a, b = pair
    assert a.post("/project-group", {"name": "team"}).status == 201
    assert b.post("/project-group", {"name": "TEAM"}).status == 409
