"""Stream cursors: where a client of ``GET /events`` is in each group it follows.

One group's position is the id of the last event it got. A stream of one group uses that id as
its SSE ``id:``; a stream of several groups sends a cursor holding every group's position, so a
resume (``Last-Event-ID`` or ``?since=``) misses nothing in any group:

    c1.<base64url, no padding, of the JSON object {"<group id>": "<last event id or empty>"}>

An empty position means "before the group's first event". The form is documented in
docs/events.md; clients treat it as opaque.
"""

from __future__ import annotations

import base64
import binascii
import json

from registry.core.errors import InvalidInput
from registry.core.events import group_of_event
from registry.core.names import GROUP_ID_RE

CURSOR_PREFIX = "c1."
MAX_CURSOR_CHARS = 1 << 20  # a megabyte of positions is thousands of groups


def encode_cursor(positions: dict[str, str | None]) -> str:
    doc = {group_id: position or "" for group_id, position in sorted(positions.items())}
    raw = json.dumps(doc, separators=(",", ":")).encode()
    return CURSOR_PREFIX + base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_since(since: str) -> dict[str, str | None]:
    """Group id -> position, from a cursor or a single event id; :class:`InvalidInput` if it is
    neither."""
    if len(since) > MAX_CURSOR_CHARS:
        raise InvalidInput("since is too long to be a cursor")
    if not since.startswith(CURSOR_PREFIX):
        group_id = group_of_event(since)
        if group_id is None:
            raise InvalidInput(f"since {since[:100]!r} is neither an event id nor a cursor")
        return {group_id: since}
    body = since.removeprefix(CURSOR_PREFIX)
    try:
        doc = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    except (binascii.Error, ValueError) as exc:
        raise InvalidInput("since is not a valid cursor") from exc
    if not isinstance(doc, dict):
        raise InvalidInput("since is not a valid cursor")
    positions: dict[str, str | None] = {}
    for group_id, position in doc.items():
        if not GROUP_ID_RE.fullmatch(group_id) or not isinstance(position, str):
            raise InvalidInput("since is not a valid cursor")
        if position and group_of_event(position) != group_id:
            raise InvalidInput("since is not a valid cursor")
        positions[group_id] = position or None
    return positions
