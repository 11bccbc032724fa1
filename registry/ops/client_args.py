"""The client subcommands' arguments (``validate``, ``get``, ``put``, ``history``, ``diff``,
``sync``), apart from :mod:`registry.ops.client_cli`, which runs them: building the parser must
not import the client library and httpx, so that ``keys list`` starts without them.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from registry.formats import FORMATS
from registry.ops.schema_files import OUTPUTS

COMMANDS = frozenset({"validate", "get", "put", "history", "diff", "sample", "sync"})
SAMPLE_FORMS = ("json", "jsonl", "csv", "sql", "parquet")  # docs/samples.md
DEFAULT_URL = "http://127.0.0.1:8080"


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    server = argparse.ArgumentParser(add_help=False)
    server.add_argument("--url", help=f"the registry (REGISTRY_URL, default {DEFAULT_URL})")
    server.add_argument("--key", help="API key (REGISTRY_KEY); --key-file keeps it out of the process list")
    server.add_argument("--key-file", type=Path, help="a file holding the API key")
    schema = argparse.ArgumentParser(add_help=False)
    schema.add_argument(
        "--format", help=f"the format of every file ({', '.join(FORMATS)}); default: by extension"
    )
    schema.add_argument("--dialect", help="SQL dialect (sqlglot's name, e.g. postgres)")
    output = argparse.ArgumentParser(add_help=False)
    output.add_argument(
        "--output", choices=OUTPUTS, default="text", help="text (file:line:column: message), json or github"
    )

    check = commands.add_parser(
        "validate", parents=[schema, output], help="validate schema files offline (no server)"
    )
    check.add_argument(
        "files", nargs="+", type=Path, metavar="FILE", help="schema files, or folders to search for them"
    )
    _add_server_commands(commands, server, schema, output)


def _add_server_commands(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    server: argparse.ArgumentParser,
    schema: argparse.ArgumentParser,
    output: argparse.ArgumentParser,
) -> None:
    get = commands.add_parser("get", parents=[server], help="print a project's schema")
    get.add_argument("project", metavar="GROUP/NAME")
    get.add_argument("--at", help="a version, tag or RFC 3339 time")
    get.add_argument("-o", "--out", type=Path, help="write it to this file instead")
    put = commands.add_parser(
        "put", parents=[server, schema], help="store a schema file as a project's schema"
    )
    put.add_argument("project", metavar="GROUP/NAME")
    put.add_argument("file", type=Path, metavar="FILE")
    put.add_argument("--message", help="why: the body of the commit message")
    put.add_argument("--create", action="store_true", help="create the project if it does not exist")
    put.add_argument("--if-match", help="only if the project is still at this version")
    history = commands.add_parser("history", parents=[server], help="a project's versions, newest first")
    history.add_argument("project", metavar="GROUP/NAME")
    history.add_argument("--json", action="store_true", help="one JSON document instead of lines")
    _add_diff_and_sync(commands, server, output)


def _add_diff_and_sync(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    server: argparse.ArgumentParser,
    output: argparse.ArgumentParser,
) -> None:
    diff = commands.add_parser("diff", parents=[server], help="a unified diff between two versions")
    diff.add_argument("project", metavar="GROUP/NAME")
    diff.add_argument("--from", dest="from_", metavar="V", help="default: the version before --to")
    diff.add_argument("--to", metavar="V", help="default: the current version")

    sample = commands.add_parser("sample", parents=[server], help="sample records made from the schema")
    sample.add_argument("project", metavar="GROUP/NAME")
    sample.add_argument("--rows", type=int, default=10, help="records per entity (1 to 10,000; default 10)")
    sample.add_argument("--seed", type=int, default=0, help="the same seed gives the same records")
    sample.add_argument(
        "--as",
        dest="as_",
        default="json",
        choices=("json", "jsonl", "csv", "sql", "parquet"),
        help="default json",
    )
    sample.add_argument("--entity", help="only this entity (csv and parquet need one when there are several)")
    sample.add_argument(
        "--dialect", help="--as sql of a project that is not SQL: its dialect (default postgres)"
    )
    sample.add_argument("--at", metavar="V", help="sample a past version")
    sample.add_argument("-o", "--out", type=Path, help="write to this file (parquet needs one)")
    sync = commands.add_parser(
        "sync", parents=[server, output], help="make a group match a folder of schema files (plan; --apply)"
    )
    sync.add_argument("folder", type=Path, metavar="DIR")
    sync.add_argument("--group", required=True, help="the project group, by name or id")
    sync.add_argument("--prune", action="store_true", help="delete projects that have no file")
    sync.add_argument(
        "--apply", action="store_true", help="apply the plan in one commit (default: only print it)"
    )
    sync.add_argument("--message", help="why: the body of the commit message")
    sync.add_argument("--dialect", help="SQL dialect of new .sql projects")
