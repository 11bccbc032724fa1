"""One writer per repository: a thread lock for this process plus a file lock for other processes.

A second lock of the same kind, the maintenance lock, keeps repacks of one repository apart from
each other and from pushes (dulwich's receive-pack fails if a repack removes a pack it listed),
while API writes never wait for a repack.

`flock` locks vanish with the process that held them, so a crash never leaves this lock stale
(unlike git's own ``*.lock`` files, which :func:`repo_store.repository.remove_stale_lock` removes
while this lock is held).
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

LOCK_FILE_NAME = "registry-writer.flock"
MAINTENANCE_LOCK_FILE_NAME = "registry-maintenance.flock"


class WriterLocks:
    """Per-path writer locks; one instance is shared by everything in a process that writes."""

    def __init__(self, on_commit: Callable[[], None] | None = None) -> None:
        self._guard = threading.Lock()
        # Called after every durable ref update made under these locks (caches use it).
        self.on_commit = on_commit or (lambda: None)
        self._locks: dict[Path, threading.Lock] = {}

    def _thread_lock(self, lock_file: Path) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(lock_file, threading.Lock())

    @contextmanager
    def hold(self, repo_path: Path) -> Iterator[None]:
        """Hold the exclusive writer lock of the repository at ``repo_path``."""
        lock_file = repo_path / LOCK_FILE_NAME
        with self._thread_lock(lock_file), hold_file_lock(lock_file):
            yield

    @contextmanager
    def hold_maintenance(self, repo_path: Path, *, wait: bool = True) -> Iterator[bool]:
        """Hold the repository's maintenance lock; with ``wait=False``, yield False if it is taken."""
        lock_file = repo_path / MAINTENANCE_LOCK_FILE_NAME
        thread_lock = self._thread_lock(lock_file)
        if not thread_lock.acquire(blocking=wait):
            yield False
            return
        try:
            with hold_file_lock(lock_file, wait=wait) as held:
                yield held
        finally:
            thread_lock.release()


@contextmanager
def hold_file_lock(path: Path, *, wait: bool = True, create: bool = True) -> Iterator[bool]:
    """Hold an exclusive `flock` on ``path`` (created if missing), waiting for other processes.

    With ``wait=False`` it yields False at once when another process holds the lock. With
    ``create=False`` the file is opened read-only and never made (a reader such as a backup may
    run as another user, or on a read-only snapshot): it yields False, holding nothing, when
    there is no such file, as then no process has taken that lock yet.
    """
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644) if create else os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        if create:
            raise
        yield False  # one open, no exists() before it: a file made meanwhile is not missed
        return
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(fd)  # closing releases the lock
