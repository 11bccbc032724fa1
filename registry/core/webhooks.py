"""Webhooks: where to send events, and how far each one got (``webhooks.json`` in the data folder).

One file holds every webhook with its state: its position in each group (the id of the last
event a receiver answered 2xx to), its retry, whether it is failing and why, its last delivery
attempts, and redeliveries asked for. Every change is a read-modify-write under
``webhooks.flock``, written to a temporary file, fsynced and renamed in (as ``keys.json``), so
any worker process may serve the API while one delivers. The file holds the signing secrets,
so it is mode 0600.

The API and the sender change different parts: the API bumps a webhook's ``generation`` on every
change of its settings or position; the sender saves its progress only while the generation is
the one it started from, and otherwise starts over from what the API left.
"""

from __future__ import annotations

import base64
import copy
import json
import os
import secrets
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypedDict

from registry.core.errors import InvalidInput, NotFound
from repo_store import fsync_path, hold_file_lock

WEBHOOKS_FILE = "webhooks.json"
LOCK_FILE = "webhooks.flock"
SENDER_LOCK_FILE = "webhooks-sender.flock"
MAX_WEBHOOKS = 1000
MAX_DELIVERIES = 50  # attempts kept per webhook for GET /webhooks/{id}/deliveries
MAX_REDELIVERIES = 100
MAX_DESCRIPTION = 1000
_ID_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"


class Delivery(TypedDict):
    event_id: str
    time: str
    status: int | None
    duration_ms: int
    error: str | None


class Retry(TypedDict):
    event_id: str
    since: float  # when the first try of this event failed (seconds since the epoch)
    attempts: int
    last_error: str


class Failing(TypedDict):
    reason: str
    since: str
    event_id: str


class Webhook(TypedDict):
    id: str
    url: str
    groups: list[str]  # group ids; empty: every group the scope allows
    types: list[str] | None
    description: str | None
    secret: str
    created_at: str
    created_by: str
    scope: list[str]  # the creating key's groups; empty: every group
    base_url: str  # events' source and url (the public URL, or the host it was made at)
    paused: bool
    generation: int
    positions: dict[str, str | None]
    retry: Retry | None
    failing: Failing | None
    deliveries: list[Delivery]
    redeliver: list[str]


def now_text() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def new_secret() -> str:
    """A Standard Webhooks secret: ``whsec_`` and 24 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode("ascii")


def public(hook: Webhook) -> dict[str, Any]:
    """What the API shows of a webhook: everything but its secret and its delivery log."""
    shown = {k: v for k, v in hook.items() if k not in ("secret", "deliveries", "redeliver", "retry")}
    retry = hook["retry"]
    shown["retrying"] = None
    if retry is not None:
        shown["retrying"] = {
            "event_id": retry["event_id"],
            "attempts": retry["attempts"],
            "error": retry["last_error"],
        }
    return shown


def covered(hook: Webhook, group_id: str) -> bool:
    """Whether the webhook's filters and its creator's scope let ``group_id``'s events through."""
    if hook["scope"] and group_id not in hook["scope"]:
        return False
    return not hook["groups"] or group_id in hook["groups"]


class WebhookStore:
    """``webhooks.json``: blocking file work, for worker threads."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.path = data_dir / WEBHOOKS_FILE
        self._lock_path = data_dir / LOCK_FILE
        self._guard = threading.Lock()
        self._cache: tuple[tuple[int, int, int] | None, dict[str, Webhook]] = ((-1, -1, -1), {})

    def all(self) -> dict[str, Webhook]:
        """Every webhook (re-read only when the file changed); callers must not modify them."""
        stamp = self._stamp()
        with self._guard:
            if self._cache[0] == stamp:
                return self._cache[1]
        hooks = self._read()
        with self._guard:
            self._cache = (stamp, hooks)
        return hooks

    def get(self, webhook_id: str) -> Webhook:
        hook = self.all().get(webhook_id)
        if hook is None:
            raise NotFound(f"no webhook with id {webhook_id!r}")
        return copy.deepcopy(hook)

    def _stamp(self) -> tuple[int, int, int] | None:
        try:
            st = self.path.stat()
        except FileNotFoundError:
            return None
        return (st.st_mtime_ns, st.st_ino, st.st_size)

    def _read(self) -> dict[str, Webhook]:
        try:
            doc = json.loads(self.path.read_text("utf-8"))
        except FileNotFoundError:
            return {}
        except ValueError as exc:
            raise InvalidInput(f"{self.path} is not a valid webhook file: {exc}") from exc
        hooks: dict[str, Webhook] = {h["id"]: h for h in doc.get("webhooks", [])}
        return hooks

    def change(self, fn: Callable[[dict[str, Webhook]], None]) -> dict[str, Webhook]:
        """Apply ``fn`` to every webhook (a fresh copy, read under the lock) and write the result."""
        with hold_file_lock(self._lock_path):
            hooks = copy.deepcopy(self._read())
            fn(hooks)
            self._write(hooks)
            stamp = self._stamp()
        with self._guard:  # what this process wrote is what it reads next, whatever the stamp
            self._cache = (stamp, copy.deepcopy(hooks))
        return hooks

    def _write(self, hooks: dict[str, Webhook]) -> None:
        tmp = self.path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump({"webhooks": list(hooks.values())}, f, indent=1)
            f.write("\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.path)
        fsync_path(self.path.parent)

    # -- the API -----------------------------------------------------------------------------

    def create(self, hook: Webhook) -> Webhook:
        def add(hooks: dict[str, Webhook]) -> None:
            if len(hooks) >= MAX_WEBHOOKS:
                raise InvalidInput(f"there are {MAX_WEBHOOKS} webhooks already")
            hooks[hook["id"]] = hook

        self.change(add)
        return hook

    def update(self, webhook_id: str, fn: Callable[[Webhook], None]) -> Webhook:
        """Change a webhook's settings or positions: a new generation, which clears its retry and
        failing state (an admin resuming it, or moving it on)."""
        changed: list[Webhook] = []

        def apply(hooks: dict[str, Webhook]) -> None:
            hook = hooks.get(webhook_id)
            if hook is None:
                raise NotFound(f"no webhook with id {webhook_id!r}")
            fn(hook)
            hook["generation"] += 1
            hook["retry"] = None
            hook["failing"] = None
            changed.append(hook)

        self.change(apply)
        return changed[0]

    def delete(self, webhook_id: str) -> None:
        def drop(hooks: dict[str, Webhook]) -> None:
            if hooks.pop(webhook_id, None) is None:
                raise NotFound(f"no webhook with id {webhook_id!r}")

        self.change(drop)

    def ask_redelivery(self, webhook_id: str, event_id: str) -> None:
        def add(hooks: dict[str, Webhook]) -> None:
            hook = hooks.get(webhook_id)
            if hook is None:
                raise NotFound(f"no webhook with id {webhook_id!r}")
            if len(hook["redeliver"]) >= MAX_REDELIVERIES:
                raise InvalidInput(f"{MAX_REDELIVERIES} redeliveries are waiting already")
            hook["redeliver"].append(event_id)

        self.change(add)

    # -- the sender --------------------------------------------------------------------------

    def save_progress(self, progress: Progress) -> Webhook | None:
        """Store what the sender did, if the webhook is still at its generation; returns the
        webhook as stored now (None: deleted)."""
        out: list[Webhook] = []

        def apply(hooks: dict[str, Webhook]) -> None:
            hook = hooks.get(progress.webhook_id)
            if hook is None:
                return
            if hook["generation"] == progress.generation:
                hook["positions"].update(progress.positions)
                hook["retry"] = progress.retry
                hook["failing"] = progress.failing
                hook["deliveries"] = (hook["deliveries"] + progress.deliveries)[-MAX_DELIVERIES:]
                for event_id in progress.redelivered:
                    if event_id in hook["redeliver"]:
                        hook["redeliver"].remove(event_id)
            out.append(hook)

        self.change(apply)
        return out[0] if out else None


class Progress:
    """The sender's unsaved work on one webhook, based on one generation of it."""

    def __init__(self, hook: Webhook) -> None:
        self.webhook_id = hook["id"]
        self.generation = hook["generation"]
        self.positions: dict[str, str | None] = {}
        self.retry = hook["retry"]
        self.failing = hook["failing"]
        self.deliveries: list[Delivery] = []
        self.redelivered: list[str] = []
        self.dirty = False
        self.saved_at = time.monotonic()

    def saved(self, hook: Webhook) -> None:
        # ``positions`` stay: they hold for this generation, and a stale read of the file (the
        # stamp of a rewrite can equal the last one's) must never move a position back.
        self.saved_at = time.monotonic()
        self.generation = hook["generation"]
        self.deliveries = []
        self.redelivered = []
        self.dirty = False


def new_webhook_id() -> str:
    return "_w" + "".join(secrets.choice(_ID_ALPHABET) for _ in range(16))


class SenderLock:
    """The one process that delivers holds ``webhooks-sender.flock``; when it dies the kernel
    drops the lock and another process takes it on its next try."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / SENDER_LOCK_FILE
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def try_take(self) -> bool:
        """Take the lock if no other process holds it (blocking file work, but never waits)."""
        import fcntl  # POSIX only, as the other locks

        if self._fd is not None:
            return True
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
