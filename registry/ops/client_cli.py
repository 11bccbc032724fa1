"""Client subcommands of ``schema-registry``: ``validate`` (offline), and ``get``, ``put``,
``history``, ``diff`` and ``sync``, which talk to a server through :mod:`registry.client`.

Exit codes: 0 done, 1 a schema is invalid or the server refused, 2 a usage error.
Kept apart from :mod:`registry.ops.cli`, which adds them to its parser and hands them over.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import TextIO

from registry.client import ProblemError, RegistryClient, RegistryConnectionError
from registry.client.calls import split_ref
from registry.formats import Problem
from registry.ops import client_sync
from registry.ops.client_args import DEFAULT_URL
from registry.ops.schema_files import (
    Output,
    UsageError,
    check_file,
    check_options,
    format_of,
    problem_line,
    read_text,
    report,
    split_file,
)


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    try:
        if args.command == "validate":
            return _validate(args, out)
        with _client(args) as client:
            return _COMMANDS[args.command](client, args, out, err)
    except UsageError as exc:
        print(f"error: {exc}", file=err)
        return 2
    except ProblemError as exc:
        print(f"error: {exc.detail} ({exc.status} {exc.code})", file=err)
        file = str(getattr(args, "file", "") or getattr(args, "project", ""))
        for item in exc.errors:
            problem = Problem(item["message"], item["line"], item["column"], item["path"])
            print(problem_line(file, problem, "text"), file=err)
        return 1
    except RegistryConnectionError as exc:
        print(f"error: cannot reach the registry: {exc}", file=err)
        return 1


def _client(args: argparse.Namespace) -> RegistryClient:
    key = args.key
    if key is None and args.key_file is not None:
        try:
            key = args.key_file.read_text("utf-8").strip()
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"--key-file {args.key_file}: {exc}") from exc
    key = key or os.environ.get("REGISTRY_KEY")
    return RegistryClient(args.url or os.environ.get("REGISTRY_URL") or DEFAULT_URL, key)


def _ref(text: str) -> tuple[str, str]:
    try:
        return split_ref(text)
    except ValueError as exc:
        raise UsageError(str(exc)) from exc


def _validate(args: argparse.Namespace, out: TextIO) -> int:
    check_options(args.format, args.dialect)
    files = [found for path in args.files for found in _schema_files(path)]
    results = [check_file(path, fmt=args.format, dialect=args.dialect) for path in files]
    output: Output = args.output
    report(results, output, out)
    return 0 if all(r.valid for r in results) else 1


def _schema_files(path: Path) -> list[Path]:
    """``path`` itself, or for a folder every schema file below it, by name (a README or a
    .gitkeep in a schema folder is not a schema; a file named on purpose is always checked)."""
    if not path.is_dir():
        return [path]
    return sorted(p for p in path.rglob("*") if p.is_file() and split_file(p.name) is not None)


def _get(client: RegistryClient, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    _ref(args.project)
    project = client.get_project(args.project, at=args.at)
    if project["data"] is None:
        print(f"error: {args.project} has no schema yet", file=err)
        return 1
    if args.out is not None:
        args.out.write_text(project["data"], "utf-8")
        print(f"Wrote {args.out} ({project['format']}, version {project['version']})", file=err)
    else:
        out.write(project["data"])
    return 0


def _put(client: RegistryClient, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    group, name = _ref(args.project)
    check_options(args.format, args.dialect)
    _, fmt = format_of(args.file, args.format)
    text, undecodable = read_text(args.file)
    if undecodable is not None or text is None:
        print(problem_line(str(args.file), undecodable or Problem("unreadable"), "text"), file=err)
        return 1
    try:
        before = client.get_project(args.project)
    except ProblemError as exc:
        if exc.status != 404 or args.if_match is not None:
            raise
        if not args.create:
            raise UsageError(f"{args.project} does not exist; put --create makes it") from exc
        project = client.create_project(
            group, name, text, format=fmt, dialect=args.dialect, message=args.message
        )
        print(
            f"Created {group}/{project['name']} ({project['format']}): version {project['version']}", file=out
        )
        return 0
    if args.format is None and fmt != before["format"]:
        # The extension decides the format: say so rather than turn a yaml project into sql unasked.
        raise UsageError(
            f"{args.file} is {fmt} but {args.project} is {before['format']}; "
            f"give --format {fmt} to change the project's format"
        )
    project = client.update_project(
        args.project, text, format=fmt, dialect=args.dialect, message=args.message, if_match=args.if_match
    )
    done = "Unchanged" if project["version"] == before["version"] else "Updated"
    print(f"{done} {group}/{project['name']} ({project['format']}): version {project['version']}", file=out)
    return 0


def _history(client: RegistryClient, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    _ref(args.project)
    versions = list(client.iter_project_history(args.project))
    if args.json:
        print(json.dumps(versions, indent=2), file=out)
        return 0
    for v in versions:
        summary = v.get("summary") or ""
        print(
            f"{v['version'][:12]}  {v['timestamp']}  {v['action']:<7}  {v['name']}  {v['author']}  {summary}",
            file=out,
        )
    return 0


def _diff(client: RegistryClient, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    _ref(args.project)
    out.write(client.diff(args.project, from_=args.from_, to=args.to)["diff"])
    return 0


def _sample(client: RegistryClient, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    _ref(args.project)
    if args.as_ == "parquet" and args.out is None:
        raise UsageError("--as parquet writes a binary file: give -o FILE")
    body = client.sample_as(
        args.project,
        args.as_,
        rows=args.rows,
        seed=args.seed,
        entity=args.entity,
        dialect=args.dialect,
        at=args.at,
    )
    if args.out is not None:
        args.out.write_bytes(body)
        print(f"Wrote {args.out} ({args.as_}, {len(body):,} bytes)", file=err)
    else:
        out.write(body.decode("utf-8"))
    return 0


def _sync(client: RegistryClient, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    if not args.folder.is_dir():
        raise UsageError(f"{args.folder} is not a folder")
    check_options(None, args.dialect)
    files = client_sync.local_files(args.folder, args.dialect)
    if not files and args.prune:
        # Most often a wrong folder or a checkout step that did not run: pruning would empty the group.
        raise UsageError(
            f"{args.folder} holds no schema files; --prune would delete every project of the group"
        )
    plan = client_sync.make_plan(client, args.group, files, prune=args.prune, dialect=args.dialect)
    output: Output = args.output
    client_sync.print_plan(plan, output, out)
    if not plan.valid:
        bad = sum(not s.valid for s in plan.steps)
        print(f"error: {bad} invalid file(s); nothing {'applied' if args.apply else 'to apply'}", file=err)
        return 1
    if not args.apply or not plan.steps:
        return 0
    result = client.batch(plan.group, plan.operations(), message=args.message, if_match=plan.version)
    print(f"Applied {len(result['changes'])} change(s) in one commit: {result['version']}", file=err)
    return 0


_COMMANDS = {
    "get": _get,
    "put": _put,
    "history": _history,
    "diff": _diff,
    "sample": _sample,
    "sync": _sync,
}
