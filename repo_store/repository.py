"""A bare git repository with one branch, written one durable commit at a time.

Reads are safe from any thread as long as each thread uses its own :class:`GitRepository`
(dulwich's ``Repo`` mutates its pack cache while reading). Writes go through :meth:`writer`,
which holds the repository's writer lock, so only one commit is being built at a time.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from dulwich.file import FileLocked
from dulwich.graph import can_fast_forward
from dulwich.objects import Blob, Commit, ObjectID, Tag, Tree
from dulwich.pack import PackFileDisappeared
from dulwich.refs import Ref
from dulwich.repo import Repo

from repo_store.durability import fsync_path
from repo_store.errors import ObjectMissing, RefConflict, RepositoryExists, RepositoryNotFound
from repo_store.flat_tree import FlatTree, object_id
from repo_store.locks import WriterLocks
from repo_store.pack_writer import RawObject, write_pack

BRANCH = Ref(b"refs/heads/main")
_ZERO = "0" * 40
_T = TypeVar("_T")
_PARENT = "parent"  # marker: the expected head is the new commit's parent
TopTree = FlatTree  # a commit's top tree, as callers may keep it between batches


@dataclass(frozen=True)
class Signature:
    """Who made a change: becomes a commit's author line."""

    name: str
    email: str

    def encode(self) -> bytes:
        return f"{self.name} <{self.email}>".encode()


@dataclass(frozen=True)
class CommitInfo:
    """A commit, decoded: what history views need and nothing of dulwich."""

    id: str
    parents: tuple[str, ...]
    author_name: str
    author_email: str
    timestamp: int  # author time, seconds since the epoch (UTC)
    message: str
    trailers: tuple[tuple[str, str], ...]  # in order; a key may repeat

    def trailer(self, key: str) -> str | None:
        """The first value of trailer ``key``, or None."""
        return next((v for k, v in self.trailers if k == key), None)

    def trailer_values(self, key: str) -> list[str]:
        return [v for k, v in self.trailers if k == key]


@dataclass(frozen=True)
class TagInfo:
    """A tag: annotated (with tagger, time and message) or lightweight (those are None)."""

    name: str
    target: str  # the commit it names
    tagger: str | None
    timestamp: int | None
    message: str | None


def read_head(path: Path) -> str | None:
    """The commit ``main`` points at, read straight from the ref files (no dulwich ``Repo``).

    This is the cheap check that tells a cache whether the repository moved.
    """
    try:  # os.path and a binary read: this runs on every write and every changed-group read
        with open(os.path.join(path, "refs", "heads", "main"), "rb") as ref:
            value = ref.read().strip().decode("ascii")
        return value or None
    except FileNotFoundError:
        pass
    if not path.is_dir():
        raise RepositoryNotFound(str(path))
    try:
        packed = (path / "packed-refs").read_text("ascii")
    except FileNotFoundError:
        return None
    for line in packed.splitlines():
        sha, _, name = line.partition(" ")
        if name == BRANCH.decode():
            return sha
    return None


def parse_trailers(message: str) -> tuple[tuple[str, str], ...]:
    """``Key: value`` lines of a commit message's last paragraph (git's trailer convention)."""
    paragraphs = message.strip().split("\n\n")
    if len(paragraphs) < 2:
        return ()
    trailers: list[tuple[str, str]] = []
    for line in paragraphs[-1].splitlines():
        key, sep, value = line.partition(": ")
        if not sep or not key or " " in key:
            return ()
        trailers.append((key, value.strip()))
    return tuple(trailers)


class GitRepository:
    """One bare repository on disk. Cheap to open (about half a millisecond)."""

    def __init__(self, path: Path, locks: WriterLocks) -> None:
        if not (path / "objects").is_dir():
            raise RepositoryNotFound(str(path))
        self.path = path
        self._locks = locks
        self._repo = Repo(str(path))
        # Objects must reach the disk before the ref that names them (power-loss safety).
        self._repo.object_store.fsync_object_files = True

    @classmethod
    def create(cls, path: Path, locks: WriterLocks) -> GitRepository:
        """Create an empty bare repository whose only branch is ``main``."""
        if path.exists():
            raise RepositoryExists(str(path))
        repo = Repo.init_bare(str(path), mkdir=True, default_branch=b"main")
        config = repo.get_config()
        # For git itself (maintenance runs `git gc`); dulwich is told in __init__.
        config.set((b"core",), b"fsync", b"committed")
        config.write_to_path()
        repo.close()
        return cls(path, locks)

    def close(self) -> None:
        self._repo.close()

    def __enter__(self) -> GitRepository:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def release_packs(self) -> None:
        """Close the pack files read so far (they are opened again when needed).

        A long-lived instance calls this so that it never keeps a pack that a repack deleted
        open (its disk space is freed only when the last handle goes).
        """
        self._repo.object_store.close()

    def head(self) -> str | None:
        return read_head(self.path)

    def _object(self, sha: str) -> object:
        try:
            return self._lookup(sha)
        except PackFileDisappeared:  # a repack replaced a pack we had listed: list them again
            self._reopen()
            return self._lookup(sha)

    def _reopen(self) -> None:
        self._repo.close()
        self._repo = Repo(str(self.path))
        self._repo.object_store.fsync_object_files = True

    def _lookup(self, sha: str) -> object:
        try:
            return self._repo.object_store[ObjectID(sha.encode("ascii"))]
        except (KeyError, ValueError) as exc:
            raise ObjectMissing(sha) from exc

    def tree_files(self, commit_id: str) -> dict[str, str]:
        """The files at the top of ``commit_id``'s tree: name -> blob id."""
        return {name: sha for name, (mode, sha) in self.tree_entries(commit_id).items() if stat.S_ISREG(mode)}

    def root_tree(self, commit_id: str) -> Tree:
        """The top tree of a commit."""
        commit = self._object(commit_id)
        if not isinstance(commit, Commit):
            raise ObjectMissing(commit_id)
        tree = self._object(commit.tree.decode("ascii"))
        if not isinstance(tree, Tree):
            raise ObjectMissing(commit_id)
        return tree

    def file_at(self, commit_id: str, name: str) -> str | None:
        """The blob id of the file ``name`` at the top of ``commit_id``'s tree, or None."""
        try:
            mode, sha = self.root_tree(commit_id)[name.encode("utf-8", "surrogateescape")]
        except KeyError:
            return None
        return sha.decode("ascii") if stat.S_ISREG(mode) else None

    def tree_entries(self, commit_id: str) -> dict[str, tuple[int, str]]:
        """Every entry at the top of ``commit_id``'s tree (files, folders, links): name -> (mode, id)."""
        tree = self.root_tree(commit_id)
        return {
            e.path.decode("utf-8", "surrogateescape"): (e.mode, e.sha.decode("ascii"))
            for e in tree.iteritems()
        }

    def peel(self, sha: str) -> str:
        """The commit a tag (or chain of tags) names; a commit peels to itself."""
        obj = self._object(sha)
        while isinstance(obj, Tag):
            sha = obj.object[1].decode("ascii")
            obj = self._object(sha)
        return sha

    def is_ancestor(self, ancestor: str, descendant: str) -> bool:
        """Whether moving a branch from ``ancestor`` to ``descendant`` is a fast-forward."""
        old, new = ObjectID(ancestor.encode("ascii")), ObjectID(descendant.encode("ascii"))
        try:
            try:
                return bool(can_fast_forward(self._repo, old, new))
            except PackFileDisappeared:  # see _object
                self._reopen()
                return bool(can_fast_forward(self._repo, old, new))
        except KeyError as exc:
            raise ObjectMissing(str(exc)) from exc

    def read_blob(self, blob_id: str) -> bytes:
        blob = self._object(blob_id)
        if not isinstance(blob, Blob):
            raise ObjectMissing(blob_id)
        return blob.as_raw_string()

    def commit_info(self, commit_id: str) -> CommitInfo:
        commit = self._object(commit_id)
        if not isinstance(commit, Commit):
            raise ObjectMissing(commit_id)
        name, _, email = commit.author.decode("utf-8", "replace").partition(" <")
        message = commit.message.decode("utf-8", "replace")
        return CommitInfo(
            id=commit_id,
            parents=tuple(p.decode("ascii") for p in commit.parents),
            author_name=name,
            author_email=email.rstrip(">"),
            timestamp=commit.author_time,
            message=message,
            trailers=parse_trailers(message),
        )

    def tag_names(self) -> list[str]:
        """The names of every tag (refs only: no tag object is read)."""
        return [ref.decode("utf-8", "replace") for ref in self._repo.refs.keys(base=Ref(b"refs/tags"))]

    def tags(self) -> dict[str, TagInfo]:
        """Every tag, peeled to the commit it names."""
        out: dict[str, TagInfo] = {}
        for ref, sha in self._repo.refs.as_dict(Ref(b"refs/tags")).items():
            name = ref.decode("utf-8", "replace")
            obj = self._object(sha.decode("ascii"))
            if isinstance(obj, Tag):
                target = obj.object[1].decode("ascii")
                tagger = obj.tagger.decode("utf-8", "replace").partition(" <")[0]
                message = obj.message.decode("utf-8", "replace").strip()
                out[name] = TagInfo(name, target, tagger, obj.tag_time, message)
            else:
                out[name] = TagInfo(name, sha.decode("ascii"), None, None, None)
        return out

    def first_parent_log(self, start: str, stop: str | None = None) -> Iterator[CommitInfo]:
        """Commits from ``start`` back along first parents, newest first, ending before ``stop``.

        A walk to the root goes through ``git log`` when git is installed: it reads 10,000
        commits in a fraction of the time dulwich takes to parse them one by one.
        """
        if stop is None and (git := shutil.which("git")) is not None:
            yield from _git_first_parent_log(git, self.path, start)
            return
        current: str | None = start
        while current is not None and current != stop:
            info = self.commit_info(current)
            yield info
            current = info.parents[0] if info.parents else None

    @contextmanager
    def writer(self) -> Iterator[Writer]:
        """Hold this repository's writer lock (threads and processes) while committing.

        :class:`RepositoryNotFound` if the folder is gone (moved aside since it was opened).
        """
        with ExitStack() as held:
            try:
                held.enter_context(self._locks.hold(self.path))
            except FileNotFoundError as exc:
                raise RepositoryNotFound(str(self.path)) from exc
            yield Writer(self)


class CommitChain:
    """Commits built in memory, each on top of the last, until a writer publishes them at once.

    Trees are flat (files at the top level only), which is the layout this store keeps; each
    commit's tree is made from the previous one in memory (:class:`FlatTree`), never re-read.
    """

    def __init__(
        self, repository: GitRepository, parent: str | None, parent_tree: FlatTree | None = None
    ) -> None:
        self.parent = parent
        self.head = parent
        self.objects: list[RawObject] = []
        self._ids: set[bytes] = set()  # a pack must not hold one object twice (git verify-pack refuses it)
        # ``parent_tree``: the parent's top tree if the caller still has it.
        self.tree = parent_tree if parent_tree is not None else FlatTree.empty()
        if parent is not None and parent_tree is None:
            self.tree = FlatTree.from_tree(repository.root_tree(parent))

    def add(
        self,
        *,
        changes: Mapping[str, bytes | None],
        author: Signature,
        committer: Signature,
        message: str,
        timestamp: int,
    ) -> str:
        """Build one commit applying ``changes`` (path -> content, None deletes); returns its id."""
        files: dict[bytes, bytes | None] = {}
        for path, content in changes.items():
            name = path.encode()
            if b"/" in name or not name:
                raise ValueError(f"only top-level files are stored, not {path!r}")
            files[name] = None if content is None else self._keep(Blob.type_num, b"blob", content)
        tree = self.tree.with_files(files)
        self._keep(Tree.type_num, b"tree", tree.raw(), tree.binary_id)
        commit = Commit()
        commit.tree = ObjectID(tree.id.encode("ascii"))
        commit.parents = [ObjectID(self.head.encode("ascii"))] if self.head else []
        commit.author = author.encode()
        commit.committer = committer.encode()
        commit.author_time = commit.commit_time = timestamp
        commit.author_timezone = commit.commit_timezone = 0
        commit.encoding = b"UTF-8"
        commit.message = message.encode()
        self.tree = tree
        self.head = self._keep(Commit.type_num, b"commit", commit.as_raw_string()).hex()
        return self.head

    def _keep(self, type_num: int, type_name: bytes, raw: bytes, binary_id: bytes | None = None) -> bytes:
        binary_id = binary_id or object_id(type_name, raw)
        if binary_id not in self._ids:
            self._ids.add(binary_id)
            self.objects.append(RawObject(type_num, raw, binary_id))
        return binary_id


class Writer:
    """Makes commits; exists only while the repository's writer lock is held."""

    def __init__(self, repository: GitRepository) -> None:
        self._repository = repository
        self._repo = repository._repo

    def chain(self, parent: str | None, parent_tree: TopTree | None = None) -> CommitChain:
        """Start building commits on ``parent``; :meth:`publish` writes them all."""
        return CommitChain(self._repository, parent, parent_tree)

    def publish(self, chain: CommitChain, *, expected_head: str | None = _PARENT) -> None:
        """Store a chain's objects in one pack (one fsync) and move ``main`` to its last commit.

        ``main`` must be at ``expected_head`` (by default the chain's parent; None: no branch
        yet): the ref update is a compare-and-swap, so a writer that lost a race gets
        :class:`RefConflict` and nothing moves. Returns once objects and ref are on disk.
        """
        expected = chain.parent if expected_head == _PARENT else expected_head
        if chain.head is None or chain.head == chain.parent:
            return
        # Packing the whole batch means two fsyncs (pack and index) instead of one per object.
        write_pack(self._repository.path / "objects" / "pack", chain.objects)
        old = ObjectID((expected or _ZERO).encode("ascii"))
        new = ObjectID(chain.head.encode("ascii"))
        if not self._retry_on_stale_lock(lambda: self._repo.refs.set_if_equals(BRANCH, old, new)):
            raise RefConflict(f"main moved from {expected}")
        self._moved(self._repository.path / "refs" / "heads")

    def commit(
        self,
        *,
        parent: str | None,
        changes: Mapping[str, bytes | None],
        author: Signature,
        committer: Signature,
        message: str,
        timestamp: int,
        expected_head: str | None = _PARENT,
    ) -> str:
        """Write one commit on ``main``: :meth:`chain`, one ``add``, :meth:`publish`."""
        chain = self.chain(parent)
        version = chain.add(
            changes=changes, author=author, committer=committer, message=message, timestamp=timestamp
        )
        self.publish(chain, expected_head=parent if expected_head == _PARENT else expected_head)
        return version

    def create_tag(
        self, *, name: str, target: str, tagger: Signature, message: str, timestamp: int
    ) -> TagInfo:
        """Write an annotated tag ``refs/tags/NAME``; :class:`RefConflict` if the name is taken."""
        commit = self._repository._object(target)
        if not isinstance(commit, Commit):
            raise ObjectMissing(target)
        tag = Tag()
        tag.name = name.encode()
        tag.object = (Commit, commit.id)
        tag.tagger = tagger.encode()
        tag.tag_time = timestamp
        tag.tag_timezone = 0
        tag.message = (message.strip() + "\n").encode()
        self._retry_on_stale_lock(lambda: self._repo.object_store.add_object(tag))
        self.add_tag_ref(name, tag.id.decode("ascii"))
        return TagInfo(name, target, tagger.name, timestamp, message.strip())

    def add_tag_ref(self, name: str, target: str) -> None:
        """Create ``refs/tags/NAME`` pointing at ``target`` (a stored tag or commit), durably.

        :class:`RefConflict` if the name is taken. ``name`` is one path segment: the caller checks it.
        """
        ref = Ref(b"refs/tags/" + name.encode())
        new = ObjectID(target.encode("ascii"))
        if not self._retry_on_stale_lock(lambda: self._repo.refs.add_if_new(ref, new)):
            raise RefConflict(f"tag {name} exists")
        self._moved(self._repository.path / "refs" / "tags")

    def _moved(self, ref_folder: Path) -> None:
        """After a ref moved: make that durable, and signal the change even if that fails.

        The caller reports a failed fsync as a failed write, but the ref has moved: readers in
        every process must look again rather than keep serving the view from before.
        """
        try:
            fsync_path(ref_folder)
        finally:
            self._repository._locks.on_commit()

    @staticmethod
    def _retry_on_stale_lock(action: Callable[[], _T]) -> _T:
        """Run ``action``; a git lock file in its way is stale (we hold the writer lock): remove it."""
        try:
            return action()
        except FileLocked as exc:
            remove_stale_lock(exc)
            return action()


_LOG_FORMAT = "%H%x00%P%x00%an%x00%ae%x00%at%x00%B%x1e"


def _git_first_parent_log(git: str, path: Path, start: str) -> Iterator[CommitInfo]:
    out = subprocess.run(
        [git, "--git-dir", str(path), "log", "--first-parent", f"--format={_LOG_FORMAT}", start],
        capture_output=True,
        check=True,
        timeout=600,
    ).stdout
    for record in out.split(b"\x1e"):
        record = record.lstrip(b"\n")
        if not record:
            continue
        sha, parents, name, email, when, body = record.split(b"\x00", 5)
        message = body.decode("utf-8", "replace")
        yield CommitInfo(
            id=sha.decode("ascii"),
            parents=tuple(parents.decode("ascii").split()),
            author_name=name.decode("utf-8", "replace"),
            author_email=email.decode("utf-8", "replace"),
            timestamp=int(when),
            message=message,
            trailers=parse_trailers(message),
        )


def remove_stale_lock(error: FileLocked) -> None:
    """Remove a git ``*.lock`` file that a killed writer left behind.

    Only call this while holding the repository's writer lock: then no live writer owns it.
    """
    filename = os.fsdecode(error.lockfilename)
    Path(filename).unlink(missing_ok=True)
