"""The ``schema-registry`` command: ``serve``, ``keys create|list|revoke``, the operator commands and
the client commands (``validate``, ``get``, ``put``, ``history``, ``diff``, ``sync``)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import TextIO

from registry.core.catalog import Catalog
from registry.core.config import LOG_FORMATS, Config, config_from, env_default, settings_help
from registry.core.errors import InvalidInput, RegistryError
from registry.core.keys import ROLES, KeyStore, write_secret_file
from registry.core.layout import ADMIN_KEY_FILE, DELETED_DIR, GROUPS_DIR, KEYS_FILE
from registry.core.levels import LEVELS
from registry.core.logs import configure_logging
from registry.ops import client_args, ops_cli
from registry.ops.maintenance import is_data_folder, unfinished_restore

DESCRIPTION = (
    "A schema registry for data-generation schemas: serve it, manage its keys and data folder, "
    "and validate, read, write and sync schemas from the command line."
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="schema-registry", description=DESCRIPTION)
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser(
        "serve",
        help="run the HTTP server",
        description="Run the HTTP server. Every setting is listed below the options;\n"
        "most have no flag, only their environment variable.",
        epilog=settings_help(),
        formatter_class=argparse.RawDescriptionHelpFormatter,  # keep the settings one a line
    )
    serve.add_argument("--data-dir", help="data folder (REGISTRY_DATA_DIR, default ./data)")
    serve.add_argument("--host", help="address to listen on (REGISTRY_HOST, default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port to listen on (REGISTRY_PORT, default 8080)")
    serve.add_argument(
        "--max-body-bytes", type=int, help="request body limit (REGISTRY_MAX_BODY_BYTES, 16 MiB)"
    )
    serve.add_argument(
        "--workers", type=int, help="server processes on the port (REGISTRY_WORKERS, default 1)"
    )
    serve.add_argument("--log-format", choices=LOG_FORMATS, help="text or json lines (REGISTRY_LOG_FORMAT)")
    serve.add_argument(
        "--default-compatibility",
        metavar="LEVEL",
        help=f"compatibility level of groups without their own: {', '.join(LEVELS)} "
        "(REGISTRY_DEFAULT_COMPATIBILITY, default NONE)",
    )
    serve.add_argument(
        "--public-url",
        help="address for clone URLs and links in pages (REGISTRY_PUBLIC_URL; default: the request's)",
    )
    serve.add_argument(
        "--session-idle-seconds",
        type=float,
        help="web page sessions end after this long unused (REGISTRY_SESSION_IDLE_SECONDS, default 8 h)",
    )
    serve.add_argument(
        "--webhooks-allow-private",
        action="store_true",
        default=None,
        help="let webhooks reach loopback and private addresses (REGISTRY_WEBHOOKS_ALLOW_PRIVATE=1)",
    )

    keys = commands.add_parser("keys", help="manage API keys").add_subparsers(
        dest="keys_command", required=True
    )
    create = keys.add_parser("create", help="create a key; prints it alone on the last line")
    create.add_argument("--name", required=True)
    create.add_argument("--role", required=True, choices=ROLES)
    create.add_argument(
        "--group", action="append", default=[], help="limit the key to this group (repeatable)"
    )
    listing = keys.add_parser("list", help="list keys (never their secrets)")
    listing.add_argument("--json", action="store_true", help="one JSON document instead of a table")
    revoke = keys.add_parser("revoke", help="revoke a key")
    revoke.add_argument("--name", required=True)
    for sub in (create, listing, revoke):
        sub.add_argument("--data-dir", help="data folder (REGISTRY_DATA_DIR, default ./data)")
    ops_cli.add_commands(commands)
    client_args.add_commands(commands)
    return parser


def main(argv: list[str] | None = None, *, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    args = build_parser().parse_args(argv)
    try:
        if args.command == "serve":
            config = config_from(
                data_dir=args.data_dir,
                host=args.host,
                port=args.port,
                max_body_bytes=args.max_body_bytes,
                workers=args.workers,
                log_format=args.log_format,
                default_compatibility=args.default_compatibility,
                public_url=args.public_url,
                session_idle_seconds=args.session_idle_seconds,
                webhooks_allow_private=args.webhooks_allow_private,
            )
            return serve(config, out)
        if args.command in ops_cli.COMMANDS:
            return ops_cli.run(args, out)
        if args.command in client_args.COMMANDS:
            from registry.ops import client_cli  # the client library and httpx: only for these

            return client_cli.run(args, out, err)
        return keys_command(args, out)
    except RegistryError as exc:
        print(f"error: {exc.detail}", file=err)
        return 2
    except OSError as exc:  # a file where a folder should be, a port in use, a full disk: one line
        print(f"error: {exc}", file=err)
        return 1


def serve(config: Config, out: TextIO) -> int:
    # The server's modules are imported here, not with this module: `keys list` and the operator
    # commands start in a fraction of the time without aiohttp and the HTTP layer.
    from aiohttp import web

    from registry.http.access_log import AccessLogger
    from registry.http.app import create_app
    from registry.ops.workers import serve_workers

    unfinished = unfinished_restore(config.data_dir)
    if unfinished is not None:  # before ensure_admin_key: a partial folder has no keys yet
        raise InvalidInput(
            f"a restore into {config.data_dir} did not finish; run `schema-registry restore "
            f"--data-dir {config.data_dir} --from {unfinished}` again"
        )
    configure_logging(config.log_format)  # also quietens sqlglot's and dulwich's chatter
    refuse_foreign_folder(config.data_dir)
    ensure_admin_key(config.data_dir, out)  # before any worker starts: exactly one first key
    if config.workers > 1:
        return serve_workers(config, out)
    web.run_app(
        create_app(config),
        host=config.host,
        port=config.port,
        access_log_class=AccessLogger,
        shutdown_timeout=config.shutdown_timeout_seconds,
        print=lambda line: print(line, file=out, flush=True),
    )
    return 0


def refuse_foreign_folder(data_dir: Path) -> None:
    """``serve`` makes a data folder of a new or empty folder, never of one that holds other
    things: a typo such as ``--data-dir /srv`` must not scatter the registry's files there."""
    if not data_dir.is_dir() or is_data_folder(data_dir) or (data_dir / KEYS_FILE).exists():
        return
    if any(not _may_precede_a_data_folder(entry.name) for entry in data_dir.iterdir()):
        raise InvalidInput(
            f"{data_dir} is not empty and is not a registry data folder (no {GROUPS_DIR}/ or "
            f"{KEYS_FILE}); give the data folder, or a new or empty one"
        )


def _may_precede_a_data_folder(name: str) -> bool:
    """What an empty volume holds (``lost+found``, dot files), or what a first start that stopped
    early leaves (lock files, ``deleted-groups/``)."""
    return name.startswith(".") or name == "lost+found" or name.endswith(".flock") or name == DELETED_DIR


def ensure_admin_key(data_dir: Path, out: TextIO) -> None:
    """On the very first start (no keys at all) make an admin key and say where it is."""
    data_dir.mkdir(parents=True, exist_ok=True)
    store = KeyStore(data_dir)
    if store.all_keys():
        return
    _, secret = store.create("admin", "admin")
    path = data_dir / ADMIN_KEY_FILE
    write_secret_file(path, secret)
    print(
        f"Created the first API key (role admin); it is in {path.resolve()} (mode 0600)", file=out, flush=True
    )


def keys_command(args: argparse.Namespace, out: TextIO) -> int:
    data_dir = Path(args.data_dir or env_default(os.environ, "DATA_DIR", "data"))
    if not data_dir.is_dir():  # a typo must not make a new, empty registry elsewhere
        raise InvalidInput(f"{data_dir} is not a folder; check --data-dir (serve creates it on first start)")
    store = KeyStore(data_dir)
    if args.keys_command == "create":
        groups = tuple(Catalog(data_dir).group(name).meta.id for name in args.group)
        key, secret = store.create(args.name, args.role, groups)
        scope = ", ".join(args.group) if args.group else "all groups"
        print(f"Created key {key.name!r} (role {key.role}, {scope}). It is shown only once:", file=out)
        print(secret, file=out)
    elif args.keys_command == "list":
        names = _group_names(data_dir)
        rows = [{**k.public(), "groups": [names.get(g, g) for g in k.groups]} for k in store.all_keys()]
        if args.json:
            print(json.dumps(rows, indent=2), file=out)
        for row in [] if args.json else rows:
            scope = ",".join(row["groups"]) or "*"
            print(f"{row['name']}\t{row['role']}\t{scope}\t{row['created_at']}", file=out)
        if not rows and not args.json:
            print("no keys yet (serve makes the first admin key; keys create makes more)", file=out)
    else:
        _revoke(store, data_dir, args.name, out)
    return 0


def _revoke(store: KeyStore, data_dir: Path, name: str, out: TextIO) -> None:
    """Revoke ``name``; the first-start key file goes with its key, and a registry left without
    an admin key is pointed out (nobody could then create groups)."""
    admin_file = data_dir / ADMIN_KEY_FILE
    held = store.first_start_key()
    store.revoke(name)
    print(f"Revoked key {name!r}", file=out)
    if held is not None and held.name.casefold() == name.casefold():
        admin_file.unlink(missing_ok=True)
        print(f"Removed {admin_file}, which held that key", file=out)
    if not any(key.role == "admin" and not key.groups for key in store.all_keys()):
        print(
            "No admin key for all groups is left, so no key can create groups: create one with "
            "`schema-registry keys create --role admin --name NAME`",
            file=out,
        )


def _group_names(data_dir: Path) -> dict[str, str]:
    if not is_data_folder(data_dir):  # no groups yet: do not lay out a data folder to list keys
        return {}
    return {summary.id: summary.name for summary in Catalog(data_dir).list_groups()}


if __name__ == "__main__":
    sys.exit(main())
