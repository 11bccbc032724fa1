"""What a webhook is owed: the events after its positions, group by group (blocking: a thread)."""

from __future__ import annotations

from registry.core.errors import InvalidInput, NotFound
from registry.core.events import Draft, EventFeed, group_of_event
from registry.core.webhooks import Webhook, covered

MAX_PLAN = 200  # events planned at once; the sender asks again when they are done


class PositionLost(Exception):
    """A webhook's position names an event its group no longer has (a history restored from an
    older backup): delivery stops, and the webhook is marked failing with this reason."""


def start_positions(feed: EventFeed, hook: Webhook) -> dict[str, str | None]:
    """Every covered live group at its last event: a new webhook gets what happens from now."""
    positions: dict[str, str | None] = {}
    for group_id in hook["groups"] or feed.live_group_ids():
        if covered(hook, group_id):
            try:
                positions[group_id] = feed.feed(group_id).last_id
            except NotFound:
                continue
    return positions


def _compact(created_at: str) -> str:
    return created_at.replace("-", "").replace(":", "")  # as deleted folders are stamped


def followed_groups(feed: EventFeed, hook: Webhook, positions: dict[str, str | None]) -> list[str]:
    """The groups to look at: those with a position, the covered live ones, and the covered ones
    deleted since the webhook was made (a group made and deleted between two looks)."""
    found = dict.fromkeys(positions)
    if hook["groups"]:
        found.update(dict.fromkeys(hook["groups"]))
    else:
        found.update(dict.fromkeys(feed.live_group_ids()))
        made = _compact(hook["created_at"])
        found.update(dict.fromkeys(g for g, stamp in feed.deleted_groups().items() if stamp >= made))
    return [group_id for group_id in found if covered(hook, group_id)]


def plan(feed: EventFeed, hook: Webhook, positions: dict[str, str | None]) -> list[Draft]:
    """The next events owed, oldest first within each group (at most ``MAX_PLAN``)."""
    out: list[Draft] = []
    for group_id in followed_groups(feed, hook, positions):
        try:
            group_feed = feed.feed(group_id)
        except NotFound:
            continue
        try:
            out.extend(group_feed.after(positions.get(group_id), limit=MAX_PLAN - len(out)))
        except InvalidInput as exc:
            raise PositionLost(exc.detail) from exc
        if len(out) >= MAX_PLAN:
            break
    return out


def find_event(feed: EventFeed, hook: Webhook, event_id: str) -> Draft | None:
    """The event ``event_id`` if the webhook covers its group and the group has it (blocking)."""
    group_id = group_of_event(event_id)
    if group_id is None or not covered(hook, group_id):
        return None
    try:
        group_feed = feed.feed(group_id)
    except NotFound:
        return None
    index = group_feed.index.get(event_id)
    return None if index is None else group_feed.events[index]
