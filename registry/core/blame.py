"""Blame: for each line of a project's text, the version that last changed it.

The project is followed by id through its history, so renames and format changes are followed
for as long as the lines stay the same: each version's text is read under the file name that
version gave it. A line keeps the version it came from while a line-by-line match
(:class:`difflib.SequenceMatcher`) finds it unchanged in the next version.

Blocking (one blob read per version of the project): call it from a worker thread.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from registry.core.history import Revision
from registry.core.metadata import file_name
from registry.core.timeline import Timeline


@dataclass(frozen=True)
class BlameLine:
    number: int
    text: str
    revision: Revision


@dataclass(frozen=True)
class Blame:
    version: str  # the version whose text is shown
    lines: list[BlameLine]


def blame(timeline: Timeline, project_id: str, at: str | None = None) -> Blame:
    group_id, history, indexes = timeline.project_changes(project_id, at)
    touches = [history.touch_of(index, project_id) for index in indexes]
    readable = [
        (history.revisions[index].version, file_name(touch.name, touch.format))
        for index, touch in zip(indexes, touches, strict=True)
        if touch.action != "delete"
    ]
    texts = iter(timeline.snapshots.texts_at(group_id, readable))
    lines: list[str] = []
    origins: list[Revision] = []
    previous: str | None = None
    for index, touch in zip(indexes, touches, strict=True):
        revision = history.revisions[index]
        text = next(texts) if touch.action != "delete" else None
        if text is not None and text == previous:  # a rename, or a restore of the same text
            continue
        previous = text
        new_lines = (text or "").splitlines()
        new_origins = [revision] * len(new_lines)
        matcher = difflib.SequenceMatcher(None, lines, new_lines, autojunk=False)
        for block in matcher.get_matching_blocks():
            new_origins[block.b : block.b + block.size] = origins[block.a : block.a + block.size]
        lines, origins = new_lines, new_origins
    version = history.revisions[indexes[-1]].version if indexes else ""
    return Blame(
        version,
        [BlameLine(n, text, rev) for n, (text, rev) in enumerate(zip(lines, origins, strict=True), 1)],
    )
