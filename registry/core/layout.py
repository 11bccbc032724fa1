"""The data folder's layout: every name the registry keeps in it, in one place.

docs/architecture.md ("Data folder") draws the same tree. Repository-internal lock files belong
to ``repo_store`` and are re-exported here so that this module names everything.
"""

from __future__ import annotations

from repo_store.locks import LOCK_FILE_NAME as WRITER_LOCK_FILE
from repo_store.locks import MAINTENANCE_LOCK_FILE_NAME as MAINTENANCE_LOCK_FILE

GROUPS_DIR = "groups"  # <group id>.git, one bare repository per live group
DELETED_DIR = "deleted-groups"  # <group id>-<DELETED_STAMP>.git, moved aside, never erased
DELETED_STAMP = "%Y%m%dT%H%M%SZ"
STAGING_PREFIX = ".staging-"  # a group (or restore) being built; removed at start if abandoned

KEYS_FILE = "keys.json"  # API keys, hashed (mode 0600)
KEYS_LOCK_FILE = "keys.flock"  # held while keys.json is rewritten
ADMIN_KEY_FILE = "admin.key"  # the first-start admin key, written by `serve` (mode 0600)
NAMES_LOCK_FILE = "group-names.flock"  # held while a group is created, renamed or deleted
BEACON_FILE = "change-beacon"  # memory-mapped by every process
GROUP_INDEX_FILE = "group-index.json"  # a cache of group names by head
RESTORE_MARKER = "restore-in-progress"  # present while a restore into the folder runs


def staging_name(group_id: str) -> str:
    """The folder a new group's repository is built in before it is renamed into place."""
    return f"{STAGING_PREFIX}{group_id}.git"


__all__ = [
    "ADMIN_KEY_FILE",
    "BEACON_FILE",
    "DELETED_DIR",
    "DELETED_STAMP",
    "GROUPS_DIR",
    "GROUP_INDEX_FILE",
    "KEYS_FILE",
    "KEYS_LOCK_FILE",
    "MAINTENANCE_LOCK_FILE",
    "NAMES_LOCK_FILE",
    "RESTORE_MARKER",
    "STAGING_PREFIX",
    "WRITER_LOCK_FILE",
    "staging_name",
]
