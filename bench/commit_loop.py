"""The write baseline: a loop of durable commits of the registry's change, with no HTTP.

Each commit is what one ``PUT /project/:id`` commits (the project's new schema plus the rewritten
``.registry.json``, the same message and trailers), written by ``repo_store``'s own writer with
objects fsynced, exactly as the server writes. What the loop leaves out is everything the server
adds around the commit: HTTP, auth, JSON, schema validation, re-reading the group, and rendering
the metadata with ``GroupMeta.dumps`` (here a pre-rendered join, see :class:`bench.generate.MetaText`).
"""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

from bench.generate import AUTHOR, FORMAT, MetaText, schema_text
from registry.changes import COMMITTER, author_signature
from registry.history import Touch, commit_message
from registry.metadata import METADATA_FILE, GroupMeta, timestamp_text
from repo_store import GitRepository, WriterLocks


def durable_commits_per_second(repo_path: Path, project_ids: list[str], seconds: float) -> tuple[int, float]:
    """Commit round robin over ``project_ids`` for about ``seconds``; (commits, elapsed seconds)."""
    repo = GitRepository(repo_path, WriterLocks())
    try:
        head = repo.head()
        assert head is not None
        meta = GroupMeta.loads(repo.read_blob(repo.tree_files(head)[METADATA_FILE]))
        text = MetaText(meta)
        count = 0
        start = time.perf_counter()
        while (elapsed := time.perf_counter() - start) < seconds:
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
            changes = {
                project.file: schema_text(count, f"loop{count}").encode(),
                METADATA_FILE: text.render(),
            }
            with repo.writer() as writer:
                head = writer.commit(
                    parent=head,
                    changes=changes,
                    author=author_signature(AUTHOR),
                    committer=COMMITTER,
                    message=message,
                    timestamp=now,
                )
            count += 1
        return count, elapsed
    finally:
        repo.close()
