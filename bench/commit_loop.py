"""The write baseline: a loop of durable dulwich commits of the registry's change, with no HTTP.

Each commit is what one ``PUT /project/:id`` commits (the project's new schema plus the rewritten
``.registry.json``, the same message and trailers). Two loops write it:

- :func:`dulwich_commits_per_second`, the baseline of rows 2 and 3: what a plain dulwich program
  does for a durable commit. It reads the parent's tree from the store, sets two entries, adds
  the blobs, tree and commit as loose objects with ``fsync_object_files`` on, moves ``main`` with a
  compare-and-swap and fsyncs ``refs/heads`` (as the server does).
- :func:`store_commits_per_second`, for reference: ``repo_store``'s own writer, one commit per
  publish (a pack of its own), tree kept in memory, exactly as the server writes one commit.

Both leave out everything the server adds around the commit: HTTP, auth, JSON, schema validation,
and rendering the metadata with ``GroupMeta.dumps`` (here a pre-rendered join, see
:class:`bench.generate.MetaText`).
"""

from __future__ import annotations

import stat
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

from dulwich.objects import Blob, Commit, ObjectID, Tree
from dulwich.refs import Ref
from dulwich.repo import Repo

from bench.generate import AUTHOR, FORMAT, MetaText, schema_text
from registry.core.changes import COMMITTER, author_signature
from registry.core.history import Touch, commit_message
from registry.core.metadata import METADATA_FILE, GroupMeta, timestamp_text
from repo_store import GitRepository, WriterLocks, fsync_path

BRANCH = Ref(b"refs/heads/main")
Commit1 = Callable[[dict[str, bytes], str, int], None]


def _changes(text: MetaText, project_ids: list[str]) -> Iterator[tuple[dict[str, bytes], str, int]]:
    """Round robin over ``project_ids``: (files, message, time) of each successive commit."""
    count = 0
    meta = text.meta
    while True:
        now = int(time.time())
        project = replace(
            text.meta.projects[project_ids[count % len(project_ids)]], updated_at=timestamp_text(now)
        )
        text.put(project)
        message = commit_message(
            f"Update {project.name} ({FORMAT})",
            None,
            action="update",
            group_id=meta.id,
            group_name=meta.name,
            touch=Touch(project.id, "update", project.name, FORMAT),
        )
        files = {project.file: schema_text(count, f"loop{count}").encode(), METADATA_FILE: text.render()}
        yield files, message, now
        count += 1


def _loop(text: MetaText, project_ids: list[str], seconds: float, commit: Commit1) -> tuple[int, float]:
    start = time.perf_counter()
    for count, (files, message, now) in enumerate(_changes(text, project_ids)):
        if (elapsed := time.perf_counter() - start) >= seconds:
            return count, elapsed
        commit(files, message, now)
    raise AssertionError("unreachable")


def dulwich_commits_per_second(repo_path: Path, project_ids: list[str], seconds: float) -> tuple[int, float]:
    """Plain durable dulwich commits round robin over ``project_ids``; (commits, elapsed seconds)."""
    with Repo(str(repo_path)) as repo:
        store = repo.object_store
        store.fsync_object_files = True
        head = repo.refs[BRANCH]
        tip = repo[head]
        assert isinstance(tip, Commit)
        tree = repo[tip.tree]
        assert isinstance(tree, Tree)
        text = MetaText(GroupMeta.loads(repo[tree[METADATA_FILE.encode()][1]].as_raw_string()))
        author = author_signature(AUTHOR).encode()
        committer = COMMITTER.encode()

        def commit(files: dict[str, bytes], message: str, now: int) -> None:
            nonlocal head
            parent = repo[head]
            assert isinstance(parent, Commit)
            tree = repo[parent.tree]
            assert isinstance(tree, Tree)
            for name, content in files.items():
                blob = Blob.from_string(content)
                store.add_object(blob)
                tree.add(name.encode(), stat.S_IFREG | 0o644, blob.id)
            store.add_object(tree)
            new = Commit()
            new.tree, new.parents = tree.id, [head]
            new.author, new.committer = author, committer
            new.author_time = new.commit_time = now
            new.author_timezone = new.commit_timezone = 0
            new.encoding = b"UTF-8"
            new.message = message.encode()
            store.add_object(new)
            if not repo.refs.set_if_equals(BRANCH, head, new.id):
                raise RuntimeError("main moved under the commit loop")
            fsync_path(repo_path / "refs" / "heads")
            head = ObjectID(new.id)

        return _loop(text, project_ids, seconds, commit)


def store_commits_per_second(repo_path: Path, project_ids: list[str], seconds: float) -> tuple[int, float]:
    """The same commits through ``repo_store``'s writer, one per publish; (commits, elapsed seconds)."""
    repo = GitRepository(repo_path, WriterLocks())
    try:
        head = repo.head()
        assert head is not None
        text = MetaText(GroupMeta.loads(repo.read_blob(repo.tree_files(head)[METADATA_FILE])))
        tree = None

        def commit(files: dict[str, bytes], message: str, now: int) -> None:
            nonlocal head, tree
            with repo.writer() as writer:
                chain = writer.chain(head, tree)
                head = chain.add(
                    changes=files,
                    author=author_signature(AUTHOR),
                    committer=COMMITTER,
                    message=message,
                    timestamp=now,
                )
                writer.publish(chain)
                tree = chain.tree

        return _loop(text, project_ids, seconds, commit)
    finally:
        repo.close()
