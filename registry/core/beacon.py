"""A change beacon shared by every server process on one data folder.

Writers store a fresh random value in a small memory-mapped file after every change they
acknowledge; readers compare it with the value they saw when they last checked a group's ref.
Equal means nothing changed anywhere since, so a cached view can be served straight from memory
(a read of a shared page: no system call, no disk). A changed value only means "check the ref
again", so lost or torn writes are harmless. Readers never trust the beacon for the first read
of a group: a view is verified against its ref file at least once.
"""

from __future__ import annotations

import mmap
import os
import secrets
from pathlib import Path

from registry.core.layout import BEACON_FILE

_SIZE = 8


class ChangeBeacon:
    def __init__(self, data_dir: Path) -> None:
        path = data_dir / BEACON_FILE
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            if os.fstat(fd).st_size < _SIZE:
                os.ftruncate(fd, _SIZE)
            self._map = mmap.mmap(fd, _SIZE)
        finally:
            os.close(fd)

    def value(self) -> bytes:
        """The current value: memory only, safe on the event loop."""
        return self._map[:_SIZE]

    def signal(self) -> None:
        """Announce a change (call after the change is durable, before acknowledging it)."""
        self._map[:_SIZE] = secrets.token_bytes(_SIZE)

    def close(self) -> None:
        self._map.close()
