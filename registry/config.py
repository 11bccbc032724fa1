"""The server's configuration: one frozen object built at the edge (flags, environment, defaults)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

DEFAULT_MAX_BODY_BYTES = 16 << 20  # real JSON Schemas reach several MB
LOG_FORMATS = ("text", "json")


@dataclass(frozen=True)
class Config:
    data_dir: Path = Path("data")
    host: str = "127.0.0.1"
    port: int = 8080
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    max_push_bytes: int = 256 << 20  # a git push carries whole packs
    max_concurrent_git: int = 4  # pack generation runs at most this many at once
    native_git: bool = True  # serve clones with the git binary when installed (else dulwich)
    io_threads: int = 32
    parse_seconds: float = 10.0  # longest one document may take to validate (then refused)
    validation_workers: int = 2  # processes that validate documents
    max_depth: int = 128  # deepest nesting a schema document may have (JSON and YAML)
    key_reload_seconds: float = 1.0
    workers: int = 1  # server processes sharing the port and the data folder
    log_format: str = "text"  # or "json": one JSON object per line
    body_timeout_seconds: float = 60.0  # a request body must arrive within this (slow clients get 408)
    shutdown_timeout_seconds: float = 30.0  # on SIGTERM, in-flight requests get this long to finish


def env_default(env: Mapping[str, str], name: str, default: str) -> str:
    return env.get(f"REGISTRY_{name}", default)


def config_from(
    *,
    data_dir: str | None = None,
    host: str | None = None,
    port: int | None = None,
    max_body_bytes: int | None = None,
    workers: int | None = None,
    log_format: str | None = None,
    env: Mapping[str, str] | None = None,
) -> Config:
    """Flags win over ``REGISTRY_*`` environment variables, which win over defaults."""
    env = os.environ if env is None else env
    base = Config()

    def pick(flag: object, name: str, default: object) -> str:
        return str(flag) if flag is not None else env_default(env, name, str(default))

    chosen_format = pick(log_format, "LOG_FORMAT", base.log_format)
    if chosen_format not in LOG_FORMATS:
        raise ValueError(f"log format must be one of {', '.join(LOG_FORMATS)}, not {chosen_format!r}")
    return Config(
        data_dir=Path(data_dir or env_default(env, "DATA_DIR", str(base.data_dir))),
        host=host or env_default(env, "HOST", base.host),
        port=int(pick(port, "PORT", base.port)),
        max_body_bytes=int(pick(max_body_bytes, "MAX_BODY_BYTES", base.max_body_bytes)),
        max_push_bytes=int(env_default(env, "MAX_PUSH_BYTES", str(base.max_push_bytes))),
        native_git=env_default(env, "NATIVE_GIT", "1") not in ("0", "false", "no"),
        max_concurrent_git=int(env_default(env, "MAX_CONCURRENT_GIT", str(base.max_concurrent_git))),
        io_threads=int(env_default(env, "IO_THREADS", str(base.io_threads))),
        parse_seconds=float(env_default(env, "PARSE_SECONDS", str(base.parse_seconds))),
        validation_workers=int(env_default(env, "VALIDATION_WORKERS", str(base.validation_workers))),
        max_depth=int(env_default(env, "MAX_DEPTH", str(base.max_depth))),
        key_reload_seconds=float(env_default(env, "KEY_RELOAD_SECONDS", str(base.key_reload_seconds))),
        workers=max(1, int(pick(workers, "WORKERS", base.workers))),
        log_format=chosen_format,
        body_timeout_seconds=float(env_default(env, "BODY_TIMEOUT", str(base.body_timeout_seconds))),
        shutdown_timeout_seconds=float(
            env_default(env, "SHUTDOWN_TIMEOUT", str(base.shutdown_timeout_seconds))
        ),
    )
