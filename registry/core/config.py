"""The server's configuration: one frozen object built at the edge (flags, environment, defaults)."""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from registry.core.errors import InvalidInput

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
    parse_seconds: float = 10.0  # most CPU time one document may take to validate (then refused)
    validation_deadline: float | None = None  # longest a request waits for a verdict (then 503); None: 3x
    validation_workers: int = 2  # processes that validate documents
    max_depth: int = 128  # deepest nesting a schema document may have (JSON and YAML)
    key_reload_seconds: float = 1.0
    workers: int = 1  # server processes sharing the port and the data folder
    log_format: str = "text"  # or "json": one JSON object per line
    body_timeout_seconds: float = 60.0  # a request body must arrive within this (slow clients get 408)
    shutdown_timeout_seconds: float = 30.0  # on SIGTERM, in-flight requests get this long to finish


def default_deadline(parse_seconds: float) -> float:
    """How long a request waits for its verdict unless configured: room for a document that needs
    its whole CPU budget on cores shared with others, or that waits for one that does."""
    return max(30.0, 3 * parse_seconds)


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
    """Flags win over ``REGISTRY_*`` environment variables, which win over defaults.

    A value that is not a number, or out of its range, is an :class:`InvalidInput` naming the
    variable (the CLI prints it as one error line), not a traceback or a server that starts and
    then cannot work (no git slots, no threads, every schema over its time).
    """
    env = os.environ if env is None else env
    base = Config()

    def pick(flag: object, name: str, default: object) -> str:
        return str(flag) if flag is not None else env_default(env, name, str(default))

    def whole(name: str, default: int, low: int, high: int | None = None, flag: int | None = None) -> int:
        value = int(_number(pick(flag, name, default), name, whole=True))
        _in_range(value, name, low, high)
        return value

    def seconds(name: str, default: float, low: float = 0.001) -> float:
        value = _number(pick(None, name, default), name, whole=False)
        _in_range(value, name, low, None)
        return value

    parse_seconds = seconds("PARSE_SECONDS", base.parse_seconds)
    chosen_format = pick(log_format, "LOG_FORMAT", base.log_format)
    if chosen_format not in LOG_FORMATS:
        raise InvalidInput(f"log format must be one of {', '.join(LOG_FORMATS)}, not {chosen_format!r}")
    return Config(
        data_dir=Path(data_dir or env_default(env, "DATA_DIR", str(base.data_dir))),
        host=host or env_default(env, "HOST", base.host),
        port=whole("PORT", base.port, 0, 65535, port),
        max_body_bytes=whole("MAX_BODY_BYTES", base.max_body_bytes, 1, None, max_body_bytes),
        max_push_bytes=whole("MAX_PUSH_BYTES", base.max_push_bytes, 1),
        native_git=env_default(env, "NATIVE_GIT", "1") not in ("0", "false", "no"),
        max_concurrent_git=whole("MAX_CONCURRENT_GIT", base.max_concurrent_git, 1),
        io_threads=whole("IO_THREADS", base.io_threads, 1),
        parse_seconds=parse_seconds,
        validation_deadline=seconds("VALIDATION_DEADLINE", default_deadline(parse_seconds)),
        validation_workers=whole("VALIDATION_WORKERS", base.validation_workers, 1),
        max_depth=whole("MAX_DEPTH", base.max_depth, 1),
        key_reload_seconds=seconds("KEY_RELOAD_SECONDS", base.key_reload_seconds),
        workers=max(1, whole("WORKERS", base.workers, 0, None, workers)),  # 0 has always meant 1
        log_format=chosen_format,
        body_timeout_seconds=seconds("BODY_TIMEOUT", base.body_timeout_seconds),
        shutdown_timeout_seconds=seconds("SHUTDOWN_TIMEOUT", base.shutdown_timeout_seconds, 0),  # 0: at once
    )


def _number(text: str, name: str, *, whole: bool) -> float:
    try:
        value: float = int(text) if whole else float(text)
    except ValueError:
        what = "a whole number" if whole else "a number"
        raise InvalidInput(f"{_setting(name)} must be {what}, not {text!r}") from None
    if not math.isfinite(value):
        raise InvalidInput(f"{_setting(name)} must be a finite number, not {text!r}")
    return value


def _in_range(value: float, name: str, low: float, high: float | None) -> None:
    if value < low or (high is not None and value > high):
        bounds = f"at least {low:g}" if high is None else f"from {low:g} to {high:g}"
        raise InvalidInput(f"{_setting(name)} must be {bounds}, not {value:g}")


_FLAGS = {"PORT": "--port", "MAX_BODY_BYTES": "--max-body-bytes", "WORKERS": "--workers"}


def _setting(name: str) -> str:
    """How an error names a setting: its variable, and its flag where it has one."""
    flag = _FLAGS.get(name)
    return f"REGISTRY_{name}" + (f" (or {flag})" if flag else "")
