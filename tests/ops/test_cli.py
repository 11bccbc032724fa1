"""The schema-registry command: first start, keys create/list/revoke, configuration."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.client import Client
from tests.support.server import Server, run_cli


def test_first_start_creates_an_admin_key_file_readable_by_owner_only(tmp_path: Path) -> None:
    srv = Server(tmp_path / "data").start()
    try:
        key_file = srv.data_dir / "admin.key"
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
        assert f"it is in {key_file.resolve()}" in srv.log()
        assert srv.admin_key() not in srv.log()
        assert Client(srv.url, srv.admin_key()).get("/project-group").status == 200
    finally:
        srv.stop()
    # A second start does not make another key.
    srv.start()
    try:
        assert srv.log().count("Created the first API key") == 0
        assert len(run_cli("keys", "list", "--json", data_dir=srv.data_dir).stdout.split('"name"')) == 2
    finally:
        srv.stop()


def test_keys_create_prints_the_key_alone_on_the_last_line(tmp_path: Path) -> None:
    out = run_cli("keys", "create", "--name", "ci", "--role", "write", data_dir=tmp_path).stdout
    last = out.rstrip("\n").splitlines()[-1]
    assert last.startswith("sr_")
    assert " " not in last


def test_keys_list_shows_names_roles_groups_never_secrets(tmp_path: Path) -> None:
    srv = Server(tmp_path / "data").start()
    try:
        Client(srv.url, srv.admin_key()).post("/project-group", {"name": "team"})
        secret = run_cli(
            "keys", "create", "--name", "ci", "--role", "read", "--group", "team", data_dir=srv.data_dir
        ).stdout.splitlines()[-1]
    finally:
        srv.stop()
    listing = run_cli("keys", "list", data_dir=srv.data_dir).stdout
    assert "ci\tread\tteam\t" in listing
    assert "admin\tadmin\t*\t" in listing
    assert secret not in listing
    assert srv.admin_key() not in listing


def test_keys_errors_exit_nonzero_with_a_message(tmp_path: Path) -> None:
    run_cli("keys", "create", "--name", "ci", "--role", "read", data_dir=tmp_path)
    duplicate = run_cli("keys", "create", "--name", "CI", "--role", "read", data_dir=tmp_path, check=False)
    assert duplicate.returncode == 2
    assert "already exists" in duplicate.stderr
    unknown_group = run_cli(
        "keys", "create", "--name", "x", "--role", "read", "--group", "nope", data_dir=tmp_path, check=False
    )
    assert unknown_group.returncode == 2
    assert "nope" in unknown_group.stderr
    bad_role = run_cli("keys", "create", "--name", "y", "--role", "root", data_dir=tmp_path, check=False)
    assert bad_role.returncode == 2
    bad_name = run_cli("keys", "create", "--name", "a b", "--role", "read", data_dir=tmp_path, check=False)
    assert bad_name.returncode == 2
    revoke = run_cli("keys", "revoke", "--name", "nobody", data_dir=tmp_path, check=False)
    assert revoke.returncode == 2
    assert "nobody" in revoke.stderr


def test_revoke_removes_the_key(tmp_path: Path) -> None:
    run_cli("keys", "create", "--name", "ci", "--role", "read", data_dir=tmp_path)
    run_cli("keys", "revoke", "--name", "ci", data_dir=tmp_path)
    listing = run_cli("keys", "list", data_dir=tmp_path).stdout
    assert "ci\t" not in listing
    assert listing.startswith("no keys yet")  # an empty listing says so, rather than nothing
    assert run_cli("keys", "list", "--json", data_dir=tmp_path).stdout.strip() == "[]"


def test_revoking_the_first_start_key_removes_its_file_and_warns_if_no_admin_is_left(tmp_path: Path) -> None:
    srv = Server(tmp_path / "data").start()
    try:
        assert Client(srv.url, srv.admin_key()).post("/project-group", {"name": "g"}).status == 201
    finally:
        srv.stop()
    key_file = srv.data_dir / "admin.key"
    run_cli("keys", "create", "--name", "ci", "--role", "write", data_dir=srv.data_dir)
    other = run_cli("keys", "revoke", "--name", "ci", data_dir=srv.data_dir).stdout
    assert key_file.exists() and "Removed" not in other and "No admin key" not in other
    run_cli("keys", "create", "--name", "team", "--role", "admin", "--group", "g", data_dir=srv.data_dir)
    done = run_cli("keys", "revoke", "--name", "ADMIN", data_dir=srv.data_dir).stdout
    assert not key_file.exists()
    assert f"Removed {key_file}, which held that key" in done
    assert "No admin key for all groups is left" in done  # "team" is limited to a group
    key_file.write_bytes(b"\xff\xfe not text")
    run_cli("keys", "create", "--name", "x", "--role", "read", data_dir=srv.data_dir)
    run_cli("keys", "revoke", "--name", "x", data_dir=srv.data_dir)  # a bad file does not stop it
    assert "x\t" not in run_cli("keys", "list", data_dir=srv.data_dir).stdout


def test_environment_variables_configure_the_server(tmp_path: Path) -> None:
    srv = Server(tmp_path / "ignored", env={"REGISTRY_MAX_BODY_BYTES": "1000"})
    srv.start()
    try:
        client = Client(srv.url, srv.admin_key())
        response = client.post("/project-group", {"name": "x" * 2000})
        assert response.status == 413
        assert response.json["code"] == "payload-too-large"
    finally:
        srv.stop()


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("REGISTRY_PORT", "abc", "REGISTRY_PORT (or --port) must be a whole number, not 'abc'"),
        ("REGISTRY_PORT", "99999", "REGISTRY_PORT (or --port) must be from 0 to 65535, not 99999"),
        ("REGISTRY_MAX_BODY_BYTES", "1e6", "must be a whole number, not '1e6'"),
        ("REGISTRY_IO_THREADS", "0", "REGISTRY_IO_THREADS must be at least 1, not 0"),
        ("REGISTRY_MAX_CONCURRENT_GIT", "0", "must be at least 1"),
        ("REGISTRY_PARSE_SECONDS", "0", "REGISTRY_PARSE_SECONDS must be at least 0.001, not 0"),
        ("REGISTRY_PARSE_SECONDS", "nan", "must be a finite number"),
        ("REGISTRY_KEY_RELOAD_SECONDS", "-1", "must be at least 0.001"),
        ("REGISTRY_WORKERS", "x", "must be a whole number"),
        ("REGISTRY_LOG_FORMAT", "xml", "log format must be one of text, json, not 'xml'"),
    ],
)
def test_a_bad_setting_is_one_error_line_not_a_traceback(
    tmp_path: Path, name: str, value: str, expected: str
) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "registry.ops.cli",
            "serve",
            "--data-dir",
            str(tmp_path / "data"),
            "--port",
            "0",
        ]
        if name != "REGISTRY_PORT"
        else [sys.executable, "-m", "registry.ops.cli", "serve", "--data-dir", str(tmp_path / "data")],
        env={**os.environ, name: value},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip() == f"error: {expected}" or expected in result.stderr.strip().splitlines()[-1]
    assert "Traceback" not in result.stderr


def test_keys_commands_refuse_a_data_folder_that_does_not_exist(tmp_path: Path) -> None:
    for args in (("keys", "create", "--name", "ci", "--role", "read"), ("keys", "list")):
        result = run_cli(*args, data_dir=tmp_path / "typo", check=False)
        assert result.returncode == 2, result.stderr
        assert "is not a folder; check --data-dir" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "typo").exists()
    (tmp_path / "empty").mkdir()
    assert run_cli("keys", "list", data_dir=tmp_path / "empty").stdout.startswith("no keys yet")
    assert sorted(p.name for p in (tmp_path / "empty").iterdir()) == []  # listing made nothing


def test_settings_that_always_worked_still_do() -> None:
    from registry.core.config import config_from

    config = config_from(
        env={"REGISTRY_WORKERS": "0", "REGISTRY_SHUTDOWN_TIMEOUT": "0", "REGISTRY_PORT": "0"}
    )
    assert (config.workers, config.shutdown_timeout_seconds, config.port) == (1, 0.0, 0)
