"""The server's configuration: one frozen object built at the edge (flags, environment, defaults)."""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from registry.core.errors import InvalidInput
from registry.core.levels import Level, check_level

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
    # The level of groups without one of their own (NONE: writes are not checked unless asked)
    default_compatibility: Level = "NONE"
    session_idle_seconds: float = 8 * 3600.0  # a web page session ends after this long unused
    # The address people reach the registry at (behind a proxy, say), for clone URLs and links in
    # pages; None: the address each request came to.
    public_url: str | None = None
    webhooks_allow_private: bool = False  # deliver to loopback and private addresses (tests, local)
    webhook_timeout_seconds: float = 10.0  # a receiver must answer within this
    webhook_retry_base_seconds: float = 1.0  # first wait after a failed delivery, doubled each time
    webhook_retry_max_seconds: float = 3600.0  # longest wait between tries
    webhook_give_up_seconds: float = 3 * 24 * 3600.0  # then the webhook is marked failing
    sse_heartbeat_seconds: float = 15.0  # a comment line on idle event streams, for proxies


@dataclass(frozen=True)
class Setting:
    """One setting as ``serve --help`` and docs/operations.md list it."""

    variable: str  # the environment variable, without its REGISTRY_ prefix
    flag: str | None  # the serve flag, for the few that have one
    default: str
    meaning: str


# Every setting config_from reads, in the README's order (a test checks none is missing).
SETTINGS: tuple[Setting, ...] = (
    Setting("DATA_DIR", "--data-dir", "./data", "data folder (repositories, keys)"),
    Setting("HOST", "--host", "127.0.0.1", "address to listen on"),
    Setting("PORT", "--port", "8080", "port to listen on"),
    Setting("MAX_BODY_BYTES", "--max-body-bytes", "16777216 (16 MiB)", "largest request body (then 413)"),
    Setting("WORKERS", "--workers", "1", "server processes sharing the port and the data folder"),
    Setting("LOG_FORMAT", "--log-format", "text", "text, or json (one JSON object per line)"),
    Setting("MAX_PUSH_BYTES", None, "268435456 (256 MiB)", "largest git push request"),
    Setting("MAX_CONCURRENT_GIT", None, "4", "clone, fetch and push requests at once; more wait"),
    Setting("NATIVE_GIT", None, "1", "0 serves clones with dulwich instead of the git binary"),
    Setting("IO_THREADS", None, "32", "threads for storage reads, and as many for writes"),
    Setting("BODY_TIMEOUT", None, "60", "seconds a request body may take to arrive (then 408)"),
    Setting("PARSE_SECONDS", None, "10", "CPU seconds one schema may take to validate (then 422)"),
    Setting(
        "VALIDATION_DEADLINE",
        None,
        "3 x PARSE_SECONDS, at least 30",
        "longest a request waits for a verdict, queueing included (then 503)",
    ),
    Setting("VALIDATION_WORKERS", None, "2", "processes that validate schemas (per server process)"),
    Setting("MAX_DEPTH", None, "128", "deepest nesting a JSON or YAML schema may have"),
    Setting("SHUTDOWN_TIMEOUT", None, "30", "seconds in-flight requests get to finish on SIGTERM"),
    Setting("KEY_RELOAD_SECONDS", None, "1.0", "how often the key file is checked for changes"),
    Setting(
        "DEFAULT_COMPATIBILITY",
        "--default-compatibility",
        "NONE",
        "compatibility level of groups without one of their own (docs/compatibility.md)",
    ),
    Setting("PUBLIC_URL", "--public-url", "the request's own", "address for clone URLs and links in pages"),
    Setting(
        "SESSION_IDLE_SECONDS",
        "--session-idle-seconds",
        "28800 (8 h)",
        "web page sessions end after this long unused",
    ),
    Setting(
        "WEBHOOKS_ALLOW_PRIVATE",
        "--webhooks-allow-private",
        "0",
        "1: webhooks may reach loopback and private addresses (tests, local receivers)",
    ),
    Setting("WEBHOOK_TIMEOUT", None, "10", "seconds a webhook receiver has to answer"),
    Setting("WEBHOOK_RETRY_BASE_SECONDS", None, "1", "first wait after a failed delivery, doubled each try"),
    Setting("WEBHOOK_RETRY_MAX_SECONDS", None, "3600", "longest wait between delivery tries"),
    Setting("WEBHOOK_GIVE_UP_SECONDS", None, "259200 (3 days)", "then a webhook is marked failing"),
    Setting("SSE_HEARTBEAT_SECONDS", None, "15", "a comment line on idle event streams, for proxies"),
)


def settings_help() -> str:
    """Every setting, one a line: variable, flag (where there is one), default, meaning."""
    width = max(len(f"REGISTRY_{s.variable}") for s in SETTINGS)
    lines = ["settings (a flag wins over its variable, which wins over the default):"]
    for s in SETTINGS:
        flag = f"{s.flag}, " if s.flag else ""
        lines.append(f"  {'REGISTRY_' + s.variable:<{width}}  {flag}default {s.default}: {s.meaning}")
    return "\n".join(lines)


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
    default_compatibility: str | None = None,
    public_url: str | None = None,
    session_idle_seconds: float | None = None,
    webhooks_allow_private: bool | None = None,
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

    def seconds(name: str, default: float, low: float = 0.001, flag: float | None = None) -> float:
        value = _number(pick(flag, name, default), name, whole=False)
        _in_range(value, name, low, None)
        return value

    parse_seconds = seconds("PARSE_SECONDS", base.parse_seconds)
    chosen_format = pick(log_format, "LOG_FORMAT", base.log_format)
    if chosen_format not in LOG_FORMATS:
        raise InvalidInput(f"log format must be one of {', '.join(LOG_FORMATS)}, not {chosen_format!r}")
    chosen_level = pick(default_compatibility, "DEFAULT_COMPATIBILITY", base.default_compatibility)
    try:
        level = check_level(chosen_level.upper())
    except InvalidInput as exc:
        raise InvalidInput(f"{_setting('DEFAULT_COMPATIBILITY')}: {exc.detail}") from None
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
        default_compatibility=level,
        session_idle_seconds=seconds(
            "SESSION_IDLE_SECONDS", base.session_idle_seconds, 1, session_idle_seconds
        ),
        public_url=_public_url(public_url or env_default(env, "PUBLIC_URL", "")),
        webhooks_allow_private=bool(webhooks_allow_private)
        or env_default(env, "WEBHOOKS_ALLOW_PRIVATE", "0") not in ("0", "false", "no", ""),
        webhook_timeout_seconds=seconds("WEBHOOK_TIMEOUT", base.webhook_timeout_seconds),
        webhook_retry_base_seconds=seconds("WEBHOOK_RETRY_BASE_SECONDS", base.webhook_retry_base_seconds),
        webhook_retry_max_seconds=seconds("WEBHOOK_RETRY_MAX_SECONDS", base.webhook_retry_max_seconds),
        webhook_give_up_seconds=seconds("WEBHOOK_GIVE_UP_SECONDS", base.webhook_give_up_seconds),
        sse_heartbeat_seconds=seconds("SSE_HEARTBEAT_SECONDS", base.sse_heartbeat_seconds),
    )


_PUBLIC_URL = re.compile(r"https?://[A-Za-z0-9.\-\[\]:]+(/[A-Za-z0-9._~\-/]*)?")


def _public_url(text: str) -> str | None:
    """``http(s)://host[:port][/path]`` without a trailing slash, or None when not set."""
    if not text:
        return None
    if _PUBLIC_URL.fullmatch(text) is None:
        raise InvalidInput(
            f"{_setting('PUBLIC_URL')} must be an http:// or https:// address such as "
            f"https://registry.example.com, not {text!r}"
        )
    return text.rstrip("/")


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


_FLAGS = {s.variable: s.flag for s in SETTINGS if s.flag}


def _setting(name: str) -> str:
    """How an error names a setting: its variable, and its flag where it has one."""
    flag = _FLAGS.get(name)
    return f"REGISTRY_{name}" + (f" (or {flag})" if flag else "")
