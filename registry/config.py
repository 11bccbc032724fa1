"""The server's configuration: one frozen object built at the edge (flags, environment, defaults)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

DEFAULT_MAX_BODY_BYTES = 16 << 20  # real JSON Schemas reach several MB


@dataclass(frozen=True)
class Config:
    data_dir: Path = Path("data")
    host: str = "127.0.0.1"
    port: int = 8080
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    max_concurrent_git: int = 4  # pack generation runs at most this many at once
    io_threads: int = 8
    key_reload_seconds: float = 1.0


def env_default(env: Mapping[str, str], name: str, default: str) -> str:
    return env.get(f"REGISTRY_{name}", default)


def config_from(
    *,
    data_dir: str | None = None,
    host: str | None = None,
    port: int | None = None,
    max_body_bytes: int | None = None,
    env: Mapping[str, str] | None = None,
) -> Config:
    """Flags win over ``REGISTRY_*`` environment variables, which win over defaults."""
    env = os.environ if env is None else env
    base = Config()
    return Config(
        data_dir=Path(data_dir or env_default(env, "DATA_DIR", str(base.data_dir))),
        host=host or env_default(env, "HOST", base.host),
        port=port if port is not None else int(env_default(env, "PORT", str(base.port))),
        max_body_bytes=max_body_bytes
        if max_body_bytes is not None
        else int(env_default(env, "MAX_BODY_BYTES", str(base.max_body_bytes))),
        max_concurrent_git=int(env_default(env, "MAX_CONCURRENT_GIT", str(base.max_concurrent_git))),
        key_reload_seconds=float(env_default(env, "KEY_RELOAD_SECONDS", str(base.key_reload_seconds))),
    )
