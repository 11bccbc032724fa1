"""Web page sessions: a random cookie, stored in the data folder only as its SHA-256 hash.

One small file per session under ``ui-sessions/`` (named by the hash of the cookie), holding the
hash of the key that logged in and when the session was last used. So every worker process and
a restarted server know the session, a stolen data folder holds no usable cookie, and a key
revoked with the CLI ends its sessions at once (the key is looked up on every request).

Blocking (file reads and writes): the pages call these methods through the read pool.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
import time
from collections.abc import Callable
from pathlib import Path

from registry.core.keys import ApiKey, KeyStore

SESSIONS_DIR = "ui-sessions"
# Refresh the last-use time at most this often (or a quarter of the idle time, if shorter): a page
# view is then a file read, not a write.
_TOUCH_SECONDS = 60.0
_TOKEN = re.compile(r"[A-Za-z0-9_\-]{43}")  # secrets.token_urlsafe(32)


def _digest(text: str, purpose: str) -> str:
    return hashlib.sha256(f"{purpose}\0{text}".encode()).hexdigest()


class SessionStore:
    def __init__(self, data_dir: Path, idle_seconds: float, clock: Callable[[], float] = time.time) -> None:
        self.folder = data_dir / SESSIONS_DIR
        self.idle_seconds = idle_seconds
        self.clock = clock

    def _path(self, token: str) -> Path | None:
        """The session's file; None for a cookie that cannot be one of ours (never a path)."""
        if _TOKEN.fullmatch(token) is None:
            return None
        return self.folder / (_digest(token, "session") + ".json")

    def start(self, key: ApiKey) -> str:
        """A new session for ``key``; returns the cookie value (shown to the browser only)."""
        self.folder.mkdir(mode=0o700, exist_ok=True)
        self._sweep()
        token = secrets.token_urlsafe(32)
        path = self._path(token)
        assert path is not None
        self._write(path, {"key": key.sha256, "seen": self.clock()})
        return token

    def find(self, token: str, keys: KeyStore) -> ApiKey | None:
        """The key of a live session, or None (unknown, expired, or its key was revoked)."""
        path = self._path(token)
        if path is None:
            return None
        try:
            record = json.loads(path.read_text("utf-8"))
            key_hash, seen = str(record["key"]), float(record["seen"])
        except (OSError, ValueError, KeyError, TypeError):
            return None
        now = self.clock()
        key = next((k for k in keys.all_keys() if hmac.compare_digest(k.sha256, key_hash)), None)
        if key is None or now - seen > self.idle_seconds:
            path.unlink(missing_ok=True)
            return None
        if now - seen > min(_TOUCH_SECONDS, self.idle_seconds / 4):
            self._write(path, {"key": key_hash, "seen": now})
        return key

    def end(self, token: str) -> None:
        path = self._path(token)
        if path is not None:
            path.unlink(missing_ok=True)

    @staticmethod
    def csrf_token(token: str) -> str:
        """The form token bound to a session: derived from the cookie, which it does not reveal."""
        return _digest(token, "csrf")

    def _write(self, path: Path, record: dict[str, object]) -> None:
        tmp = path.with_suffix(f".{secrets.token_hex(4)}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(record, f)
        os.replace(tmp, path)

    def _sweep(self) -> None:
        """Remove sessions unused for longer than the idle time (each login tidies up)."""
        oldest = self.clock() - self.idle_seconds - _TOUCH_SECONDS
        for path in self.folder.glob("*.json"):
            try:
                if path.stat().st_mtime < oldest:
                    path.unlink(missing_ok=True)
            except OSError:
                continue
