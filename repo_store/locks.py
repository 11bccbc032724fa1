"""One writer per repository: a thread lock for this process plus a file lock for other processes.

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


class WriterLocks:
    """Per-path writer locks; one instance is shared by everything in a process that writes."""

    def __init__(self, on_commit: Callable[[], None] | None = None) -> None:
        self._guard = threading.Lock()
        # Called after every durable ref update made under these locks (caches use it).
        self.on_commit = on_commit or (lambda: None)
        self._locks: dict[Path, threading.Lock] = {}

    def _thread_lock(self, path: Path) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(path, threading.Lock())

    @contextmanager
    def hold(self, repo_path: Path) -> Iterator[None]:
        """Hold the exclusive writer lock of the repository at ``repo_path``."""
        with self._thread_lock(repo_path), hold_file_lock(repo_path / LOCK_FILE_NAME):
            yield


@contextmanager
def hold_file_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive `flock` on ``path`` (created if missing), waiting for other processes."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock
