"""SIGKILL at random moments during sustained writes: every acknowledged write survives.

Each round starts the server on the same data folder (no manual step in between), checks every
write acknowledged so far, writes from several clients, and kills the whole server (every
process) with SIGKILL at a random moment. A write whose answer never came may or may not have
landed; one that was answered 2xx must be there. ``REGISTRY_CRASH_ROUNDS`` (default 20) and
``REGISTRY_CRASH_SEED`` make longer or repeatable runs (docs/operations.md).
"""

from __future__ import annotations

import os
import random
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from tests.support.client import Client
from tests.support.git import commit_count, repo_path
from tests.support.ops import assert_fsck_clean, cli
from tests.support.server import Server

ROUNDS = int(os.environ.get("REGISTRY_CRASH_ROUNDS", "20"))
SEED = int(os.environ.get("REGISTRY_CRASH_SEED", str(random.SystemRandom().randrange(1 << 32))))
WORKERS_EVERY = 10  # every tenth round runs two worker processes


@dataclass
class Writer:
    group_id: str
    project_id: str
    acked: str | None = None  # the last data answered 200
    pending: str | None = None  # sent, no answer: may or may not be there
    acked_count: int = 0
    unknown_count: int = 0


@dataclass
class GroupMaker:
    acked: list[str]
    pending: list[str]


def write_loop(api: Client, writer: Writer, name: str, stop: threading.Event) -> None:
    n = 0
    while not stop.is_set():
        data = f"# {name} {n}\nuser:\n  name: string\n"
        writer.pending = data
        try:
            response = api.put(f"/project/{writer.project_id}", {"data": data})
        except OSError:  # the server died under us: the outcome is unknown
            writer.unknown_count += 1
            return
        assert response.status == 200, response
        writer.acked, writer.pending = data, None
        writer.acked_count += 1
        n += 1


def group_loop(api: Client, maker: GroupMaker, name: str, stop: threading.Event) -> None:
    n = 0
    while not stop.is_set():
        group = f"{name}-{n}"
        maker.pending.append(group)
        try:
            response = api.post("/project-group", {"name": group})
        except OSError:
            return
        assert response.status == 201, response
        maker.pending.remove(group)
        maker.acked.append(group)
        n += 1


def verify(
    api: Client, data_dir: Path, writers: list[Writer], maker: GroupMaker, setup: dict[str, int]
) -> None:
    for w in writers:
        data = api.get(f"/project/{w.project_id}").json["data"]
        assert data in {w.acked, w.pending}, (w, data)
        if (
            w.pending is not None and data == w.pending
        ):  # it landed after all: from now on it is the one to find
            w.acked, w.acked_count, w.unknown_count = data, w.acked_count + 1, w.unknown_count - 1
        w.pending = None
    for gid in {w.group_id for w in writers}:
        acked = sum(w.acked_count for w in writers if w.group_id == gid)
        unknown = sum(w.unknown_count for w in writers if w.group_id == gid)
        commits = commit_count(repo_path(data_dir, gid)) - setup[gid]
        assert acked <= commits <= acked + unknown, (gid, acked, unknown, commits)
    names = {g["name"] for g in api.get("/project-group").json["project_groups"]}
    assert set(maker.acked) <= names
    maker.acked += [g for g in maker.pending if g in names]
    maker.pending.clear()


def test_sigkill_at_random_moments_loses_no_acknowledged_write(tmp_path: Path) -> None:
    rng = random.Random(SEED)
    print(f"REGISTRY_CRASH_SEED={SEED}")
    srv = Server(tmp_path / "data").start()
    api = Client(srv.url, srv.admin_key())
    shared = api.post("/project-group", {"name": "shared"}).json["id"]
    own = [api.post("/project-group", {"name": f"own{n}"}).json["id"] for n in range(2)]
    writers = [
        Writer(gid, api.post("/project", {"project_group_id": gid, "name": f"p{n}"}).json["id"])
        for n, gid in enumerate([shared] * 4 + own)
    ]
    setup = {gid: commit_count(repo_path(srv.data_dir, gid)) for gid in [shared, *own]}
    maker = GroupMaker([], [])
    kills = 0
    try:
        for round_ in range(ROUNDS):
            if round_:
                srv.extra_args = ("--workers", "2") if round_ % WORKERS_EVERY == 0 else ()
                srv.start()  # no manual step: straight after the kill
            api = Client(srv.url, srv.admin_key())
            verify(api, srv.data_dir, writers, maker, setup)
            stop = threading.Event()
            threads = [
                threading.Thread(target=write_loop, args=(api, w, f"w{n}-r{round_}", stop))
                for n, w in enumerate(writers)
            ] + [threading.Thread(target=group_loop, args=(api, maker, f"g-r{round_}", stop))]
            for t in threads:
                t.start()
            time.sleep(rng.uniform(0.05, 0.4))  # the random moment
            srv.kill()
            kills += 1
            stop.set()
            for t in threads:
                t.join(60)
        srv.extra_args = ()
        srv.start()
        verify(Client(srv.url, srv.admin_key()), srv.data_dir, writers, maker, setup)
    finally:
        srv.stop()
    assert kills == ROUNDS
    assert sum(w.acked_count for w in writers) > ROUNDS  # writes really were going on
    assert_fsck_clean(srv.data_dir)
    report = cli("check", "--json", data_dir=srv.data_dir, check=False)
    assert report.returncode == 0, report.stdout
    print(
        f"rounds={ROUNDS} kills={kills} acknowledged writes={sum(w.acked_count for w in writers)} "
        f"groups created={len(maker.acked)} unknown outcomes={sum(w.unknown_count for w in writers)}"
    )
