"""What one event stream follows: a set of groups and a position in each (blocking: a thread).

A stream names its groups (fixed), or follows every group its key may see, including groups
made while it runs (they start at their first event). Each step returns the events after the
positions, with the SSE id to send with each (see :mod:`registry.core.event_cursor`).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

from registry.core.errors import Forbidden, InvalidInput, NotFound
from registry.core.event_cursor import decode_since, encode_cursor
from registry.core.events import EVENT_TYPES, GROUP_DELETED, TYPE_PREFIX, Draft, EventFeed
from registry.core.keys import ApiKey

MAX_STEP = 500  # events per step: a long replay goes in slices, never one huge read


def parse_types(values: Collection[str]) -> frozenset[str] | None:
    """The event types a ``types`` filter names (full, or without ``dev.schema-registry.``)."""
    names = [name.strip() for value in values for name in value.split(",") if name.strip()]
    if not names:
        return None
    chosen = set()
    for name in names:
        full = name if name.startswith(TYPE_PREFIX) else TYPE_PREFIX + name
        if full not in EVENT_TYPES:
            raise InvalidInput(f"unknown event type {name!r}; known: {', '.join(EVENT_TYPES)}")
        chosen.add(full)
    return frozenset(chosen)


@dataclass
class Sent:
    draft: Draft
    sse_id: str


@dataclass
class Following:
    feed: EventFeed
    key: ApiKey
    fixed: bool  # the groups were named: no others join
    positions: dict[str, str | None] = field(default_factory=dict)
    types: frozenset[str] | None = None
    single: bool = False  # one named group: SSE ids are event ids, not cursors
    ended: bool = False  # a followed group was deleted and this is a one-group stream

    @classmethod
    def start(
        cls,
        feed: EventFeed,
        key: ApiKey,
        group_ids: list[str] | None,
        since: str | None,
        types: frozenset[str] | None,
    ) -> Following:
        """Start at ``since`` (a cursor or an event id), else at the end of each group."""
        fixed = group_ids is not None
        follow = cls(feed, key, fixed, types=types, single=fixed and len(group_ids or ()) == 1)
        given = decode_since(since) if since is not None else None
        if given is not None:
            for group_id in given:
                if not key.covers(group_id):
                    raise Forbidden(f"key {key.name!r} does not cover project group {group_id}")
        ids = group_ids if group_ids is not None else follow._visible_live()
        if given is not None and group_ids is not None:
            strays = sorted(set(given) - set(group_ids))
            if strays:
                raise InvalidInput(f"since names group {strays[0]}, which this stream does not follow")
        for group_id in ids:
            if given is None:
                follow.positions[group_id] = feed.feed(group_id).last_id
            else:
                follow.positions[group_id] = given.get(group_id)
        if given is not None and not fixed:  # deleted since the cursor: still owe their last events
            for group_id, position in given.items():
                follow.positions.setdefault(group_id, position)
        for group_id, position in follow.positions.items():
            follow._check(group_id, position)
        return follow

    def _visible_live(self) -> list[str]:
        return [g for g in self.feed.live_group_ids() if self.key.covers(g)]

    def _check(self, group_id: str, position: str | None) -> None:
        try:
            self.feed.feed(group_id).after(position, limit=0)
        except NotFound:
            raise InvalidInput(f"since names project group {group_id}, which never existed") from None

    def step(self) -> list[Sent]:
        """The events after every position, oldest first per group, with the ids to send."""
        if not self.fixed:
            for group_id in self._visible_live():
                self.positions.setdefault(group_id, None)  # made meanwhile: from its first event
        out: list[Sent] = []
        for group_id in list(self.positions):
            try:
                feed = self.feed.feed(group_id)
            except NotFound:  # a deleted group whose folder went away: nothing more can come
                self.positions.pop(group_id)
                continue
            for draft in feed.after(self.positions[group_id], limit=MAX_STEP - len(out)):
                self.positions[group_id] = draft.id
                if self.types is None or draft.type in self.types:
                    out.append(Sent(draft, draft.id if self.single else encode_cursor(self.positions)))
            if feed.deleted and self.positions[group_id] == feed.last_id:
                if self.single:
                    self.ended = True
                elif out and out[-1].draft.type == GROUP_DELETED and out[-1].draft.group_id == group_id:
                    self.positions.pop(group_id)
                    out[-1].sse_id = encode_cursor(self.positions)
                else:
                    self.positions.pop(group_id)
            if len(out) >= MAX_STEP:
                break
        return out
