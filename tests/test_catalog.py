"""The catalog on its own (no HTTP): start-up clean-up after a crash."""

from __future__ import annotations

from pathlib import Path

from registry.catalog import Catalog
from repo_store import GitRepository, WriterLocks


def test_a_group_half_made_by_a_crash_is_removed_at_start(tmp_path: Path) -> None:
    catalog = Catalog(tmp_path / "data")
    kept = catalog.create_group("kept", author="admin")
    staging = catalog.groups_dir / ".staging-_g0000000000000000.git"
    GitRepository.create(staging, WriterLocks()).close()  # what a crash mid-create leaves
    again = Catalog(tmp_path / "data")
    assert not staging.exists()
    assert [v.meta.id for v in again.list_groups()] == [kept.meta.id]
