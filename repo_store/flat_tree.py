"""A commit's top tree held as raw entries, so that changing one file does not rebuild the rest.

The store keeps every file at the top of the tree, so a group of 1,000 projects has a 1,000-entry
tree that every commit rewrites. dulwich's ``Tree`` sorts and re-encodes every entry on each copy
and on each serialisation (about 6 ms per commit at 1,000 entries). Here each entry keeps its
encoded bytes, a change copies a dict and re-sorts only when names come or go, and the tree's
bytes are one join.
"""

from __future__ import annotations

import hashlib
import stat
from collections.abc import Mapping

from dulwich.objects import Tree

FILE_MODE = stat.S_IFREG | 0o644


def object_id(type_name: bytes, raw: bytes) -> bytes:
    """The binary git id of an object of ``type_name`` (b"blob", b"tree", ...) with body ``raw``."""
    digest = hashlib.sha1(b"%s %d\x00" % (type_name, len(raw)))  # noqa: S324 - git's object ids are SHA-1
    digest.update(raw)
    return digest.digest()


def _sort_key(name: bytes, mode: int) -> bytes:
    # git orders a folder as if its name ended with "/".
    return name + b"/" if stat.S_ISDIR(mode) else name


class FlatTree:
    """An immutable top tree: name -> (mode, binary id), with its encoded entries kept."""

    __slots__ = ("_encoded", "_entries", "_id", "_order", "_raw")

    def __init__(
        self,
        entries: dict[bytes, tuple[int, bytes]],
        encoded: dict[bytes, bytes] | None = None,
        order: list[bytes] | None = None,
    ) -> None:
        self._entries = entries
        self._encoded = encoded if encoded is not None else {n: _encode(n, *e) for n, e in entries.items()}
        if order is None:
            order = sorted(entries, key=lambda n: _sort_key(n, entries[n][0]))
        self._order = order
        self._raw: bytes | None = None
        self._id: bytes | None = None

    @classmethod
    def empty(cls) -> FlatTree:
        return cls({}, {}, [])

    @classmethod
    def from_tree(cls, tree: Tree) -> FlatTree:
        """The same tree as dulwich parsed it."""
        return cls({e.path: (e.mode, bytes.fromhex(e.sha.decode("ascii"))) for e in tree.iteritems()})

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def __len__(self) -> int:
        return len(self._entries)

    def entry_id(self, name: bytes) -> str | None:
        """The id of the entry called ``name``, if there is one."""
        entry = self._entries.get(name)
        return entry[1].hex() if entry is not None else None

    def with_files(self, changes: Mapping[bytes, bytes | None]) -> FlatTree:
        """A new tree with each name set to a regular file of the given binary blob id, or removed."""
        entries = dict(self._entries)
        encoded = dict(self._encoded)
        names_changed = False
        for name, blob in changes.items():
            if blob is None:
                if entries.pop(name, None) is not None:
                    del encoded[name]
                    names_changed = True
                continue
            # A new name, or a folder becoming a file, moves the entry in git's order.
            names_changed = names_changed or name not in entries or stat.S_ISDIR(entries[name][0])
            entries[name] = (FILE_MODE, blob)
            encoded[name] = _encode(name, FILE_MODE, blob)
        return FlatTree(entries, encoded, None if names_changed else self._order)

    def raw(self) -> bytes:
        """The tree object's body, as git encodes it."""
        if self._raw is None:
            encoded = self._encoded
            self._raw = b"".join([encoded[name] for name in self._order])
        return self._raw

    @property
    def binary_id(self) -> bytes:
        if self._id is None:
            self._id = object_id(b"tree", self.raw())
        return self._id

    @property
    def id(self) -> str:
        return self.binary_id.hex()


def _encode(name: bytes, mode: int, sha: bytes) -> bytes:
    return b"%o %s\x00%s" % (mode, name, sha)
