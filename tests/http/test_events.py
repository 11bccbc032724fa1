"""``GET /events``: every change as a CloudEvent on a Server-Sent Events stream (docs/events.md)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from tests.conftest import MakeKey
from tests.support.client import Client
from tests.support.events import EventStream, check_event
from tests.support.git import git
from tests.support.openapi_check import check_response
from tests.support.server import Server

T = "dev.schema-registry."
V1 = "user:\n  name: string\n"
V2 = "user:\n  name: string\n  email: string\n"


def stream(server: Server, query: str = "", **headers: str) -> EventStream:
    return EventStream(server.url, server.admin_key(), "/events" + query, headers)


def test_each_project_change_is_one_event_as_documented(
    server: Server, api: Client, group: dict[str, Any]
) -> None:
    gid = group["id"]
    with stream(server, f"?group={gid}") as events:
        assert events.status == 200
        created = api.post("/project", {"project_group_id": gid, "name": "users", "data": V1}).json
        pid = created["id"]
        updated = api.put(f"/project/{pid}", {"data": V2, "message": "add age"}).json
        renamed = api.patch(f"/project/{pid}", {"name": "members"}).json
        restored = api.post(f"/project/{pid}/restore", {"version": created["version"]}).json
        assert api.delete(f"/project/{pid}").status == 200
        deleted = api.get(f"/project-group/{gid}/history?limit=1").json["versions"][0]["version"]
        got = events.wait_for(5)
    versions = [created["version"], updated["version"], renamed["version"], restored["version"], deleted]
    actions = ["created", "updated", "renamed", "restored", "deleted"]
    names = ["users", "users", "members", "users", "users"]
    for n, message in enumerate(got):
        event = check_event(message.data)
        assert message.event == event["type"] == f"{T}project.{actions[n]}"
        assert message.id == event["id"] == f"{gid}:{versions[n]}:{pid}"
        assert event["source"] == f"{server.url}/project-group/{gid}"
        assert event["subject"] == pid
        data = event["data"]
        assert data["version"] == versions[n]
        assert data["previous_version"] == (versions[n - 1] if n else None)
        assert data["group_id"] == gid
        assert data["group_name"] == group["name"]
        assert data["project_id"] == pid
        assert data["project_name"] == names[n]
        assert data["action"] == actions[n]
        assert data["format"] == "yaml"
        assert data["author"] == "admin"
        assert data["change_summary"] is None
        assert data["url"] == f"{server.url}/project/{pid}/versions/{versions[n]}"
        assert "data" not in data  # no schema text in an event
    assert got[1].data["data"]["message"] == "add age"
    assert got[0].data["time"] == created["updated_at"]
    version_page = api.get(got[1].data["data"]["url"].removeprefix(server.url)).json
    assert version_page["data"] == V2


@pytest.fixture
def own_server(tmp_path: Path) -> Iterator[tuple[Server, Client]]:
    """A server of its own: a stream of every group on the session's server follows the hundreds
    of groups the rest of the suite made, and re-reads each on every change (docs/events.md,
    "Limits"); this test is about what the events say, not about that."""
    srv = Server(tmp_path / "data").start()
    yield srv, Client(srv.url, srv.admin_key(), hooks=[check_response])
    srv.stop()


def test_group_changes_and_tags_are_events(
    own_server: tuple[Server, Client], unique: Callable[[str], str]
) -> None:
    server, api = own_server
    with stream(server) as events:  # every group, from now on
        group = api.post("/project-group", {"name": unique("evg")}).json
        gid = group["id"]
        renamed = api.put(f"/project-group/{gid}", {"name": unique("evg2")}).json
        tag = api.post(f"/project-group/{gid}/tags", {"name": "v1", "message": "first"}).json
        events.wait_until(lambda ms: any(m.data["id"] == f"{gid}:tag:v1" for m in ms))  # settled
        assert api.delete(f"/project-group/{gid}").status in (200, 204)
        events.wait_until(lambda ms: sum(m.data["data"]["group_id"] == gid for m in ms) >= 4)
    mine = [check_event(m.data) for m in events.messages if m.data["data"]["group_id"] == gid]
    assert [e["type"] for e in mine] == [
        f"{T}group.created",
        f"{T}group.renamed",
        f"{T}tag.created",
        f"{T}group.deleted",
    ]
    created, rename, tagged, deleted = mine
    assert created["id"] == f"{gid}:{group['version']}"
    assert created["data"]["previous_version"] is None
    assert rename["data"]["previous_version"] == group["version"]
    assert rename["data"]["group_name"] == renamed["name"]
    assert rename["data"]["url"] == f"{server.url}/project-group/{gid}?at={renamed['version']}"
    assert tagged["id"] == f"{gid}:tag:v1"
    assert tagged["data"]["version"] == tag["version"] == renamed["version"]
    assert tagged["data"]["message"] == "first"
    assert tagged["data"]["url"] == f"{server.url}/project-group/{gid}?at=v1"
    assert deleted["data"]["previous_version"] == renamed["version"]
    for event in mine:
        assert event["subject"] == gid
        assert event["data"]["project_id"] is None
        assert event["data"]["project_name"] is None
        assert event["data"]["format"] is None
    # Several groups: each id is a cursor; resuming at the tag's replays exactly the delete.
    tag_message = next(m for m in events.messages if m.data["id"] == f"{gid}:tag:v1")
    assert tag_message.id is not None
    assert tag_message.id.startswith("c1.")
    with stream(server, **{"Last-Event-ID": tag_message.id}) as resumed:
        resumed.wait_until(lambda ms: any(m.data["data"]["group_id"] == gid for m in ms))
        time.sleep(0.2)
    again = [m.data["id"] for m in resumed.messages if m.data["data"]["group_id"] == gid]
    assert again == [deleted["id"]]


def test_a_one_group_stream_ends_with_the_groups_delete(
    server: Server, api: Client, unique: Callable[[str], str]
) -> None:
    gid = api.post("/project-group", {"name": unique("gone")}).json["id"]
    with stream(server, f"?group={gid}") as events:
        assert api.delete(f"/project-group/{gid}").status in (200, 204)
        events.wait_until(lambda ms: bool(ms) and events.ended)
    assert [m.event for m in events.messages] == [f"{T}group.deleted"]


def test_last_event_id_replays_what_was_missed(server: Server, api: Client, group: dict[str, Any]) -> None:
    gid = group["id"]
    pid = api.post("/project", {"project_group_id": gid, "name": "p", "data": V1}).json["id"]
    for n in range(3):
        api.put(f"/project/{pid}", {"data": V1 + f"# {n}\n"})
    since = quote(f"{gid}:{group['version']}")
    with stream(server, f"?group={gid}&since={since}") as events:
        got = events.wait_for(4)
    assert [m.event for m in got] == [f"{T}project.created"] + [f"{T}project.updated"] * 3
    with stream(server, f"?group={group['name']}", **{"Last-Event-ID": got[1].id or ""}) as events:
        assert [m.id for m in events.wait_for(2)] == [got[2].id, got[3].id]
        time.sleep(0.2)
        assert len(events.messages) == 2


def test_types_filter(server: Server, api: Client, group: dict[str, Any]) -> None:
    gid = group["id"]
    with stream(server, f"?group={gid}&types=project.updated,{T}project.deleted") as events:
        pid = api.post("/project", {"project_group_id": gid, "name": "p", "data": V1}).json["id"]
        api.put(f"/project/{pid}", {"data": V2})
        api.delete(f"/project/{pid}")
        got = events.wait_for(2)
    assert [m.event for m in got] == [f"{T}project.updated", f"{T}project.deleted"]


def test_events_arrive_fast(server: Server, api: Client, group: dict[str, Any]) -> None:
    """Live through the change beacon (docs/events.md: within 100 ms on an idle machine)."""
    gid = group["id"]
    pid = api.post("/project", {"project_group_id": gid, "name": "p", "data": V1}).json["id"]
    lags = []
    with stream(server, f"?group={gid}") as events:
        for n in range(5):
            sent = time.monotonic()
            assert api.put(f"/project/{pid}", {"data": V1 + f"# {n}\n"}).status == 200
            lags.append(events.wait_for(n + 1)[n].received - sent)
    assert sorted(lags)[2] < 0.5, lags  # a median far under the one-second idle re-check


def test_bad_requests_are_400_before_the_stream(server: Server, group: dict[str, Any]) -> None:
    gid = group["id"]
    for query in (
        f"?group={gid}&since={gid}:{'0' * 40}",  # a commit this group never had
        f"?group={gid}&since=nonsense",
        "?since=c1.not-base64!",
        f"?group={gid}&types=project.exploded",
        f"?group={gid}&since=_g0000000000000000:{'0' * 40}",  # another group than the one followed
    ):
        with stream(server, query) as events:
            assert events.status == 400, (query, events.body)
            assert b'"invalid-input"' in events.body


def test_a_scoped_key_sees_only_its_groups(
    server: Server, api: Client, make_key: MakeKey, unique: Callable[[str], str]
) -> None:
    mine = api.post("/project-group", {"name": unique("mine")}).json["id"]
    other = api.post("/project-group", {"name": unique("other")}).json["id"]
    scoped = make_key("read", mine)
    assert scoped.key is not None
    with EventStream(server.url, scoped.key, f"/events?group={other}") as refused:
        assert refused.status == 403
    with EventStream(server.url, scoped.key, "/events") as events:
        api.post("/project", {"project_group_id": other, "name": "x"})
        api.post("/project", {"project_group_id": mine, "name": "y"})
        events.wait_for(1)
        time.sleep(0.3)
    assert {m.data["data"]["group_id"] for m in events.messages} == {mine}


def test_a_push_is_one_event_per_project_it_changes(
    server: Server, api: Client, group: dict[str, Any], tmp_path: Path
) -> None:
    gid = group["id"]
    users = api.post("/project", {"project_group_id": gid, "name": "users", "data": V1}).json
    url = f"http://any:{api.key}@127.0.0.1:{server.port}/git/{group['name']}.git"
    git("clone", "-q", url, "work", cwd=tmp_path)
    work = tmp_path / "work"
    git("config", "user.name", "Ada Lovelace", cwd=work)
    git("config", "user.email", "ada@example.com", cwd=work)
    (work / "orders.yaml").write_text("order:\n  id: number\n")
    (work / "users.yaml").write_text(V2)
    git("add", "-A", cwd=work)
    git("commit", "-q", "-m", "Orders, and users get an email", cwd=work)
    pushed = git("rev-parse", "HEAD", cwd=work).stdout.strip()
    with stream(server, f"?group={gid}") as events:
        git("push", "-q", "origin", "main", cwd=work)
        got = events.wait_for(2)
        time.sleep(0.3)
        assert len(events.messages) == 2  # the registry's record commit is no event of its own
    by_type = {m.event: check_event(m.data) for m in got}
    assert set(by_type) == {f"{T}project.created", f"{T}project.updated"}
    updated = by_type[f"{T}project.updated"]
    assert updated["id"] == f"{gid}:{pushed}:{users['id']}"
    assert updated["data"]["version"] == pushed
    assert updated["data"]["previous_version"] == users["version"]
    assert updated["data"]["author"] == "Ada Lovelace"
    assert updated["data"]["message"] is None  # the summary line only
    created = by_type[f"{T}project.created"]
    assert created["data"]["project_name"] == "orders"
    assert created["data"]["previous_version"] is None
