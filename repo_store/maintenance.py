"""Keeping repositories packed: every published batch of commits is a small pack of its own.

Many small packs make object lookups slower, so once a repository has more than a threshold of
them they are rolled up with ``git repack --geometric=2`` (git's incremental repack, which only
rewrites the small packs; git's packs carry deltas, dulwich's own repack does not: 23 MiB
against 0.75 MiB for the same history). It runs in a background thread but holds the
repository's writer lock, because dulwich fails a write whose pack list lost a pack to a
concurrent repack; a geometric repack of small packs is about as quick as a commit. Readers that
lose a pack re-open the repository and retry (:meth:`GitRepository._object`). Without a git
binary the packs are left as they are.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import threading
from pathlib import Path

from repo_store.locks import WriterLocks

log = logging.getLogger(__name__)
DEFAULT_PACK_THRESHOLD = 32


def pack_count(repo_path: Path) -> int:
    """Finished packs (a crash can leave ``tmp*.pack`` files behind; they are not counted)."""
    return sum(1 for p in (repo_path / "objects" / "pack").glob("pack-*.pack"))


def repack(repo_path: Path) -> bool:
    """Roll small packs (and loose objects) into bigger ones; False if git is not installed."""
    git = shutil.which("git")
    if git is None:
        return False
    subprocess.run(
        [git, "-C", str(repo_path), "repack", "-d", "-q", "--geometric=2"],
        check=True,
        capture_output=True,
        timeout=600,
    )
    return True


class Repacker:
    """Starts at most one background repack per repository when it has too many packs."""

    def __init__(self, locks: WriterLocks, threshold: int = DEFAULT_PACK_THRESHOLD) -> None:
        self.locks = locks
        self.threshold = threshold
        self._running: set[Path] = set()
        self._lock = threading.Lock()
        self.repacks = 0

    @property
    def busy(self) -> bool:
        with self._lock:
            return bool(self._running)

    def after_commit(self, repo_path: Path) -> None:
        if pack_count(repo_path) <= self.threshold:
            return
        with self._lock:
            if repo_path in self._running:
                return
            self._running.add(repo_path)
        threading.Thread(target=self._run, args=(repo_path,), name="repack", daemon=True).start()

    def _run(self, repo_path: Path) -> None:
        try:
            with self.locks.hold(repo_path):
                if repack(repo_path):
                    self.repacks += 1
        except (OSError, subprocess.SubprocessError) as exc:  # maintenance must never break writes
            log.warning("repacking %s failed: %s", repo_path, exc)
        finally:
            with self._lock:
                self._running.discard(repo_path)
