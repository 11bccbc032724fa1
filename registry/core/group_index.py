"""Every live group's name and creation time, without reading every repository each time.

Listing groups (and checking that a group name is free) needs each group's name, which lives in
its ``.registry.json``: reading that means opening the repository and reading a commit, a tree
and a blob, about 3 to 8 ms a group, so 1,000 groups took 6.5 s on the first list after a start.
A group's name at a given commit never changes, so summaries are cached keyed by the group's
head: a list reads each head (one small file) and reads the repository only for groups whose
head moved. The cache is also kept in ``DATA/group-index.json`` so that a restarted server does
not read every repository again. It is only a cache: entries are trusted only when the head
matches, a missing or broken file is rebuilt, and processes sharing the data folder may
overwrite each other's file (each entry stays correct for the head it names).
"""

from __future__ import annotations

import json
import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from registry.core.errors import NotFound
from registry.core.layout import GROUP_INDEX_FILE
from registry.core.names import fold
from registry.core.snapshots import GroupSnapshot, Snapshots
from repo_store import RepositoryNotFound, read_head

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class GroupSummary:
    id: str
    name: str
    created_at: str
    version: str

    @classmethod
    def of(cls, view: GroupSnapshot) -> GroupSummary:
        return cls(view.meta.id, view.meta.name, view.meta.created_at, view.version)

    def to_json(self) -> dict[str, str]:
        return {"id": self.id, "name": self.name, "created_at": self.created_at, "version": self.version}


class GroupIndex:
    def __init__(self, data_dir: Path, snapshots: Snapshots) -> None:
        self.path = data_dir / GROUP_INDEX_FILE
        self.snapshots = snapshots
        self._lock = threading.Lock()
        self._entries: dict[str, GroupSummary] | None = None  # read from the file on first use
        self._by_name: dict[str, str] = {}  # folded name -> id, of those entries

    def id_named(self, name: str) -> str | None:
        """The id last seen under ``name`` (ignoring case): a hint, to check against the group."""
        with self._lock:
            self._load()
        return self.known_id_named(name)

    def known_id_named(self, name: str) -> str | None:
        """:meth:`id_named` from memory alone (None before the index was first read): event-loop safe.

        No lock: ``_by_name`` is only ever replaced whole, never changed in place, and the lock is
        held while the index file is written.
        """
        return self._by_name.get(fold(name))

    def summaries(self) -> list[GroupSummary]:
        """Every live group, by name ignoring case (groups being created or deleted are left out)."""
        with self._lock:
            known = self._load()
        found: dict[str, GroupSummary] = {}
        for group_id in self.snapshots.group_ids():
            try:
                head = read_head(self.snapshots.path(group_id))
            except RepositoryNotFound:  # deleted meanwhile
                continue
            if head is None:  # being created
                continue
            summary = known.get(group_id)
            if summary is None or summary.version != head:
                try:
                    summary = GroupSummary.of(self.snapshots.get(group_id))
                except NotFound:
                    continue
            found[group_id] = summary
        with self._lock:
            if found != self._entries:
                self._keep(found)
                self._save(found)
        return sorted(found.values(), key=lambda s: fold(s.name))

    def _keep(self, entries: dict[str, GroupSummary]) -> dict[str, GroupSummary]:
        self._entries = entries
        self._by_name = {fold(s.name): gid for gid, s in entries.items()}
        return entries

    def _load(self) -> dict[str, GroupSummary]:
        if self._entries is not None:
            return self._entries
        try:
            raw = json.loads(self.path.read_bytes())
            entries = {gid: GroupSummary(gid, *fields) for gid, fields in raw["groups"].items()}
            if not all(isinstance(v, str) for s in entries.values() for v in vars(s).values()):
                raise ValueError("not a group index")
            return self._keep(entries)
        except FileNotFoundError:
            return self._keep({})
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            log.warning("ignoring %s (it is rebuilt): %s", self.path, exc)
            return self._keep({})

    def _save(self, entries: dict[str, GroupSummary]) -> None:
        body = {"groups": {gid: [s.name, s.created_at, s.version] for gid, s in sorted(entries.items())}}
        tmp = self.path.with_name(f".{GROUP_INDEX_FILE}.{os.getpid()}.{threading.get_ident()}.tmp")
        try:
            tmp.write_text(json.dumps(body, ensure_ascii=False))
            os.replace(tmp, self.path)  # atomic: readers see the old file or the new one
        except OSError as exc:  # a cache: failing to keep it costs time, not correctness
            log.warning("could not write %s: %s", self.path, exc)
            tmp.unlink(missing_ok=True)
