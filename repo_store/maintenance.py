"""Keeping repositories packed: every published batch of commits is a small pack of its own.

Many small packs make object lookups slower, so once a repository has more than a threshold of
them they are rolled up with ``git repack --geometric=2`` (git's incremental repack, which only
rewrites the small packs; git's packs carry deltas, dulwich's own repack does not: 23 MiB
against 0.75 MiB for the same history).

A repack runs in a background thread and does not block writes. That is safe because:

- a geometric repack rolls up whole packs (``pack-objects --stdin-packs``), every object in them,
  reachable or not, so objects of a write whose ref has not moved yet are kept;
- it only deletes the packs it rolled up, listed when it started, never a pack written since;
- the write path never reads the packs it lists (:mod:`repo_store.pack_writer`), and readers
  that lose a pack re-open the repository and retry (:meth:`GitRepository._object`).

Repacks of one repository, and pushes to it, exclude each other through the maintenance lock
(:meth:`WriterLocks.hold_maintenance`). Without a git binary the packs are left as they are.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import threading
import time
from pathlib import Path

from repo_store.locks import WriterLocks
from repo_store.pack_writer import TEMP_PREFIX

log = logging.getLogger(__name__)
DEFAULT_PACK_THRESHOLD = 16
QUIET_PUBLISHES = 4  # at most this many publishes between two counts of a repository's packs
STALE_TEMP_SECONDS = 3600  # no writer takes an hour to write one batch's pack
# As git gc: objects no ref reaches (refused pushes, say) are kept this long after their pack
# was written, far longer than any write takes to move its ref.
PRUNE_EXPIRE = "2.weeks.ago"


def pack_count(repo_path: Path) -> int:
    """Finished packs (a crash can leave temporary ``tmp_pack_*`` files behind; they are not counted)."""
    # os.listdir, not Path.glob: this runs after every commit, and glob cost 0.4 ms per call.
    try:
        names = os.listdir(os.path.join(repo_path, "objects", "pack"))
    except FileNotFoundError:
        return 0
    return sum(1 for name in names if name.startswith("pack-") and name.endswith(".pack"))


def repack(repo_path: Path, *, full: bool = False) -> bool:
    """Roll small packs (and loose objects) into bigger ones; False if git is not installed.

    ``full`` packs everything reachable into one pack with freshly computed deltas (``git repack
    -A -d -f``: reusing the deltas of rolled-up packs left bench row 9 at 2.8 times the size
    ``git gc --aggressive`` gets, recomputing them at 0.9 times; 23 s for a 10,000-commit group).
    Objects no ref reaches, such as those of a write whose ref has not moved yet, become loose
    objects; a full repack then prunes those whose pack is older than :data:`PRUNE_EXPIRE`.
    Call it holding the repository's maintenance lock. It also removes temporary pack files that
    a crashed writer left behind.
    """
    git = shutil.which("git")
    if git is None:
        return False
    commands = [["repack", "-d", "-q", *(["-A", "-f"] if full else ["--geometric=2"])]]
    if full:
        commands.append(["prune", f"--expire={PRUNE_EXPIRE}"])
    try:
        for command in commands:
            subprocess.run(
                [git, "-C", str(repo_path), *command], check=True, capture_output=True, timeout=600
            )
    finally:  # leftovers go even when git fails
        _remove_stale_temp_packs(repo_path)
    return True


def _remove_stale_temp_packs(repo_path: Path) -> None:
    """What killed writers leave behind, once it is an hour old (no writer takes that long):

    - ours and git's ``tmp_pack_*``, dulwich's ``tmp*.pack`` (a push being stored) and
      ``*.idx.lock`` in ``objects/pack``, and dulwich's ``tmp_pack_*`` in ``objects`` (a thin
      push being stored);
    - ``.tmp-*`` packs of a ``git repack`` that was killed;
    - an index whose pack a crash kept from being renamed in (our writer renames the index
      first), and a pack whose index dulwich never wrote (it renames the pack first). Neither
      half is usable alone, and no ref moved past either: refs move only after both are in.
    """
    cutoff = time.time() - STALE_TEMP_SECONDS
    objects = repo_path / "objects"
    pack_dir = objects / "pack"
    orphans = [
        *(p for p in pack_dir.glob("pack-*.idx") if not p.with_suffix(".pack").exists()),
        *(p for p in pack_dir.glob("pack-*.pack") if not p.with_suffix(".idx").exists()),
    ]
    temporary = [
        *pack_dir.glob("tmp*"),
        *pack_dir.glob(".tmp-*"),
        *pack_dir.glob("*.lock"),
        *objects.glob(f"{TEMP_PREFIX}*"),
    ]
    for leftover in [*temporary, *orphans]:
        try:
            if leftover.stat().st_mtime < cutoff:
                leftover.unlink()
        except FileNotFoundError:  # a writer renamed its finished pack meanwhile
            continue


class Repacker:
    """Starts at most one background repack per repository once ``threshold`` packs were added.

    Counted from what the last repack left: a geometric repack may rightly keep several packs,
    and must not then run again after every commit.
    """

    def __init__(self, locks: WriterLocks, threshold: int = DEFAULT_PACK_THRESHOLD) -> None:
        self.locks = locks
        self.threshold = threshold
        self._running: set[Path] = set()
        self._left: dict[Path, int] = {}  # packs the last repack of this process left behind
        self._quiet: dict[Path, int] = {}  # publishes to go before the limit can be reached
        self._lock = threading.Lock()
        self.repacks = 0

    @property
    def busy(self) -> bool:
        with self._lock:
            return bool(self._running)

    def packs_left(self, repo_path: Path) -> int:
        """Packs the last repack of ``repo_path`` by this process left (0 before any)."""
        return self._left.get(repo_path, 0)

    def after_commit(self, repo_path: Path) -> None:
        """Call once per published batch (one new pack), never for two batches of one repository at once."""
        # A publish of ours adds one pack, so after a count below the limit the next few cannot
        # reach it: listing the folder after every one cost more than writing the pack's index.
        # Pushes and other processes add packs too, so the wait is capped at QUIET_PUBLISHES.
        quiet = self._quiet.get(repo_path, 0)
        if quiet > 0:
            self._quiet[repo_path] = quiet - 1
            return
        count, limit = pack_count(repo_path), self.threshold + self.packs_left(repo_path)
        if count <= limit:
            self._quiet[repo_path] = min(limit - count, QUIET_PUBLISHES)
            return
        with self._lock:
            if repo_path in self._running:
                return
            self._running.add(repo_path)
        threading.Thread(target=self._run, args=(repo_path,), name="repack", daemon=True).start()

    def _run(self, repo_path: Path) -> None:
        try:
            # Another process repacking this repository (or a push) makes this one unneeded.
            with self.locks.hold_maintenance(repo_path, wait=False) as held:
                if held and repack(repo_path):
                    self.repacks += 1
                    self._left[repo_path] = pack_count(repo_path)
        except (OSError, subprocess.SubprocessError) as exc:  # maintenance must never break writes
            log.warning("repacking %s failed: %s", repo_path, exc)
        finally:
            with self._lock:
                self._running.discard(repo_path)
