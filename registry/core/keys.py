"""API keys: random secrets, stored only as SHA-256 hashes, checked in constant time.

The key file (``keys.json`` in the data folder) is shared by the server and the CLI; writes hold
a file lock and replace the file atomically, and the server reloads it when it changes, so a key
created or revoked with the CLI takes effect without a restart.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, TypeGuard, get_args

from registry.core.errors import InvalidInput, NameTaken, NotFound
from registry.core.layout import ADMIN_KEY_FILE, KEYS_FILE, KEYS_LOCK_FILE
from registry.core.names import check_name, fold
from repo_store import fsync_path, hold_file_lock

Role = Literal["read", "write", "admin"]
ROLES: tuple[Role, ...] = get_args(Role)  # weakest first
KEY_PREFIX = "sr_"


@dataclass(frozen=True)
class ApiKey:
    name: str
    role: Role
    groups: tuple[str, ...]  # group ids; empty means every group
    created_at: str
    sha256: str

    def allows(self, role: Role) -> bool:
        return ROLES.index(self.role) >= ROLES.index(role)

    def covers(self, group_id: str) -> bool:
        return not self.groups or group_id in self.groups

    def public(self) -> dict[str, Any]:
        """Everything about the key except its hash."""
        return {
            "name": self.name,
            "role": self.role,
            "groups": list(self.groups),
            "created_at": self.created_at,
        }


def is_role(value: object) -> TypeGuard[Role]:
    return value in ROLES


def _role(value: object) -> Role:
    if not is_role(value):
        raise ValueError(f"unknown role {value!r}")
    return value


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogateescape")).hexdigest()


class KeyStore:
    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / KEYS_FILE
        self._lock_path = data_dir / KEYS_LOCK_FILE
        self._guard = threading.Lock()
        self._keys: tuple[ApiKey, ...] = ()
        self._stamp: tuple[int, int] | None = (-1, -1)  # "never read"
        self.reload_if_changed()

    # -- reading -----------------------------------------------------------------------------

    def all_keys(self) -> tuple[ApiKey, ...]:
        return self._keys

    def authenticate(self, secret: str) -> ApiKey | None:
        """The key whose secret this is, or None. Compares every hash in constant time."""
        digest = _digest(secret)
        found = None
        for key in self._keys:  # no early exit: timing says nothing about which key matched
            if hmac.compare_digest(key.sha256, digest):
                found = key
        return found

    def first_start_key(self) -> ApiKey | None:
        """The key whose secret ``admin.key`` (beside the key file) holds, if it is there,
        readable and one of these keys."""
        try:
            secret = (self.path.parent / ADMIN_KEY_FILE).read_text(encoding="utf-8").strip()
        except (OSError, ValueError):  # missing, unreadable or not text
            return None
        return self.authenticate(secret)

    def reload_if_changed(self) -> bool:
        """Re-read the key file if it changed on disk (blocking: call from a worker thread)."""
        try:
            st = self.path.stat()
        except FileNotFoundError:
            stamp = None
        else:
            stamp = (st.st_mtime_ns, st.st_ino)
        with self._guard:
            if stamp == self._stamp:
                return False
            self._keys = self._read()
            self._stamp = stamp
        return True

    def _read(self) -> tuple[ApiKey, ...]:
        try:
            doc = json.loads(self.path.read_text("utf-8"))
            return tuple(
                ApiKey(k["name"], _role(k["role"]), tuple(k.get("groups", ())), k["created_at"], k["sha256"])
                for k in doc.get("keys", [])
            )
        except FileNotFoundError:
            return ()
        except (ValueError, KeyError, TypeError, AttributeError) as exc:  # edited by hand, say
            raise InvalidInput(f"{self.path} is not a valid key file ({type(exc).__name__}: {exc})") from exc

    # -- writing (CLI and first start) -------------------------------------------------------

    def create(self, name: str, role: str, groups: tuple[str, ...] = ()) -> tuple[ApiKey, str]:
        """Make a new key; returns it with its secret, which is shown once and never stored."""
        name = check_name(name, what="key")
        if not is_role(role):
            raise InvalidInput(f"role must be one of {', '.join(ROLES)}")
        secret = KEY_PREFIX + secrets.token_urlsafe(32)  # 256 random bits
        created = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        key = ApiKey(name, role, tuple(groups), created, _digest(secret))
        with hold_file_lock(self._lock_path):
            keys = self._read()
            if any(fold(k.name) == fold(name) for k in keys):
                raise NameTaken(f"a key named {name!r} already exists")
            self._write((*keys, key))
        self.reload_if_changed()
        return key, secret

    def revoke(self, name: str) -> None:
        with hold_file_lock(self._lock_path):
            keys = self._read()
            kept = tuple(k for k in keys if fold(k.name) != fold(name))
            if len(kept) == len(keys):
                raise NotFound(f"no key named {name!r}")
            self._write(kept)
        self.reload_if_changed()

    def _write(self, keys: tuple[ApiKey, ...]) -> None:
        doc = {
            "keys": [
                {
                    "name": k.name,
                    "role": k.role,
                    "groups": list(k.groups),
                    "created_at": k.created_at,
                    "sha256": k.sha256,
                }
                for k in keys
            ]
        }
        tmp = self.path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(doc, f, indent=2)
            f.write("\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.path)
        fsync_path(self.path.parent)


def write_secret_file(path: Path, secret: str) -> None:
    """Write a secret readable by its owner only (mode 0600 from the start, never wider)."""
    path.unlink(missing_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(secret + "\n")
        f.flush()
        os.fsync(f.fileno())
    fsync_path(path.parent)
