"""Group commit: concurrent writes to one group are batched, each still exactly one commit."""

from __future__ import annotations

import subprocess
import threading
import time
from pathlib import Path

import pytest

from registry.core.catalog import Catalog
from registry.core.errors import NotFound, VersionMismatch
from repo_store import Repacker, pack_count, repack

THREADS = 16
WRITES = 8


@pytest.fixture
def catalog(tmp_path: Path) -> Catalog:
    catalog = Catalog(tmp_path / "data")
    # Keep every published pack, to count them.
    catalog.writer.repacker = Repacker(catalog.writer.repacker.locks, threshold=10**6)
    return catalog


def test_concurrent_writes_each_become_one_commit_and_share_flushes(catalog: Catalog) -> None:
    group = catalog.create_group("g", author="admin").meta.id
    pids = [
        catalog.create_project(group, f"p{i}", data="e:\n  f: string\n", author="admin").id
        for i in range(THREADS)
    ]
    repo = catalog.snapshots.path(group)
    packs_before = pack_count(repo)
    last: dict[str, str] = {}
    errors: list[BaseException] = []
    start = threading.Barrier(THREADS)

    def writer(i: int) -> None:
        try:
            start.wait()
            for n in range(WRITES):
                data = f"e:\n  f{n}: number\n"  # the same text in every thread: equal blobs in one batch
                catalog.update_project(pids[i], data=data, author=f"w{i}")
                last[pids[i]] = data
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    commits = int(
        subprocess.run(
            ["git", "--git-dir", str(repo), "rev-list", "--count", "main"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    assert commits == 1 + THREADS + THREADS * WRITES
    for pid, data in last.items():
        assert catalog.project(pid).data == data
    published = pack_count(repo) - packs_before
    assert published < THREADS * WRITES  # batches were published together
    fsck = subprocess.run(["git", "--git-dir", str(repo), "fsck", "--strict"], capture_output=True, text=True)
    assert fsck.returncode == 0, fsck.stderr
    for pack in (repo / "objects" / "pack").glob("pack-*.idx"):  # fsck does not see duplicates in a pack
        verify = subprocess.run(["git", "verify-pack", str(pack)], capture_output=True, text=True)
        assert verify.returncode == 0, verify.stderr
    assert repack(repo)
    assert pack_count(repo) < published


def test_a_refused_write_in_a_batch_leaves_the_others_alone(catalog: Catalog) -> None:
    group = catalog.create_group("g", author="admin").meta.id
    pid = catalog.create_project(group, "p", data="e:\n  f: string\n", author="admin").id
    stale = catalog.project(pid).version
    catalog.update_project(pid, data="e:\n  g: string\n", author="admin")
    results: list[object] = []
    start = threading.Barrier(8)

    def writer(i: int) -> None:
        start.wait()
        try:
            if i % 2:
                catalog.update_project(pid, data=f"e:\n  h{i}: string\n", author="admin", if_match=(stale,))
            else:
                catalog.update_project(pid, data=f"e:\n  h{i}: string\n", author="admin")
            results.append("ok")
        except VersionMismatch as exc:
            results.append(exc)

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count("ok") == 4
    assert sum(isinstance(r, VersionMismatch) for r in results) == 4
    history = catalog.snapshots.history(group)
    assert len(history.by_project[pid]) == 1 + 1 + 4


def _one_project_repacked_above(tmp_path: Path, threshold: int) -> tuple[Catalog, Repacker, str, Path]:
    """A catalog whose repacker runs above ``threshold`` packs, with one group of one project."""
    catalog = Catalog(tmp_path / "data")
    repacker = catalog.writer.repacker = Repacker(catalog.writer.repacker.locks, threshold=threshold)
    group = catalog.create_group("g", author="admin").meta.id
    pid = catalog.create_project(group, "p", data="e:\n  f: string\n", author="admin").id
    return catalog, repacker, pid, catalog.snapshots.path(group)


def test_many_small_packs_are_rolled_up_in_the_background(tmp_path: Path) -> None:
    catalog, repacker, pid, repo = _one_project_repacked_above(tmp_path, 4)
    for n in range(12):
        catalog.update_project(pid, data=f"e:\n  f{n}: number\n", author="admin")
    deadline = time.monotonic() + 30
    while repacker.busy and time.monotonic() < deadline:
        time.sleep(0.05)
    assert repacker.repacks >= 1
    # At most `threshold` packs beyond what the last repack left (a geometric repack may keep some).
    assert pack_count(repo) <= 4 + repacker.packs_left(repo) < 1 + 12
    assert catalog.project(pid).data == "e:\n  f11: number\n"


def test_writes_go_on_while_a_repack_holds_the_maintenance_lock(catalog: Catalog) -> None:
    group = catalog.create_group("g", author="admin").meta.id
    pid = catalog.create_project(group, "p", data="e:\n  f: string\n", author="admin").id
    repo = catalog.snapshots.path(group)
    locks = catalog.writer.repacker.locks
    with locks.hold_maintenance(repo):
        done = threading.Event()

        def update() -> None:
            catalog.update_project(pid, data="e:\n  g: number\n", author="admin")
            done.set()

        thread = threading.Thread(target=update)
        thread.start()
        assert done.wait(30), "a write waited for the maintenance lock"
        with locks.hold_maintenance(repo, wait=False) as second:
            assert not second  # held: a second repack would skip
    thread.join()
    assert catalog.project(pid).data == "e:\n  g: number\n"


def test_repacks_running_beside_writers_lose_nothing(catalog: Catalog) -> None:
    group = catalog.create_group("g", author="admin").meta.id
    pids = [
        catalog.create_project(group, f"p{i}", data="e:\n  f: string\n", author="admin").id for i in range(4)
    ]
    repo = catalog.snapshots.path(group)
    stop = threading.Event()
    repacks = 0

    def repack_loop() -> None:
        nonlocal repacks
        while not stop.is_set():
            assert repack(repo)
            repacks += 1

    def writer(i: int) -> None:
        for n in range(15):
            catalog.update_project(pids[i], data=f"e:\n  f{n}: number\n", author="admin")

    repacker = threading.Thread(target=repack_loop)
    repacker.start()
    writers = [threading.Thread(target=writer, args=(i,)) for i in range(4)]
    for t in writers:
        t.start()
    for t in writers:
        t.join()
    stop.set()
    repacker.join()
    assert repacks >= 2
    for pid in pids:
        assert catalog.project(pid).data == "e:\n  f14: number\n"
    commits = subprocess.run(
        ["git", "--git-dir", str(repo), "rev-list", "--count", "main"],
        check=True,
        capture_output=True,
        text=True,
    )
    assert int(commits.stdout) == 1 + 4 + 4 * 15
    subprocess.run(["git", "--git-dir", str(repo), "fsck", "--strict"], check=True, capture_output=True)


def test_a_write_to_a_group_another_process_deleted_is_not_found(catalog: Catalog, tmp_path: Path) -> None:
    group = catalog.create_group("g", author="admin").meta.id
    pid = catalog.create_project(group, "p", data="e:\n  f: string\n", author="admin").id
    catalog.update_project(pid, data="e:\n  g: string\n", author="admin")  # its repository stays open
    other = Catalog(tmp_path / "data")  # another process on the same folder
    other.delete_project(pid, author="admin")
    other.delete_group(group, author="admin")
    with pytest.raises(NotFound):
        catalog.update_project(pid, data="e:\n  h: string\n", author="admin")


def test_a_repack_that_leaves_packs_is_not_rerun_after_every_commit(tmp_path: Path) -> None:
    catalog, repacker, pid, repo = _one_project_repacked_above(tmp_path, 3)

    def settle() -> None:
        deadline = time.monotonic() + 30
        while repacker.busy and time.monotonic() < deadline:
            time.sleep(0.02)

    n = 0
    while repacker.repacks == 0:
        catalog.update_project(pid, data=f"e:\n  f{n}: number\n", author="admin")
        n += 1
        settle()
    left = pack_count(repo)
    for _ in range(3 - 1):  # still at most `threshold` packs beyond what the repack left
        catalog.update_project(pid, data=f"e:\n  f{n}: number\n", author="admin")
        n += 1
        settle()
    assert repacker.repacks == 1
    assert pack_count(repo) == left + 2
    for _ in range(2):
        catalog.update_project(pid, data=f"e:\n  f{n}: number\n", author="admin")
        n += 1
        settle()
    assert repacker.repacks == 2
