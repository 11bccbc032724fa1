"""The event feed over real repositories: one pass, extended incrementally, the same either way."""

from __future__ import annotations

from pathlib import Path

import pytest

from registry.core.catalog import Catalog
from registry.core.errors import InvalidInput
from registry.core.event_cursor import decode_since, encode_cursor
from registry.core.events import EventFeed, build_feed

V1 = "user:\n  name: string\n"


def test_an_extended_feed_equals_one_built_from_scratch(tmp_path: Path) -> None:
    catalog = Catalog(tmp_path)
    gid = catalog.create_group("g", author="a").meta.id
    feed = EventFeed(catalog.snapshots, catalog.deleted_dir, clock=lambda: 4e9)  # every tag settled
    pid = catalog.create_project(gid, "p", data=V1, author="a").id
    first = feed.feed(gid)
    catalog.update_project(pid, data=V1 + "# 2\n", author="b", message="why")
    catalog.rename_group(gid, "h", author="a")
    catalog.rename_project(pid, "q", author="a")
    later = feed.feed(gid)
    assert later.events[: len(first.events)] == first.events
    history = catalog.snapshots.history(gid)
    assert later == build_feed(gid, history, [], deleted=False)
    kinds = [(e.type.rsplit(".", 2)[-2:], e.group_name, e.project_name) for e in later.events]
    assert kinds == [
        (["group", "created"], "g", None),
        (["project", "created"], "g", "p"),
        (["project", "updated"], "g", "p"),
        (["group", "renamed"], "h", None),
        (["project", "renamed"], "h", "q"),
    ]
    assert later.events[2].previous_version == later.events[1].version
    assert later.events[4].previous_version == later.events[2].version
    assert later.events[2].message == "why"


def test_a_deleted_groups_feed_ends_with_its_delete(tmp_path: Path) -> None:
    catalog = Catalog(tmp_path)
    gid = catalog.create_group("g", author="a").meta.id
    feed = EventFeed(catalog.snapshots, catalog.deleted_dir)
    live = feed.feed(gid)
    catalog.delete_group(gid, author="a")
    gone = feed.feed(gid)
    assert gone.deleted
    assert gone.events[0] == live.events[0]
    assert gone.events[-1].type.endswith("group.deleted")
    assert list(feed.deleted_groups()) == [gid]
    assert gone.after(live.last_id) == gone.events[1:]
    with pytest.raises(InvalidInput):
        gone.after(f"{gid}:{'0' * 40}")


def test_cursors_round_trip_and_refuse_what_is_not_one() -> None:
    positions: dict[str, str | None] = {
        "_g" + "a" * 16: "_g" + "a" * 16 + ":" + "0" * 40,
        "_g" + "b" * 16: None,
    }
    assert decode_since(encode_cursor(positions)) == positions
    for bad in (
        "c1.",
        "c1.!!!",
        "c1.WzFd",
        "_gzz:1",
        "hello",
        encode_cursor({"_g" + "a" * 16: "_g" + "b" * 16 + ":x"}),
    ):
        with pytest.raises(InvalidInput):
            decode_since(bad)
