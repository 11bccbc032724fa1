"""Delivery under stress: concurrent writers, SIGKILL, several workers, restarts (docs/events.md)."""

from __future__ import annotations

import os
import signal
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from tests.support.client import Client
from tests.support.events import EventStream
from tests.support.ops import json_log_lines
from tests.support.receiver import Receiver
from tests.support.server import Server

ENV = {
    "REGISTRY_WEBHOOKS_ALLOW_PRIVATE": "1",
    "REGISTRY_WEBHOOK_RETRY_BASE_SECONDS": "0.05",
    "REGISTRY_WEBHOOK_RETRY_MAX_SECONDS": "0.2",
}
V1 = "user:\n  name: string\n"


def new_group(api: Client) -> str:
    response = api.post("/project-group", {"name": f"g-{uuid.uuid4().hex[:10]}"})
    assert response.status == 201, response
    group_id: str = response.json["id"]
    return group_id


def hook(api: Client, url: str, **fields: Any) -> str:
    response = api.post("/webhooks", {"url": url, **fields})
    assert response.status == 201, response
    webhook_id: str = response.json["id"]
    return webhook_id


def event_ids(api: Client, group_id: str) -> list[str]:
    """Every project event id of the group, oldest first, from its history."""
    versions = api.get(f"/project-group/{group_id}/history?limit=200").json["versions"]
    return [f"{group_id}:{v['version']}:{p['id']}" for v in reversed(versions) for p in v["projects"]]


def first_seen(ids: list[str]) -> list[str]:
    return list(dict.fromkeys(ids))


def wait_for_ids(receiver: Receiver, wanted: set[str], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not wanted <= set(receiver.ids()):
        assert time.monotonic() < deadline, sorted(wanted - set(receiver.ids()))[:5]
        time.sleep(0.05)


def test_order_per_group_under_sixteen_concurrent_writers(tmp_path: Path) -> None:
    srv = Server(tmp_path / "data", env=ENV).start()
    try:
        api = Client(srv.url, srv.admin_key())
        groups = [new_group(api) for _ in range(4)]
        with Receiver() as receiver:
            hook(api, receiver.url)
            projects = [
                api.post("/project", {"project_group_id": groups[n % 4], "name": f"p{n}"}).json["id"]
                for n in range(16)
            ]

            def write(pid: str) -> None:
                for k in range(8):
                    assert api.put(f"/project/{pid}", {"data": V1 + f"# {k}\n"}).status == 200

            threads = [threading.Thread(target=write, args=(pid,)) for pid in projects]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            expected = {g: event_ids(api, g) for g in groups}
            wait_for_ids(receiver, {i for ids in expected.values() for i in ids})
            time.sleep(0.3)
        got = receiver.ids()
        assert len(got) == len(set(got)) == 16 * 9  # each once: no failure, no repeat
        for group_id, ids in expected.items():
            assert [i for i in got if i.startswith(group_id)] == ids
    finally:
        srv.stop()


def test_a_sigkill_mid_delivery_loses_nothing(tmp_path: Path) -> None:
    srv = Server(tmp_path / "data", env=ENV).start()
    try:
        api = Client(srv.url, srv.admin_key())
        group = new_group(api)
        with Receiver(delay=0.02) as receiver:
            hook(api, receiver.url, groups=[group])
            pid = api.post("/project", {"project_group_id": group, "name": "p"}).json["id"]
            for k in range(60):
                assert api.put(f"/project/{pid}", {"data": V1 + f"# {k}\n"}).status == 200
            receiver.wait_for(10)
            srv.kill()  # mid-delivery: SIGKILL to every process of the server
            assert len(receiver.ids()) < 61, "the kill came too late to test anything"
            srv.start()  # on a new port
            api = Client(srv.url, srv.admin_key())
            expected = event_ids(api, group)
            assert len(expected) == 61
            wait_for_ids(receiver, set(expected))
        got = receiver.ids()
        assert first_seen(got) == expected  # in order, repeats allowed, nothing missing
        assert set(got) == set(expected)
    finally:
        srv.stop()


def delivering_pids(srv: Server) -> list[int]:
    return [
        line["pid"]
        for line in json_log_lines(srv.log())
        if line["message"] == "this process delivers webhooks"
    ]


def test_two_workers_deliver_each_event_once_and_one_takes_over(tmp_path: Path) -> None:
    srv = Server(tmp_path / "data", extra_args=("--workers", "2", "--log-format", "json"), env=ENV).start()
    try:
        api = Client(srv.url, srv.admin_key())
        group = new_group(api)
        with Receiver() as receiver:
            hook(api, receiver.url, groups=[group])
            pid = api.post("/project", {"project_group_id": group, "name": "p"}).json["id"]
            for k in range(20):  # a new connection each: both workers take writes
                assert api.put(f"/project/{pid}", {"data": V1 + f"# {k}\n"}).status == 200
            expected = event_ids(api, group)
            wait_for_ids(receiver, set(expected))
            time.sleep(0.5)
            assert receiver.ids() == expected  # once each, in order
            assert len(set(delivering_pids(srv))) == 1
            os.kill(delivering_pids(srv)[0], signal.SIGKILL)  # the other worker takes over
            for k in range(5):
                assert api.put(f"/project/{pid}", {"data": V1 + f"# again {k}\n"}).status == 200
            expected = event_ids(api, group)
            wait_for_ids(receiver, set(expected))
            assert first_seen(receiver.ids()) == expected
            assert len(set(delivering_pids(srv))) == 2
    finally:
        srv.stop()


def test_the_stream_resumes_with_last_event_id_after_a_restart(tmp_path: Path) -> None:
    srv = Server(tmp_path / "data", env={"REGISTRY_SSE_HEARTBEAT_SECONDS": "0.1"}).start()
    try:
        api = Client(srv.url, srv.admin_key())
        groups = [new_group(api), new_group(api)]
        with (
            EventStream(srv.url, srv.admin_key()) as every,
            EventStream(srv.url, srv.admin_key(), f"/events?group={groups[0]}") as one,
        ):
            pids = [api.post("/project", {"project_group_id": g, "name": "p"}).json["id"] for g in groups]
            every.wait_for(2)
            one.wait_for(1)
        cursor, last = every.messages[-1].id, one.messages[-1].id
        assert cursor is not None and last is not None
        srv.stop()
        srv.start()  # on a new port
        api = Client(srv.url, srv.admin_key())
        for pid in pids:
            assert api.put(f"/project/{pid}", {"data": V1}).status == 200
        with (
            EventStream(srv.url, srv.admin_key(), headers={"Last-Event-ID": cursor}) as every,
            EventStream(
                srv.url, srv.admin_key(), f"/events?group={groups[0]}", {"Last-Event-ID": last}
            ) as one,
        ):
            resumed_every = every.wait_for(2)
            resumed_one = one.wait_for(1)
            time.sleep(0.3)
        assert sorted(m.data["subject"] for m in resumed_every) == sorted(pids)
        assert {m.event for m in resumed_every} == {"dev.schema-registry.project.updated"}
        assert [m.data["subject"] for m in resumed_one] == [pids[0]]
        assert len(every.messages) == 2
        assert len(one.messages) == 1
        assert every.comments >= 1  # heartbeats while idle
    finally:
        srv.stop()
