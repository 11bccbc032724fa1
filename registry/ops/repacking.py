"""``schema-registry maintain``: pack every group's repository into one delta-compressed pack.

The server rolls small packs up by itself (:class:`repo_store.Repacker`, a geometric repack
above a pack-count threshold). This is the deeper, occasional step, like ``git gc``: a full
``git repack -A -d -f`` per repository. It is safe while servers run on the data folder: writes do
not wait for it, it takes each repository's maintenance lock (so it never overlaps a background
repack or a push), and objects of writes still in flight are kept.
"""

from __future__ import annotations

import contextlib
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from registry.core.layout import GROUPS_DIR
from registry.core.names import live_group_ids
from repo_store import WriterLocks, pack_count, repack


@dataclass(frozen=True)
class Repacked:
    group_id: str
    packs_before: int
    bytes_before: int
    bytes_after: int
    error: str | None = None  # why this repository was not repacked


def repository_bytes(repo_path: Path) -> int:
    """Bytes of every file in ``objects/`` (packs, indexes and loose objects)."""
    total = 0
    for path in (repo_path / "objects").rglob("*"):
        with contextlib.suppress(FileNotFoundError):  # a writer renamed or a repack removed it
            if path.is_file():
                total += path.stat().st_size
    return total


def maintain(data_dir: Path, group_ids: list[str] | None = None) -> Iterator[Repacked]:
    """Fully repack each live group (or only ``group_ids``); yields one result per repository."""
    locks = WriterLocks()
    for group_id in live_group_ids(data_dir / GROUPS_DIR):
        if group_ids is not None and group_id not in group_ids:
            continue
        path = data_dir / GROUPS_DIR / f"{group_id}.git"
        try:
            with locks.hold_maintenance(path):
                packs, before = pack_count(path), repository_bytes(path)
                if not repack(path, full=True):
                    raise RuntimeError("git is not installed: maintain needs the git binary")
                result = Repacked(group_id, packs, before, repository_bytes(path))
        except (OSError, subprocess.SubprocessError) as exc:  # deleted meanwhile, or git failed
            result = Repacked(group_id, 0, 0, 0, error=str(exc) if path.is_dir() else "deleted meanwhile")
        yield result
