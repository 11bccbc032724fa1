"""Change events from the git history: every change a group's ``main`` records, as CloudEvents.

There is no outbox. A group's events are a pure function of its first-parent history and its
tags: one event per project a commit changes (in the order the commit lists them), one per
group change, one per tag. An event's id names where it comes from (group, commit, project or
tag), so it is the same on every retry and replay, and a subscriber's position in a group is
simply the id of the last event it got. Nothing is written to deliver an event; nothing can be
lost between a commit and its event.

Tags are not on ``main``: a tag's event is placed after the last commit the registry had taken
in by the tag's time (a tag without one goes right after its target). Times are seconds, so a
commit made in the same second just after a tag would sort before it; a tag's event therefore
appears only once its second has settled (``TAG_SETTLE_SECONDS``), so that nothing is ever
inserted before an event a subscriber already has. See docs/events.md for the shapes and the
guarantees.
"""

from __future__ import annotations

import threading
import time
from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, TypedDict

from registry.core.errors import InvalidInput, NotFound
from registry.core.history import GroupHistory, Histories, Revision, Touch
from registry.core.metadata import timestamp_text
from registry.core.names import GROUP_ID_RE
from registry.core.snapshots import Snapshots
from repo_store import GitRepository, RepositoryNotFound, StoreError, TagInfo

TYPE_PREFIX = "dev.schema-registry."
EventType = Literal[
    "dev.schema-registry.project.created",
    "dev.schema-registry.project.updated",
    "dev.schema-registry.project.renamed",
    "dev.schema-registry.project.deleted",
    "dev.schema-registry.project.restored",
    "dev.schema-registry.group.created",
    "dev.schema-registry.group.renamed",
    "dev.schema-registry.group.deleted",
    "dev.schema-registry.group.config",
    "dev.schema-registry.tag.created",
]
EVENT_TYPES: tuple[str, ...] = EventType.__args__  # type: ignore[attr-defined]
GROUP_DELETED: EventType = "dev.schema-registry.group.deleted"
TAG_SETTLE_SECONDS = 3  # longer than a batch takes from its timestamp to its publication

_PROJECT_ACTIONS = {
    "create": "created",
    "update": "updated",
    "rename": "renamed",
    "delete": "deleted",
    "restore": "restored",
}
# Commit actions of group changes. The compatibility feature records its level changes as
# "config-group" commits; until it lands no commit has that action.
_GROUP_ACTIONS = {
    "create-group": "created",
    "rename-group": "renamed",
    "delete-group": "deleted",
    "config-group": "config",
}


class EventData(TypedDict):
    group_id: str
    group_name: str | None
    project_id: str | None
    project_name: str | None
    action: str
    version: str
    previous_version: str | None
    format: str | None
    author: str | None
    message: str | None
    change_summary: object | None  # filled once the compatibility feature gives one
    url: str


class CloudEvent(TypedDict):
    specversion: str
    id: str
    source: str
    type: str
    subject: str
    time: str
    datacontenttype: str
    data: EventData


@dataclass(frozen=True)
class Draft:
    """An event without the public base URL (known only to whoever sends it)."""

    id: str
    type: str
    subject: str
    time: int
    group_id: str
    group_name: str | None
    project_id: str | None
    project_name: str | None
    action: str
    version: str
    previous_version: str | None
    format: str | None
    author: str | None
    message: str | None
    path: str  # the API path of that version, below the base URL

    def render(self, base_url: str) -> CloudEvent:
        base = base_url.rstrip("/")
        data: EventData = {
            "group_id": self.group_id,
            "group_name": self.group_name,
            "project_id": self.project_id,
            "project_name": self.project_name,
            "action": self.action,
            "version": self.version,
            "previous_version": self.previous_version,
            "format": self.format,
            "author": self.author,
            "message": self.message,
            "change_summary": None,
            "url": base + self.path,
        }
        return {
            "specversion": "1.0",
            "id": self.id,
            "source": f"{base}/project-group/{self.group_id}",
            "type": self.type,
            "subject": self.subject,
            "time": timestamp_text(self.time),
            "datacontenttype": "application/json",
            "data": data,
        }


def group_of_event(event_id: str) -> str | None:
    """The group an event id belongs to, or None if it is not one of ours."""
    group_id = event_id.partition(":")[0]
    return group_id if GROUP_ID_RE.fullmatch(group_id) else None


@dataclass(frozen=True)
class GroupFeed:
    """A group's events, oldest first, as of one head and one set of tags."""

    group_id: str
    head: str
    tags: tuple[tuple[str, str], ...]  # (name, target): what the feed was built from
    events: tuple[Draft, ...]
    index: dict[str, int]
    deleted: bool  # the group is gone: no event follows the last
    state: _Pass = field(default_factory=lambda: _Pass())  # where the walk stopped, to go on from
    latest_tag_time: int = 0  # the newest tag time placed (a later commit cannot move a tag)

    @property
    def last_id(self) -> str | None:
        return self.events[-1].id if self.events else None

    def after(self, position: str | None, *, limit: int | None = None) -> Sequence[Draft]:
        """The events after the one ``position`` names (None: from the first).

        :class:`InvalidInput` if the group never had that event (a made-up id, or one from a
        history that was replaced by a restore)."""
        start = 0
        if position is not None:
            found = self.index.get(position)
            if found is None:
                raise InvalidInput(f"event {position!r} is not in the history of group {self.group_id}")
            start = found + 1
        end = len(self.events) if limit is None else min(len(self.events), start + limit)
        return self.events[start:end]


@dataclass
class _Pass:
    """What one walk over a history knows so far: the group's name, each project's version."""

    group_name: str | None = None
    previous_commit: str | None = None
    project_versions: dict[str, str] = field(default_factory=dict)


def _revision_drafts(group_id: str, revision: Revision, state: _Pass) -> list[Draft]:
    if revision.group_name:
        state.group_name = revision.group_name
    previous, state.previous_commit = state.previous_commit, revision.version
    if revision.action in _GROUP_ACTIONS:
        action = _GROUP_ACTIONS[revision.action]
        return [
            Draft(
                id=f"{group_id}:{revision.version}",
                type=f"{TYPE_PREFIX}group.{action}",
                subject=group_id,
                time=revision.timestamp,
                group_id=group_id,
                group_name=state.group_name,
                project_id=None,
                project_name=None,
                action=action,
                version=revision.version,
                previous_version=previous,
                format=None,
                author=revision.author,
                message=revision.message,
                path=f"/project-group/{group_id}?at={revision.version}",
            )
        ]
    return [_project_draft(group_id, revision, touch, state) for touch in revision.touches]


def _project_draft(group_id: str, revision: Revision, touch: Touch, state: _Pass) -> Draft:
    action = _PROJECT_ACTIONS.get(touch.action, touch.action)
    previous = state.project_versions.get(touch.project_id)
    state.project_versions[touch.project_id] = revision.version
    return Draft(
        id=f"{group_id}:{revision.version}:{touch.project_id}",
        type=f"{TYPE_PREFIX}project.{action}",
        subject=touch.project_id,
        time=revision.timestamp,
        group_id=group_id,
        group_name=state.group_name,
        project_id=touch.project_id,
        project_name=touch.name,
        action=action,
        version=revision.version,
        previous_version=previous,
        format=touch.format,
        author=revision.author,
        message=revision.message,
        path=f"/project/{touch.project_id}/versions/{revision.version}",
    )


def _tag_draft(group_id: str, history: GroupHistory, tag: TagInfo, group_name: str | None) -> Draft:
    target_index = history.position[tag.target]
    return Draft(
        id=f"{group_id}:tag:{tag.name}",
        type=f"{TYPE_PREFIX}tag.created",
        subject=group_id,
        time=tag.timestamp if tag.timestamp is not None else history.revisions[target_index].timestamp,
        group_id=group_id,
        group_name=group_name,
        project_id=None,
        project_name=None,
        action="created",
        version=tag.target,
        previous_version=None,
        format=None,
        author=tag.tagger,
        message=tag.message,
        path=f"/project-group/{group_id}?at={tag.name}",
    )


def _tag_places(history: GroupHistory, tags: Iterable[TagInfo]) -> dict[int, list[TagInfo]]:
    """Where each tag's event goes: after the last revision taken in by the tag's time, never
    before its target. Tags naming a commit outside ``main``'s history have no event."""
    taken_in: list[int] = []
    latest = 0
    for revision in history.revisions:  # running maximum: clocks and pushed dates can go back
        latest = max(latest, revision.timestamp)
        taken_in.append(latest)
    places: dict[int, list[TagInfo]] = {}
    for tag in tags:
        target = history.position.get(tag.target)
        if target is None:
            continue
        at = target if tag.timestamp is None else max(target, bisect_right(taken_in, tag.timestamp) - 1)
        places.setdefault(at, []).append(tag)
    for placed in places.values():
        placed.sort(key=lambda t: (t.timestamp or 0, t.name))
    return places


def build_feed(group_id: str, history: GroupHistory, tags: Sequence[TagInfo], *, deleted: bool) -> GroupFeed:
    places = _tag_places(history, tags)
    drafts: list[Draft] = []
    state = _Pass()
    for index, revision in enumerate(history.revisions):
        drafts.extend(_revision_drafts(group_id, revision, state))
        drafts.extend(_tag_draft(group_id, history, tag, state.group_name) for tag in places.get(index, ()))
    return GroupFeed(
        group_id=group_id,
        head=history.head,
        tags=tuple(sorted((t.name, t.target) for t in tags)),
        events=tuple(drafts),
        index={draft.id: i for i, draft in enumerate(drafts)},
        deleted=deleted,
        state=state,
        latest_tag_time=max((t.timestamp or 0 for t in tags), default=0),
    )


def extended_feed(feed: GroupFeed, history: GroupHistory) -> GroupFeed | None:
    """``feed`` with the revisions after its head appended: the same result as :func:`build_feed`
    at a fraction of the cost (a commit to a group of 10,000 events must not rebuild them all).
    None when that would not be the same: the old head left the history, or a new commit's
    time is not past every tag's (it could then come before a tag)."""
    start = history.position.get(feed.head)
    if start is None or feed.deleted:
        return None
    newer = history.revisions[start + 1 :]
    if any(revision.timestamp <= feed.latest_tag_time for revision in newer):
        return None
    state = _Pass(feed.state.group_name, feed.state.previous_commit, dict(feed.state.project_versions))
    drafts = [draft for revision in newer for draft in _revision_drafts(feed.group_id, revision, state)]
    index = dict(feed.index)
    for offset, draft in enumerate(drafts, start=len(feed.events)):
        index[draft.id] = offset
    return GroupFeed(
        group_id=feed.group_id,
        head=history.head,
        tags=feed.tags,
        events=feed.events + tuple(drafts),
        index=index,
        deleted=False,
        state=state,
        latest_tag_time=feed.latest_tag_time,
    )


class EventFeed:
    """Every group's events, live or deleted, built from the cached histories (blocking: call
    from a worker thread). Feeds are cached by head and tags, so an unchanged group costs one
    ref read and one tag listing."""

    def __init__(
        self, snapshots: Snapshots, deleted_dir: Path, clock: Callable[[], float] = time.time
    ) -> None:
        self.snapshots = snapshots
        self.clock = clock
        self.deleted_dir = deleted_dir
        self._lock = threading.Lock()
        self._feeds: dict[str, GroupFeed] = {}
        self._checked: dict[str, bytes] = {}  # group id -> beacon value its cached feed is good for
        self._unsettled: dict[str, bool] = {}  # group id -> some tag was left out as too new
        self._deleted_histories = Histories(max_revisions=100_000)

    def live_group_ids(self) -> list[str]:
        return self.snapshots.group_ids()

    def deleted_groups(self) -> dict[str, str]:
        """Deleted group id -> when it was deleted (``YYYYMMDDTHHMMSSZ``, from its folder name)."""
        found: dict[str, str] = {}
        for path in sorted(self.deleted_dir.glob("_g*-*.git")):
            group_id, _, stamp = path.name.removesuffix(".git").partition("-")
            if GROUP_ID_RE.fullmatch(group_id):
                found[group_id] = max(stamp, found.get(group_id, ""))
        return found

    def feed(self, group_id: str) -> GroupFeed:
        """The group's events up to now; a deleted group's end with its delete."""
        if not GROUP_ID_RE.fullmatch(group_id):
            raise NotFound(f"no project group with id {group_id!r}")
        beacon = self.snapshots.beacon.value()  # before any read: a change after it moves it
        with self._lock:
            cached = self._feeds.get(group_id)
            checked = self._checked.get(group_id)
        if cached is not None and (cached.deleted or checked == beacon):
            return cached  # nothing changed anywhere since it was read: memory only
        try:
            feed = self._live_feed(group_id, cached)
        except NotFound:
            return self._deleted_feed(group_id)
        with self._lock:
            if self._feeds.get(group_id) is feed and not self._unsettled.get(group_id):
                self._checked[group_id] = beacon
        return feed

    def _live_feed(self, group_id: str, cached: GroupFeed | None) -> GroupFeed:
        history = self.snapshots.history(group_id)
        repo = self.snapshots.open(group_id)
        try:
            tags = list(repo.tags().values())
        finally:
            repo.close()
        settled = self.clock() - TAG_SETTLE_SECONDS
        ready = [t for t in tags if t.timestamp is None or t.timestamp < settled]
        with self._lock:  # a tag still settling must be looked at again, change or not
            self._unsettled[group_id] = len(ready) < len(tags)
        return self._remember(group_id, history, ready, cached, deleted=False)

    def _deleted_feed(self, group_id: str) -> GroupFeed:
        folders = sorted(self.deleted_dir.glob(f"{group_id}-*.git"))
        if not folders:
            raise NotFound(f"no project group with id {group_id!r}")
        try:
            repo = GitRepository(folders[-1], self.snapshots.locks)
        except RepositoryNotFound as exc:
            raise NotFound(f"no project group with id {group_id!r}") from exc
        try:
            head = repo.head()
            if head is None:
                raise NotFound(f"no project group with id {group_id!r}")
            history = self._deleted_histories.get(group_id, repo, head)
            tags = list(repo.tags().values())
        except StoreError as exc:
            raise NotFound(f"project group {group_id!r} cannot be read: {exc}") from exc
        finally:
            repo.close()
        return self._remember(group_id, history, tags, None, deleted=True)

    def _remember(
        self,
        group_id: str,
        history: GroupHistory,
        tags: list[TagInfo],
        cached: GroupFeed | None,
        *,
        deleted: bool,
    ) -> GroupFeed:
        key = tuple(sorted((t.name, t.target) for t in tags))
        if cached is not None and cached.head == history.head and cached.tags == key:
            return cached
        feed = None
        if cached is not None and cached.tags == key and not deleted:
            feed = extended_feed(cached, history)
        if feed is None:
            feed = build_feed(group_id, history, tags, deleted=deleted)
        with self._lock:
            self._feeds[group_id] = feed
            self._checked.pop(group_id, None)
            if len(self._feeds) > 4096:  # a cache: drop the oldest entry, it is rebuilt if asked
                dropped = next(iter(self._feeds))
                self._feeds.pop(dropped)
                self._checked.pop(dropped, None)
        return feed
