"""The group index: names by head, kept in DATA/group-index.json, never trusted past a head move."""

from __future__ import annotations

import json
from pathlib import Path

from registry.core.catalog import Catalog
from registry.core.layout import GROUP_INDEX_FILE as INDEX_FILE


def _names(catalog: Catalog) -> list[str]:
    return [s.name for s in catalog.list_groups()]


def test_listing_writes_the_index_and_a_restart_reads_it(tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = Catalog(data)
    alpha = first.create_group("alpha", author="admin")
    first.create_group("Beta", author="admin")
    assert _names(first) == ["alpha", "Beta"]
    stored = json.loads((data / INDEX_FILE).read_text())["groups"]
    assert stored[alpha.meta.id] == ["alpha", alpha.meta.created_at, alpha.version]
    # A new process trusts an entry whose head still matches (here: a planted name proves it).
    stored[alpha.meta.id][0] = "from-the-index"
    (data / INDEX_FILE).write_text(json.dumps({"groups": stored}))
    assert _names(Catalog(data)) == ["Beta", "from-the-index"]


def test_an_entry_whose_head_moved_is_read_again(tmp_path: Path) -> None:
    data = tmp_path / "data"
    one, other = Catalog(data), Catalog(data)  # two processes on one folder
    group = one.create_group("old-name", author="admin")
    assert _names(one) == ["old-name"]
    other.rename_group(group.meta.id, "new-name", author="admin")
    assert _names(one) == ["new-name"]
    assert one.group("new-name").meta.id == group.meta.id
    assert json.loads((data / INDEX_FILE).read_text())["groups"][group.meta.id][0] == "new-name"


def test_deleted_and_half_made_groups_are_left_out(tmp_path: Path) -> None:
    data = tmp_path / "data"
    catalog = Catalog(data)
    gone = catalog.create_group("gone", author="admin")
    catalog.create_group("kept", author="admin")
    assert _names(catalog) == ["gone", "kept"]
    Catalog(data).delete_group(gone.meta.id, author="admin")
    (data / "groups" / "_gzzzzzzzzzzzzzzz.git" / "objects").mkdir(parents=True)  # no ref yet
    assert _names(catalog) == ["kept"]
    assert gone.meta.id not in json.loads((data / INDEX_FILE).read_text())["groups"]


def test_a_broken_index_is_rebuilt(tmp_path: Path) -> None:
    data = tmp_path / "data"
    Catalog(data).create_group("alpha", author="admin")
    for broken in ("{not json", '{"groups": {"_gx": [1, 2, 3]}}', '{"groups": []}', "[]"):
        (data / INDEX_FILE).write_text(broken)
        assert _names(Catalog(data)) == ["alpha"]
        assert next(iter(json.loads((data / INDEX_FILE).read_text())["groups"].values()))[0] == "alpha"
