"""``serve --help`` lists every setting the server reads, with its variable and flag."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from registry.core.config import config_from
from tests.support.server import run_cli


class RecordingEnvironment(Mapping[str, str]):
    """An empty environment that remembers every variable asked for."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def __getitem__(self, name: str) -> str:
        self.asked.append(name)
        raise KeyError(name)

    def get(self, name: str, default: object = None) -> object:  # type: ignore[override]
        self.asked.append(name)
        return default

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0


def _help() -> str:
    return run_cli("serve", "--help").stdout


def test_every_variable_the_server_reads_is_in_serve_help() -> None:
    env = RecordingEnvironment()
    config_from(env=env)
    read = sorted(set(env.asked))
    assert len(read) >= 16, read  # this test must see what config_from reads
    text = _help()
    assert [name for name in read if name not in text] == []


def test_flags_are_named_beside_their_variables() -> None:
    lines = _help().splitlines()
    for variable, flag in (("REGISTRY_PORT", "--port"), ("REGISTRY_DATA_DIR", "--data-dir")):
        line = next(line for line in lines if line.strip().startswith(variable))
        assert flag in line
    push = next(line for line in lines if line.strip().startswith("REGISTRY_MAX_PUSH_BYTES"))
    assert "--" not in push and "268435456" in push  # no flag; its default


def test_the_defaults_in_help_are_the_defaults_used() -> None:
    config = config_from(env={})
    text = _help()
    for variable, value in (
        ("REGISTRY_MAX_CONCURRENT_GIT", config.max_concurrent_git),
        ("REGISTRY_IO_THREADS", config.io_threads),
        ("REGISTRY_VALIDATION_WORKERS", config.validation_workers),
        ("REGISTRY_MAX_DEPTH", config.max_depth),
        ("REGISTRY_MAX_PUSH_BYTES", config.max_push_bytes),
    ):
        line = next(line for line in text.splitlines() if line.strip().startswith(variable))
        assert f"default {value}" in line, line
