"""Operator subcommands: ``check``, ``maintain``, ``backup``, ``restore`` and ``groups deleted|undelete``.

Kept apart from :mod:`registry.ops.cli`, which adds them to its parser and hands them over.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import TextIO

from registry.core.catalog import Catalog
from registry.core.config import env_default
from registry.core.errors import NotFound
from registry.core.keys import KeyStore
from registry.core.layout import ADMIN_KEY_FILE
from registry.ops.backup import backup, restore
from registry.ops.maintenance import check_data_dir, deleted_groups, require_data_folder, undelete_group
from registry.ops.repacking import maintain

COMMANDS = frozenset({"check", "maintain", "backup", "restore", "groups"})


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    check = commands.add_parser("check", help="verify every repository and the registry's metadata")
    check.add_argument("--json", action="store_true", help="one JSON document instead of lines")
    maintain_cmd = commands.add_parser(
        "maintain", help="fully repack every group's repository (safe while serving)"
    )
    maintain_cmd.add_argument(
        "--group", action="append", dest="groups", help="only this group, by id or name (repeatable)"
    )
    save = commands.add_parser("backup", help="write a git bundle per group and the keys to a folder")
    save.add_argument("--out", required=True, type=Path, help="a new or empty folder")
    load = commands.add_parser("restore", help="restore a backup into a data folder without groups")
    load.add_argument("--from", dest="source", required=True, type=Path, help="a folder made by backup")
    groups = commands.add_parser("groups", help="deleted project groups").add_subparsers(
        dest="groups_command", required=True
    )
    listing = groups.add_parser("deleted", help="list deleted groups still on disk")
    listing.add_argument("--json", action="store_true", help="one JSON document instead of a table")
    undelete = groups.add_parser("undelete", help="bring a deleted group back (by id or folder)")
    undelete.add_argument("group", help="the group id, or its folder under deleted-groups/")
    for sub in (check, maintain_cmd, save, load, listing, undelete):
        sub.add_argument("--data-dir", help="data folder (REGISTRY_DATA_DIR, default ./data)")


def run(args: argparse.Namespace, out: TextIO) -> int:
    data_dir = Path(args.data_dir or env_default(os.environ, "DATA_DIR", "data"))
    if args.command == "check":
        return _check(data_dir, out, as_json=args.json)
    if args.command in ("maintain", "groups"):
        require_data_folder(data_dir)
    if args.command == "maintain":
        return _maintain(data_dir, args.groups, out)
    if args.command == "backup":
        report = backup(data_dir, args.out)
        print(
            f"Backed up {report.groups} group(s) and {report.deleted_groups} deleted group(s) to {args.out}",
            file=out,
        )
        return 0
    if args.command == "restore":
        report = restore(args.source, data_dir)
        print(
            f"Restored {report.groups} group(s) and {report.deleted_groups} deleted group(s) into {data_dir}",
            file=out,
        )
        if report.keys:
            print("The keys of the backup replaced the data folder's keys.", file=out)
            _drop_stale_admin_key(data_dir, out)
        return 0
    if args.groups_command == "deleted":
        found = deleted_groups(data_dir)
        if args.json:
            print(json.dumps([g.to_json() for g in found], indent=2), file=out)
        for g in [] if args.json else found:
            print(f"{g.id}\t{g.name}\t{g.deleted_at}\t{g.projects} project(s)\t{g.folder}", file=out)
        return 0
    group = undelete_group(data_dir, args.group)
    print(f"Undeleted project group {group.name!r} ({group.id})", file=out)
    return 0


def _drop_stale_admin_key(data_dir: Path, out: TextIO) -> None:
    """The first-start key file of the folder restored into holds a key the backup's keys do not
    have: it would only mislead (every request with it is 401)."""
    admin_file = data_dir / ADMIN_KEY_FILE
    if admin_file.exists() and KeyStore(data_dir).first_start_key() is None:
        admin_file.unlink(missing_ok=True)
        print(f"Removed {admin_file}: its key is not among the backup's keys", file=out)


def _check(data_dir: Path, out: TextIO, *, as_json: bool) -> int:
    report = check_data_dir(data_dir)
    if as_json:
        print(json.dumps(report.to_json(), indent=2), file=out)
    else:
        for finding in report.findings:
            print(f"{finding.severity}: {finding.where}: {finding.message}", file=out)
        fsck = "" if report.git_fsck else " (git not installed: objects not verified one by one)"
        verdict = "OK" if report.ok else "PROBLEMS FOUND"
        print(f"{verdict}: checked {report.repositories} repositories{fsck}", file=out)
    return 0 if report.ok else 1


def _maintain(data_dir: Path, names: list[str] | None, out: TextIO) -> int:
    groups = None
    if names is not None:
        catalog = Catalog(data_dir)  # once: it lays out folders and reads the group index
        groups = [_group_id(catalog, name) for name in names]
    done: set[str] = set()
    failed = 0
    for r in maintain(data_dir, groups):
        done.add(r.group_id)
        if r.error is not None:
            failed += 1
            print(f"error: {r.group_id}: not repacked: {r.error}", file=out)
            continue
        sizes = f"{r.bytes_before:,} -> {r.bytes_after:,} bytes"
        print(f"{r.group_id}\t{r.packs_before} pack(s)\t{sizes}", file=out)
    print(f"Repacked {len(done) - failed} repositories", file=out)
    missing = sorted(set(groups or ()) - done)
    for group_id in missing:
        print(f"error: no project group {group_id!r} in {data_dir}", file=out)
    return 1 if missing or failed else 0


def _group_id(catalog: Catalog, name_or_id: str) -> str:
    """A live group's id from its id or name (ids pass through: a group being repacked or moved
    is reported by maintain itself)."""
    if name_or_id.startswith("_"):  # names cannot start so (api.md)
        return name_or_id
    try:
        return catalog.group(name_or_id).meta.id
    except NotFound:
        return name_or_id  # reported with the other groups not found, after the repacks
