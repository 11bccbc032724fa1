"""The catalog on its own (no HTTP): start-up clean-up after a crash."""

from __future__ import annotations

from pathlib import Path

from registry.core.catalog import Catalog
from registry.core.history import Histories
from registry.core.snapshots import Snapshots
from repo_store import GitRepository, WriterLocks


def test_a_group_half_made_by_a_crash_is_removed_at_start(tmp_path: Path) -> None:
    catalog = Catalog(tmp_path / "data")
    kept = catalog.create_group("kept", author="admin")
    staging = catalog.groups_dir / ".staging-_g0000000000000000.git"
    GitRepository.create(staging, WriterLocks()).close()  # what a crash mid-create leaves
    again = Catalog(tmp_path / "data")
    assert not staging.exists()
    assert [s.id for s in again.list_groups()] == [kept.meta.id]


def test_the_memory_only_read_never_works_out_versions(tmp_path: Path) -> None:
    """cached_project runs on the event loop: a view whose project versions need history is a miss."""
    first = Catalog(tmp_path / "data")
    group = first.create_group("g", author="admin").meta.id
    pid = first.create_project(group, "p", data="e:\n  f: string\n", author="admin").id
    fresh_start = Catalog(tmp_path / "data")
    view = fresh_start.snapshots.get(group)  # verified against its ref, versions not worked out
    assert fresh_start.fresh_view(group) is view
    assert fresh_start.cached_project(view, pid) is None
    assert view.known_last_change is None  # no history walk happened
    read = fresh_start.project(pid)  # the thread path works them out
    again = fresh_start.fresh_view(group)
    assert again is not None and fresh_start.cached_project(again, pid) == read


def test_the_history_cache_is_bounded(tmp_path: Path) -> None:
    catalog = Catalog(tmp_path / "data")
    catalog.snapshots.histories = Histories(max_revisions=12)
    groups = []
    for n in range(3):
        group = catalog.create_group(f"g{n}", author="admin").meta.id
        pid = catalog.create_project(group, "p", data="e:\n  f: string\n", author="admin").id
        for k in range(3):
            catalog.update_project(pid, data=f"e:\n  f{k}: string\n", author="admin")
        groups.append(group)
    for group in groups:  # each history has 5 revisions: only two fit
        assert len(catalog.snapshots.history(group).revisions) == 5
    assert catalog.snapshots.histories.cached_groups() == groups[1:]
    again = catalog.snapshots.history(groups[0])  # dropped, read again from git
    assert [r.action for r in again.revisions] == ["create-group", "create", "update", "update", "update"]


def test_old_files_are_cached_by_commit_and_path_within_a_bound(tmp_path: Path) -> None:
    catalog = Catalog(tmp_path / "data")
    group = catalog.create_group("g", author="admin").meta.id
    versions = []
    for n in range(3):
        project = catalog.create_project(group, f"p{n}", data="e:\n  f: string\n", author="admin")
        versions.append(project.version)
    snapshots = Snapshots(catalog.groups_dir, WriterLocks(), catalog.beacon, tree_cache_paths=3)
    blobs = [snapshots.blob_at(group, v, f"p{n}.yaml") for n, v in enumerate(versions)]
    assert len(set(blobs)) == 1 and blobs[0] is not None  # the same text in each
    assert snapshots.blob_at(group, versions[0], "p2.yaml") is None  # not made yet
    assert snapshots.cache_stats()["trees"] == (0, 4)
    assert snapshots.blob_at(group, versions[0], "p2.yaml") is None  # absence is cached too
    assert snapshots.blob_at(group, versions[2], "p2.yaml") == blobs[0]
    assert snapshots.cache_stats()["trees"] == (2, 4)
    assert snapshots.blob_at(group, versions[0], "p0.yaml") == blobs[0]  # dropped: read again
    assert snapshots.cache_stats()["trees"] == (2, 5)
