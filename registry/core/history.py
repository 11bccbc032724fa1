"""The history of a group, read from commit messages alone (no tree diffs).

Every registry commit carries trailers naming its action and the project it touched, with the
project's name and format at that point; the commit the registry adds after a ``git push``
lists what each pushed commit did (``Pushed-Change``). So a group's history is one walk over
commit objects, cached per group and extended incrementally when the branch moves.
"""

from __future__ import annotations

import re
import threading
from bisect import bisect_right
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime

from registry.core.errors import InvalidInput, NotFound
from registry.core.names import taken_ignoring_case
from repo_store import CommitInfo, GitRepository

ACTION = "Registry-Action"
GROUP_ID = "Group-Id"
GROUP_NAME = "Group-Name"
PROJECT_ID = "Project-Id"
PROJECT_NAME = "Project-Name"
PROJECT_FORMAT = "Project-Format"
PROJECT_DIALECT = "Project-Dialect"
PUSHED_CHANGE = "Pushed-Change"
PUSH_ACTION = "push"
# One commit that changes several projects at once (POST /project-group/{group}/batch): a
# trailer per project, as Pushed-Change without the version (it is the commit's own).
BATCH_CHANGE = "Batch-Change"
BATCH_ACTION = "batch"


@dataclass(frozen=True)
class Touch:
    """What one commit did to one project, and the project's name and format after it."""

    project_id: str
    action: str  # create, update, rename, delete, restore
    name: str
    format: str
    dialect: str | None = None

    def pushed_line(self, version: str) -> str:
        return f"{version} {self.batch_line()}"

    def batch_line(self) -> str:
        words = [self.action, self.project_id, self.name, self.format]
        return " ".join([*words, self.dialect] if self.dialect else words)


@dataclass(frozen=True)
class Revision:
    """One commit of a group's first-parent history."""

    version: str
    author: str
    # When the registry took it in: the commit time of its own commits, and for pushed commits
    # (whose dates the pusher chose) the time of the commit that recorded the push.
    timestamp: int
    summary: str
    message: str | None
    action: str
    group_name: str | None
    touches: tuple[Touch, ...] = ()


def commit_message(
    summary: str,
    message: str | None,
    *,
    action: str,
    group_id: str,
    group_name: str,
    touch: Touch | None = None,
    pushed: tuple[tuple[str, Touch], ...] = (),
    batch: tuple[Touch, ...] = (),
    extra: tuple[tuple[str, str], ...] = (),
) -> str:
    trailers = [(ACTION, action), (GROUP_ID, group_id), (GROUP_NAME, group_name)]
    if touch is not None:
        trailers += [(PROJECT_ID, touch.project_id), (PROJECT_NAME, touch.name)]
        trailers.append((PROJECT_FORMAT, touch.format))
        if touch.dialect:
            trailers.append((PROJECT_DIALECT, touch.dialect))
    trailers += [(PUSHED_CHANGE, t.pushed_line(version)) for version, t in pushed]
    trailers += [(BATCH_CHANGE, t.batch_line()) for t in batch]
    trailers += extra
    parts = [summary]
    if message and message.strip():
        parts.append(message.strip())
    parts.append("\n".join(f"{k}: {v}" for k, v in trailers))
    return "\n\n".join(parts) + "\n"


def _user_message(info: CommitInfo) -> str | None:
    paragraphs = info.message.strip().split("\n\n")
    body = paragraphs[1:-1] if info.trailers else paragraphs[1:]
    return "\n\n".join(body) or None


def _parse_pushed(line: str) -> tuple[str, Touch] | None:
    version, _, rest = line.partition(" ")
    touch = _parse_batch(rest)
    return None if touch is None else (version, touch)


def _parse_batch(line: str) -> Touch | None:
    words = line.split(" ")
    if len(words) not in (4, 5):
        return None
    action, pid, name, fmt = words[:4]
    return Touch(pid, action, name, fmt, words[4] if len(words) == 5 else None)


@dataclass
class _Walk:
    """What a newest-first walk learned from the registry commits it passed: a push's record
    commit comes before (newer than) the pushed commits it describes."""

    pending: dict[str, list[Touch]] = field(default_factory=dict)  # pushed commit -> what it did
    recorded: int | None = None  # when the last record commit passed took its pushed commits in


def _revision(info: CommitInfo, walk: _Walk) -> Revision:
    action = info.trailer(ACTION)
    touches: tuple[Touch, ...] = ()
    recorded = info.timestamp
    if action is None:  # a commit that came in by git push; its registry commit said what it did
        action = PUSH_ACTION
        touches = tuple(walk.pending.pop(info.id, ()))
        recorded = walk.recorded if walk.recorded is not None else info.timestamp
    elif action == BATCH_ACTION:
        touches = tuple(t for t in map(_parse_batch, info.trailer_values(BATCH_CHANGE)) if t is not None)
    elif action == PUSH_ACTION:
        walk.recorded = info.timestamp
        for line in info.trailer_values(PUSHED_CHANGE):
            parsed = _parse_pushed(line)
            if parsed is not None:
                walk.pending.setdefault(parsed[0], []).append(parsed[1])
    else:
        pid, name, fmt = info.trailer(PROJECT_ID), info.trailer(PROJECT_NAME), info.trailer(PROJECT_FORMAT)
        if pid and name and fmt:
            touches = (Touch(pid, action, name, fmt, info.trailer(PROJECT_DIALECT)),)
    summary = info.message.strip().split("\n", 1)[0]
    return Revision(
        version=info.id,
        author=info.author_name,
        timestamp=recorded,
        summary=summary,
        message=_user_message(info),
        action=action,
        group_name=info.trailer(GROUP_NAME),
        touches=touches,
    )


@dataclass
class GroupHistory:
    """A group's revisions, oldest first, with indexes by commit and by project."""

    head: str
    revisions: list[Revision]
    position: dict[str, int] = field(default_factory=dict)
    by_project: dict[str, list[int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for index, revision in enumerate(self.revisions):
            self._index(index, revision)

    def _index(self, index: int, revision: Revision) -> None:
        self.position[revision.version] = index
        for touch in revision.touches:
            self.by_project.setdefault(touch.project_id, []).append(index)

    def extended(self, head: str, newer: list[Revision]) -> GroupHistory:
        """A copy with ``newer`` appended (readers of this one are never disturbed)."""
        copy = GroupHistory(head, list(self.revisions))
        copy.position = dict(self.position)
        copy.by_project = {pid: list(ix) for pid, ix in self.by_project.items()}
        for revision in newer:
            copy.revisions.append(revision)
            copy._index(len(copy.revisions) - 1, revision)
        return copy

    def touch_of(self, index: int, project_id: str) -> Touch:
        return next(t for t in self.revisions[index].touches if t.project_id == project_id)

    def project_indexes(self, project_id: str, *, upto: int | None = None) -> list[int]:
        """Positions of the revisions that touched a project, oldest first, up to ``upto``."""
        indexes = self.by_project.get(project_id, [])
        return indexes if upto is None else indexes[: bisect_right(indexes, upto)]

    def group_name_at(self, index: int) -> str | None:
        return next((r.group_name for r in reversed(self.revisions[: index + 1]) if r.group_name), None)

    def resolve(self, at: str, *, tags: dict[str, str]) -> int:
        """The position named by ``at``: a commit id or unambiguous prefix, a tag, or an RFC 3339 time."""
        lowered = at.lower()
        if lowered in self.position:  # a full id first: no tag may hide a version
            return self.position[lowered]
        tag = at if at in tags else taken_ignoring_case(at, tags)
        if tag is not None:  # names ignore case, tags too (a tag pushed before that rule: exact first)
            return self._position_of(tags[tag], at)
        if 4 <= len(lowered) <= 40 and all(c in "0123456789abcdef" for c in lowered):
            matches = [v for v in self.position if v.startswith(lowered)]
            if len(matches) == 1:
                return self.position[matches[0]]
            if len(matches) > 1:
                shown = ", ".join(sorted(matches)[:5]) + (", ..." if len(matches) > 5 else "")
                raise InvalidInput(f"version prefix {at!r} is ambiguous: {shown}")
            raise NotFound(f"no version {at!r} in this project group's history")
        seconds = parse_time(at)
        if seconds is None:
            raise InvalidInput(f"{at!r} is neither a version, a tag nor an RFC 3339 timestamp")
        # By when the registry took each commit in, never later than anything after it (pushed
        # dates and clocks can go back): the commits at or before a time are a prefix.
        latest, taken_in = -1, 0
        for index, revision in enumerate(self.revisions):
            taken_in = max(taken_in, revision.timestamp)
            if taken_in > seconds:
                break
            latest = index
        if latest < 0:
            raise NotFound(f"the project group did not exist yet at {at}")
        return latest

    def _position_of(self, version: str, name: str) -> int:
        if version not in self.position:
            raise NotFound(f"tag {name!r} names a commit outside the history of main")
        return self.position[version]


_RFC3339 = re.compile(r"(\d{4}-\d{2}-\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})")


def parse_time(text: str) -> int | None:
    """Seconds since the epoch for an RFC 3339 date-time (with seconds and a zone), else None.

    ``datetime.fromisoformat`` alone takes more (``16:39Z`` without seconds, ``09,5``) and less (a
    leap second, ``:60``, which is read here as the last moment of its minute).
    """
    match = _RFC3339.fullmatch(text)
    if match is None:
        return None
    date, hours, minutes, seconds, fraction, zone = match.groups()
    leap = seconds == "60"
    iso = f"{date}T{hours}:{minutes}:{'59' if leap else seconds}{fraction or ''}"
    try:
        moment = datetime.fromisoformat(iso + ("+00:00" if zone in "Zz" else zone))
    except ValueError:
        return None
    return int(moment.timestamp())


class Histories:
    """The cache of group histories, each rebuilt only from the commits it has not seen.

    Bounded by the number of revisions it holds (about 300 bytes each): past ``max_revisions``
    the least recently used groups' histories are dropped, to be read again from git if asked.
    """

    def __init__(self, max_revisions: int = 500_000) -> None:
        self._lock = threading.Lock()
        self._cache: OrderedDict[str, GroupHistory] = OrderedDict()
        self._building: dict[str, threading.Lock] = {}
        self._max_revisions = max_revisions

    def get(self, group_id: str, repo: GitRepository, head: str) -> GroupHistory:
        with self._lock:
            cached = self._cache.get(group_id)
            if cached is not None:
                self._cache.move_to_end(group_id)
            building = self._building.setdefault(group_id, threading.Lock())
        if cached is not None and cached.head == head:
            return cached
        with building:  # one walk per group at a time; the others then find it cached
            return self._build(group_id, repo, head)

    def _build(self, group_id: str, repo: GitRepository, head: str) -> GroupHistory:
        with self._lock:
            cached = self._cache.get(group_id)
        if cached is not None and cached.head == head:
            return cached
        stop = cached.head if cached is not None else None
        walk = _Walk()
        infos = list(repo.first_parent_log(head, stop))
        if cached is not None and infos and infos[-1].parents[:1] != (cached.head,):
            # The cached head is not an ancestor (a repository restored from backup): start over.
            cached, infos = None, list(repo.first_parent_log(head))
        newer = [_revision(info, walk) for info in infos]
        newer.reverse()
        history = cached.extended(head, newer) if cached is not None else GroupHistory(head, newer)
        with self._lock:
            self._cache[group_id] = history
            self._cache.move_to_end(group_id)
            held = sum(len(h.revisions) for h in self._cache.values())
            while held > self._max_revisions and len(self._cache) > 1:
                _, dropped = self._cache.popitem(last=False)
                held -= len(dropped.revisions)
        return history

    def cached_groups(self) -> list[str]:
        with self._lock:
            return list(self._cache)

    def forget(self, group_id: str) -> None:
        with self._lock:
            self._cache.pop(group_id, None)
