"""Webhooks end to end: a real server delivering to real receivers on loopback (docs/events.md)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from standardwebhooks import Webhook as Verifier
from standardwebhooks import WebhookVerificationError

from tests.support.client import Client
from tests.support.events import check_event
from tests.support.openapi_check import check_response
from tests.support.receiver import Receiver
from tests.support.server import Server, run_cli

T = "dev.schema-registry."
V1 = "user:\n  name: string\n"
FAST_RETRIES = {
    "REGISTRY_WEBHOOKS_ALLOW_PRIVATE": "1",
    "REGISTRY_WEBHOOK_RETRY_BASE_SECONDS": "0.05",
    "REGISTRY_WEBHOOK_RETRY_MAX_SECONDS": "0.2",
}


@pytest.fixture(scope="module")
def hooks_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    srv = Server(tmp_path_factory.mktemp("webhooks") / "data", env=FAST_RETRIES).start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def admin(hooks_server: Server) -> Client:
    return Client(hooks_server.url, hooks_server.admin_key(), hooks=[check_response])


def new_group(api: Client) -> dict[str, Any]:
    response = api.post("/project-group", {"name": f"g-{uuid.uuid4().hex[:10]}"})
    assert response.status == 201, response
    body: dict[str, Any] = response.json
    return body


def make_hook(api: Client, url: str, **fields: Any) -> dict[str, Any]:
    response = api.post("/webhooks", {"url": url, **fields})
    assert response.status == 201, response
    body: dict[str, Any] = response.json
    return body


def test_deliveries_are_signed_cloudevents_in_order(admin: Client, hooks_server: Server) -> None:
    group = new_group(admin)
    with Receiver() as receiver:
        hook = make_hook(admin, receiver.url, groups=[group["name"]], description="ci")
        assert hook["secret"].startswith("whsec_")
        assert hook["groups"] == [group["id"]]
        assert "secret" not in admin.get(f"/webhooks/{hook['id']}").json
        pid = admin.post("/project", {"project_group_id": group["id"], "name": "p", "data": V1}).json["id"]
        for n in range(3):
            assert admin.put(f"/project/{pid}", {"data": V1 + f"# {n}\n"}).status == 200
        got = receiver.wait_for(4)
    verifier = Verifier(hook["secret"])
    history = admin.get(f"/project-group/{group['id']}/history").json["versions"]
    expected = [f"{group['id']}:{v['version']}:{pid}" for v in reversed(history[:4])]
    assert [r.event["id"] for r in got] == expected
    for item in got:
        event = check_event(verifier.verify(item.body, item.headers))
        assert item.headers["webhook-id"] == event["id"]
        assert item.headers["Content-Type"].startswith("application/cloudevents+json")
        assert event["source"] == f"{hooks_server.url}/project-group/{group['id']}"
    assert [r.event["type"] for r in got] == [f"{T}project.created"] + [f"{T}project.updated"] * 3
    with pytest.raises(WebhookVerificationError):  # another secret does not verify
        Verifier("whsec_" + "A" * 32).verify(got[0].body, got[0].headers)
    with pytest.raises(WebhookVerificationError):  # nor does a changed body
        verifier.verify(got[0].body.replace(b"created", b"deleted"), got[0].headers)
    deliveries = admin.get(f"/webhooks/{hook['id']}/deliveries").json["deliveries"]
    assert [d["status"] for d in deliveries[:4]] == [204] * 4
    deadline = time.monotonic() + 10  # positions are saved within half a second, or when idle
    while admin.get(f"/webhooks/{hook['id']}").json["positions"] != {group["id"]: expected[-1]}:
        assert time.monotonic() < deadline, admin.get(f"/webhooks/{hook['id']}").json
        time.sleep(0.05)


def test_a_receiver_that_fails_five_times_then_recovers_gets_everything_in_order(admin: Client) -> None:
    group = new_group(admin)
    with Receiver(failures=5) as receiver:
        hook = make_hook(admin, receiver.url, groups=[group["id"]])
        pids = [
            admin.post("/project", {"project_group_id": group["id"], "name": f"p{n}"}).json["id"]
            for n in range(4)
        ]
        got = receiver.wait_for(4)
        time.sleep(0.3)
    assert [r.event["subject"] for r in got] == pids
    assert len(receiver.accepted) == 4  # each once after the failures
    assert [r.event["id"] for r in receiver.received[:6]] == [got[0].event["id"]] * 6
    deliveries = admin.get(f"/webhooks/{hook['id']}/deliveries").json["deliveries"]
    assert [d["status"] for d in reversed(deliveries)][:6] == [500] * 5 + [204]
    assert all(d["error"] == "answered 500" for d in deliveries if d["status"] == 500)


def test_giving_up_marks_failing_later_events_wait_and_a_patch_resumes(
    tmp_path: Path,
) -> None:
    env = {**FAST_RETRIES, "REGISTRY_WEBHOOK_GIVE_UP_SECONDS": "0.5"}
    srv = Server(tmp_path / "data", env=env).start()
    try:
        api = Client(srv.url, srv.admin_key(), hooks=[check_response])
        group = new_group(api)
        with Receiver(failures=10_000, fail_status=503) as receiver:
            hook = make_hook(api, receiver.url, groups=[group["id"]])
            first = api.post("/project", {"project_group_id": group["id"], "name": "a"}).json["id"]
            api.post("/project", {"project_group_id": group["id"], "name": "b"})
            deadline = time.monotonic() + 20
            while api.get(f"/webhooks/{hook['id']}").json["failing"] is None:
                assert time.monotonic() < deadline
                time.sleep(0.05)
            failing = api.get(f"/webhooks/{hook['id']}").json["failing"]
            assert "answered 503" in failing["reason"]
            assert failing["event_id"].endswith(first)
            tried = len(receiver.received)
            time.sleep(0.5)
            assert len(receiver.received) == tried  # a failing webhook waits
            assert {r.event["subject"] for r in receiver.received} == {first}  # nothing skipped
            receiver.failures = 0
            resumed = api.patch(f"/webhooks/{hook['id']}", {"paused": False})
            assert resumed.status == 200
            assert resumed.json["failing"] is None
            got = receiver.wait_for(2)
            assert got[0].event["subject"] == first
            redo = api.post(f"/webhooks/{hook['id']}/redeliver", {"event_id": got[0].event["id"]})
            assert redo.status == 202
            receiver.wait_for(3)
            assert receiver.accepted[2].event["id"] == got[0].event["id"]
            unknown = api.post(f"/webhooks/{hook['id']}/redeliver", {"event_id": f"{group['id']}:{'0' * 40}"})
            assert unknown.status == 404
    finally:
        srv.stop()


def test_types_filter_and_position_moves(admin: Client) -> None:
    group = new_group(admin)
    with Receiver() as receiver:
        hook = make_hook(admin, receiver.url, groups=[group["id"]], types=["project.deleted"])
        pid = admin.post("/project", {"project_group_id": group["id"], "name": "p"}).json["id"]
        admin.delete(f"/project/{pid}")
        got = receiver.wait_for(1)
        time.sleep(0.3)
    assert [r.event["type"] for r in receiver.accepted] == [f"{T}project.deleted"]
    assert got[0].event["subject"] == pid
    bad = admin.patch(f"/webhooks/{hook['id']}", {"positions": {group["id"]: "nonsense"}})
    assert bad.status == 400
    assert admin.delete(f"/webhooks/{hook['id']}").status == 204
    assert admin.get(f"/webhooks/{hook['id']}").status == 404


def test_bad_webhooks_are_refused(admin: Client) -> None:
    for body in (
        {},
        {"url": "ftp://example.com/x"},
        {"url": "http:///nohost"},
        {"url": "http://user:pw@example.com/"},
        {"url": 5},
        {"url": "http://127.0.0.1:1/", "types": ["project.exploded"]},
        {"url": "http://127.0.0.1:1/", "groups": "all"},
    ):
        response = admin.post("/webhooks", body)
        assert response.status == 400, (body, response)


def scoped_admin(srv: Server, api: Client, group: dict[str, Any]) -> Client:
    out = run_cli(
        "keys",
        "create",
        "--name",
        f"k-{uuid.uuid4().hex[:8]}",
        "--role",
        "admin",
        "--group",
        group["name"],
        data_dir=srv.data_dir,
    ).stdout
    client = api.with_key(out.strip().splitlines()[-1])
    deadline = time.monotonic() + 10
    while client.get("/webhooks").status == 401:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    return client


def test_a_scoped_keys_webhook_gets_only_its_groups(admin: Client, hooks_server: Server) -> None:
    mine, other = new_group(admin), new_group(admin)
    scoped = scoped_admin(hooks_server, admin, mine)
    with Receiver() as receiver:
        assert scoped.post("/webhooks", {"url": receiver.url, "groups": [other["id"]]}).status == 403
        hook = make_hook(scoped, receiver.url)  # every group it may see
        assert hook["scope"] == [mine["id"]]
        everything = make_hook(admin, receiver.url + "?all")
        admin.post("/project", {"project_group_id": other["id"], "name": "theirs"})
        ours = admin.post("/project", {"project_group_id": mine["id"], "name": "ours"}).json["id"]
        receiver.wait_for(3)
        time.sleep(0.5)
    scoped_ids = [h["id"] for h in scoped.get("/webhooks").json["webhooks"]]
    assert scoped_ids == [hook["id"]]
    assert scoped.get(f"/webhooks/{everything['id']}").status == 404
    subjects = sorted(r.event["subject"] for r in receiver.accepted)
    assert len(subjects) == 3  # ours twice (both webhooks), theirs once (the unscoped one)
    assert subjects.count(ours) == 2


def test_moving_a_position_skips_events_on_purpose(admin: Client) -> None:
    group = new_group(admin)
    with Receiver() as receiver:
        hook = make_hook(admin, receiver.url, groups=[group["id"]])
        assert admin.patch(f"/webhooks/{hook['id']}", {"paused": True}).json["paused"] is True
        time.sleep(1.5)  # the sender sees the pause
        pids = [
            admin.post("/project", {"project_group_id": group["id"], "name": f"p{n}"}).json["id"]
            for n in range(3)
        ]
        history = admin.get(f"/project-group/{group['id']}/history?limit=3").json["versions"]
        second = f"{group['id']}:{history[1]['version']}:{pids[1]}"
        moved = admin.patch(f"/webhooks/{hook['id']}", {"paused": False, "positions": {group["id"]: second}})
        assert moved.status == 200
        assert moved.json["positions"][group["id"]] == second
        got = receiver.wait_for(1)
        time.sleep(0.5)
    assert [r.event["subject"] for r in receiver.accepted] == [pids[2]]
    assert got[0].event["subject"] == pids[2]
    other = new_group(admin)
    foreign = admin.get(f"/project-group/{other['id']}/history").json["versions"][0]["version"]
    refused = admin.patch(f"/webhooks/{hook['id']}", {"positions": {group["id"]: f"{other['id']}:{foreign}"}})
    assert refused.status == 400  # an event of a group the webhook does not get
