"""The client commands of schema-registry: validate (offline), get, put, history, diff and sync."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from registry.ops.cli import main
from tests.conftest import MakeKey
from tests.support.client import Client
from tests.support.git import commit_count, repo_path
from tests.support.ops import CliResult
from tests.support.server import Server

USERS = "User:\n  id: number\n  name: string\n"
BAD_YAML = "User:\n  id: nosuchtype\n"
ORDERS = "CREATE TABLE orders (id INT PRIMARY KEY);\n"
BAD_SQL = "CREATE TABLE t (id INT;\n"
EVENTS = '{"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object"}\n'


def run(*args: str) -> CliResult:
    out, err = io.StringIO(), io.StringIO()
    try:
        code = main(list(args), stdout=out, stderr=err)
    except SystemExit as exc:  # argparse's usage errors
        code = int(exc.code or 0)
    return CliResult(code, out.getvalue(), err.getvalue())


@pytest.fixture
def remote(server: Server) -> tuple[str, ...]:
    return ("--url", server.url, "--key", server.admin_key())


def _write(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, "utf-8")
    return folder


# -- validate ---------------------------------------------------------------------------------


def test_validate_takes_the_format_from_the_extension(tmp_path: Path) -> None:
    files = _write(tmp_path, {"users.yaml": USERS, "orders.sql": ORDERS, "events.schema.json": EVENTS})
    result = run("validate", *(str(p) for p in sorted(files.iterdir())))
    assert result.returncode == 0, result
    assert result.stdout.strip() == "3 file(s) valid"


def test_validate_searches_a_folder_for_schema_files_and_passes_over_the_rest(tmp_path: Path) -> None:
    files = _write(tmp_path, {"users.yaml": USERS, "orders.sql": ORDERS, "README.md": "# not a schema"})
    (files / "nested").mkdir()
    (files / "nested" / "bad.yaml").write_text(BAD_YAML)
    (files / ".gitkeep").write_text("")
    result = run("validate", str(files))
    assert result.returncode == 1, result
    assert f"{files / 'nested' / 'bad.yaml'}:2:7: unknown type 'nosuchtype'" in result.stdout
    assert result.stdout.splitlines()[-1] == "1 of 3 file(s) invalid"
    named = run("validate", str(files / "README.md"))  # named on purpose: checked, and refused
    assert named.returncode == 2


def test_validate_text_output_is_file_line_column_message(tmp_path: Path) -> None:
    _write(tmp_path, {"users.yaml": BAD_YAML, "fine.yaml": USERS})
    result = run("validate", str(tmp_path / "users.yaml"), str(tmp_path / "fine.yaml"))
    assert result.returncode == 1
    first = result.stdout.splitlines()[0]
    assert first.startswith(f"{tmp_path / 'users.yaml'}:2:7: unknown type 'nosuchtype'")
    assert result.stdout.splitlines()[-1] == "1 of 2 file(s) invalid"


def test_validate_json_output(tmp_path: Path) -> None:
    _write(tmp_path, {"t.sql": BAD_SQL, "users.yaml": USERS})
    result = run("validate", "--output", "json", str(tmp_path / "t.sql"), str(tmp_path / "users.yaml"))
    assert result.returncode == 1
    doc = json.loads(result.stdout)
    assert doc["valid"] is False
    assert [(f["format"], f["valid"]) for f in doc["files"]] == [("sql", False), ("yaml", True)]
    error = doc["files"][0]["errors"][0]
    assert set(error) == {"message", "line", "column", "path"} and error["line"] == 1


def test_validate_github_output_is_escaped_annotations(tmp_path: Path) -> None:
    _write(tmp_path, {"a,b.yaml": BAD_YAML, "fine.yaml": "# 100%\nUser:\n  id: number\n  id2: numbr\n"})
    result = run("validate", "--output", "github", str(tmp_path / "a,b.yaml"), str(tmp_path / "fine.yaml"))
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    escaped = str(tmp_path / "a,b.yaml").replace(",", "%2C").replace(":", "%3A")
    assert lines[0].startswith(f"::error file={escaped},line=1,col=1::project name must be")
    assert lines[1].startswith(f"::error file={escaped},line=2,col=7::unknown type 'nosuchtype'")
    assert lines[2].startswith(f"::error file={tmp_path / 'fine.yaml'},line=4,col=8::unknown type 'numbr'")
    assert len(lines) == 3  # no summary line: every line is an annotation


def test_validate_format_and_dialect_options(tmp_path: Path) -> None:
    _write(
        tmp_path, {"schema.txt": ORDERS, "pg.sql": "CREATE TABLE t (id SERIAL PRIMARY KEY, tags TEXT[]);\n"}
    )
    assert run("validate", "--format", "sql", str(tmp_path / "schema.txt")).returncode == 0
    assert run("validate", "--dialect", "postgres", str(tmp_path / "pg.sql")).returncode == 0


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["notes.txt"], "not a schema file name"),
        (["missing.yaml"], "missing.yaml"),
        (["--format", "toml", "users.yaml"], "--format must be one of"),
        (["--dialect", "klingon", "users.yaml"], "unknown SQL dialect 'klingon'"),
        (["--output", "xml", "users.yaml"], "invalid choice"),
        ([], "the following arguments are required"),
    ],
)
def test_validate_usage_errors_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], says: str
) -> None:
    _write(tmp_path, {"notes.txt": "x", "users.yaml": USERS})
    monkeypatch.chdir(tmp_path)
    err = io.StringIO()
    monkeypatch.setattr(sys, "stderr", err)  # argparse writes its usage errors there
    result = run("validate", *args)
    assert result.returncode == 2, result
    assert says in result.stderr + err.getvalue()


def test_validate_refuses_what_a_push_refuses(tmp_path: Path) -> None:
    _write(tmp_path, {"bad name.yaml": USERS})
    (tmp_path / "latin1.yaml").write_bytes(b"User:\n  n\xe9: string\n")
    result = run("validate", str(tmp_path / "bad name.yaml"), str(tmp_path / "latin1.yaml"))
    assert result.returncode == 1
    assert f"{tmp_path / 'bad name.yaml'}:1:1: " in result.stdout
    assert f"{tmp_path / 'latin1.yaml'}:2:4: not UTF-8 text (byte 0xe9)" in result.stdout


def test_validate_works_with_no_server_and_no_sqlglot_for_yaml(tmp_path: Path) -> None:
    _write(tmp_path, {"users.yaml": USERS})
    probe = (
        "import sys\nfrom registry.ops.cli import main\n"
        f"code = main(['validate', {str(tmp_path / 'users.yaml')!r}])\n"
        "print(code, 'sqlglot' in sys.modules, 'aiohttp' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.splitlines()[-1] == "0 False False"


def test_keys_list_does_not_load_sqlglot(tmp_path: Path) -> None:
    probe = (
        "import sys\nfrom registry.ops.cli import main\n"
        f"main(['keys', 'list', '--data-dir', {str(tmp_path)!r}])\nprint('sqlglot' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.splitlines()[-1] == "False"  # after the (empty) listing's own line


# -- get, put, history, diff ------------------------------------------------------------------


def test_put_get_history_diff(
    tmp_path: Path, remote: tuple[str, ...], group: dict[str, Any], api: Client
) -> None:
    ref = f"{group['name']}/users"
    _write(tmp_path, {"users.yaml": USERS, "v2.yaml": USERS + "  email: string\n"})
    missing = run("put", ref, str(tmp_path / "users.yaml"), *remote)
    assert missing.returncode == 2
    assert f"{ref} does not exist; put --create makes it" in missing.stderr
    created = run("put", ref, str(tmp_path / "users.yaml"), "--create", "--message", "first", *remote)
    assert created.returncode == 0, created
    assert created.stdout.startswith(f"Created {ref} (yaml): version ")
    first = created.stdout.split()[-1]
    stale = run("put", ref, str(tmp_path / "v2.yaml"), "--if-match", "0" * 40, *remote)
    assert stale.returncode == 1 and "version-mismatch" in stale.stderr
    updated = run("put", ref, str(tmp_path / "v2.yaml"), "--if-match", first, *remote)
    assert updated.returncode == 0 and updated.stdout.startswith(f"Updated {ref} (yaml)")
    again = run("put", ref, str(tmp_path / "v2.yaml"), *remote)
    assert again.returncode == 0 and again.stdout.startswith(f"Unchanged {ref} (yaml)")
    (tmp_path / "users.sql").write_text("CREATE TABLE users (id INT PRIMARY KEY);\n")
    other_format = run("put", ref, str(tmp_path / "users.sql"), *remote)
    assert other_format.returncode == 2  # the extension would turn the yaml project into sql
    assert "users.sql is sql but" in other_format.stderr and "give --format sql" in other_format.stderr
    assert run("get", ref, *remote).stdout == USERS + "  email: string\n"
    assert run("get", ref, "--at", first, *remote).stdout == USERS
    target = tmp_path / "out" / "got.yaml"
    target.parent.mkdir()
    assert run("get", ref, "-o", str(target), *remote).returncode == 0
    assert target.read_text() == USERS + "  email: string\n"
    lines = run("history", ref, *remote).stdout.splitlines()
    assert [line.split()[2] for line in lines] == ["update", "create"]
    assert lines[1].startswith(first[:12])
    history = json.loads(run("history", ref, "--json", *remote).stdout)
    assert history[1]["message"] == "first"
    assert "+  email: string" in run("diff", ref, *remote).stdout
    assert run("diff", ref, "--from", first, "--to", first, *remote).stdout == ""


def test_put_of_an_invalid_schema_prints_where(
    tmp_path: Path, remote: tuple[str, ...], group: dict[str, Any]
) -> None:
    _write(tmp_path, {"users.yaml": BAD_YAML})
    result = run("put", f"{group['name']}/users", str(tmp_path / "users.yaml"), "--create", *remote)
    assert result.returncode == 1
    assert "(422 invalid-schema)" in result.stderr
    assert f"{tmp_path / 'users.yaml'}:2:7: unknown type" in result.stderr


def test_client_usage_and_connection_errors(
    tmp_path: Path, remote: tuple[str, ...], server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run("get", "no-slash", *remote).returncode == 2
    assert run("get", "a/b", "--url", server.url, "--key-file", str(tmp_path / "nope")).returncode == 2
    (tmp_path / "key").write_text(server.admin_key() + "\n")
    assert (
        "(404 not-found)"
        in run("get", "a/b", "--url", server.url, "--key-file", str(tmp_path / "key")).stderr
    )
    monkeypatch.setenv("REGISTRY_URL", server.url)
    monkeypatch.setenv("REGISTRY_KEY", "sr_wrong")
    unauthenticated = run("get", "a/b")
    assert unauthenticated.returncode == 1 and "unauthenticated" in unauthenticated.stderr
    assert "sr_wrong" not in unauthenticated.stderr
    monkeypatch.setenv("REGISTRY_URL", "http://127.0.0.1:9")
    down = run("get", "a/b")
    assert down.returncode == 1 and "cannot reach the registry" in down.stderr


# -- sync -------------------------------------------------------------------------------------


@pytest.fixture
def synced_group(api: Client, unique: Callable[[str], str]) -> dict[str, Any]:
    """A group with users (yaml), old_orders (sql) and legacy (yaml)."""
    group: dict[str, Any] = api.post("/project-group", {"name": unique("sync")}).json
    for name, fmt, data in (
        ("users", "yaml", USERS),
        ("old_orders", "sql", ORDERS),
        ("legacy", "yaml", "L:\n  id: number\n"),
    ):
        assert (
            api.post(
                "/project", {"project_group_id": group["id"], "name": name, "format": fmt, "data": data}
            ).status
            == 201
        )
    return group


def _projects(api: Client, group: dict[str, Any]) -> dict[str, str]:
    return {p["name"]: p["id"] for p in api.get(f"/project-group/{group['id']}").json["projects"]}


def test_sync_plans_without_changing_anything(
    tmp_path: Path, remote: tuple[str, ...], synced_group: dict[str, Any], api: Client
) -> None:
    folder = _write(
        tmp_path / "schemas",
        {
            "users.yaml": USERS + "  email: string\n",
            "orders.sql": ORDERS,
            "events.schema.json": EVENTS,
            "README.md": "x",
        },
    )
    before = api.get(f"/project-group/{synced_group['id']}").json
    result = run("sync", str(folder), "--group", synced_group["name"], "--prune", *remote)
    assert result.returncode == 0, result
    lines = result.stdout.splitlines()
    assert lines == [
        "delete  legacy",
        f"rename  old_orders -> orders ({folder / 'orders.sql'}): valid",
        f"update  users ({folder / 'users.yaml'}): valid",
        f"create  events ({folder / 'events.schema.json'}): valid",
        f"Plan for {synced_group['name']}: 1 to create, 1 to update, 1 to rename, 1 to delete; 0 unchanged",
    ]
    assert api.get(f"/project-group/{synced_group['id']}").json == before
    without_prune = run("sync", str(folder), "--group", synced_group["name"], "--output", "json", *remote)
    plan = json.loads(without_prune.stdout)
    assert plan["kept"] == ["legacy"] and "delete" not in [s["action"] for s in plan["steps"]]
    assert plan["version"] == before["version"] and plan["valid"] is True


def test_sync_apply_is_one_commit_and_a_rename_keeps_the_project(
    tmp_path: Path, remote: tuple[str, ...], synced_group: dict[str, Any], api: Client, server: Server
) -> None:
    ids = _projects(api, synced_group)
    folder = _write(tmp_path / "s", {"users.yaml": USERS, "orders.sql": ORDERS, "events.schema.json": EVENTS})
    repo = repo_path(server.data_dir, synced_group["id"])
    commits = commit_count(repo)
    result = run(
        "sync", str(folder), "--group", synced_group["name"], "--prune", "--apply", "--message", "ci", *remote
    )
    assert result.returncode == 0, result
    assert "Applied 3 change(s) in one commit" in result.stderr
    assert commit_count(repo) == commits + 1
    after = _projects(api, synced_group)
    assert set(after) == {"users", "orders", "events"}
    assert after["orders"] == ids["old_orders"] and after["users"] == ids["users"]
    history = api.get(f"/project/{after['orders']}/history").json["versions"]
    assert [v["action"] for v in history] == ["rename", "create"]
    again = run("sync", str(folder), "--group", synced_group["name"], "--prune", "--apply", *remote)
    assert again.returncode == 0 and "no changes; 3 unchanged" in again.stdout
    assert commit_count(repo) == commits + 1


def test_sync_refuses_to_apply_with_an_invalid_file(
    tmp_path: Path, remote: tuple[str, ...], synced_group: dict[str, Any], api: Client
) -> None:
    folder = _write(tmp_path / "s", {"users.yaml": BAD_YAML, "fresh.yaml": USERS})
    before = api.get(f"/project-group/{synced_group['id']}").json
    for output in ("text", "github"):
        result = run(
            "sync", str(folder), "--group", synced_group["name"], "--apply", "--output", output, *remote
        )
        assert result.returncode == 1
        assert "1 invalid file(s); nothing applied" in result.stderr
        assert "update  users" in result.stdout and "INVALID (1 error(s))" in result.stdout
        annotations = [line for line in result.stdout.splitlines() if line.startswith("::error file=")]
        assert len(annotations) == (output == "github")
    assert api.get(f"/project-group/{synced_group['id']}").json == before


def test_a_batch_the_server_refuses_leaves_the_group_unchanged(
    tmp_path: Path, unique: Callable[[str], str]
) -> None:
    """The server's limits are stricter than the client's: the local check passes, the batch is
    refused, and not even the valid files' changes land."""
    srv = Server(tmp_path / "data", env={"REGISTRY_MAX_DEPTH": "4"}).start()
    try:
        client = Client(srv.url, srv.admin_key())
        group = client.post("/project-group", {"name": "strict"}).json
        assert (
            client.post("/project", {"project_group_id": "strict", "name": "users", "data": USERS}).status
            == 201
        )
        deep = "A:\n  b:\n    c:\n      d:\n        e:\n          f: string\n"
        folder = _write(tmp_path / "s", {"users.yaml": USERS + "  email: string\n", "deep.yaml": deep})
        before = client.get(f"/project-group/{group['id']}").json
        result = run(
            "sync", str(folder), "--group", "strict", "--apply", "--url", srv.url, "--key", srv.admin_key()
        )
        assert result.returncode == 1, result
        assert "(422 invalid-schema)" in result.stderr and "operation 1 (create deep)" in result.stderr
        assert client.get(f"/project-group/{group['id']}").json == before
        assert client.get("/project/strict/users").json["data"] == USERS
    finally:
        srv.stop()


def test_sync_with_a_read_key_plans_but_cannot_apply(
    tmp_path: Path, server: Server, synced_group: dict[str, Any], make_key: MakeKey
) -> None:
    reader = make_key("read")
    folder = _write(tmp_path / "s", {"users.yaml": USERS + "  x: string\n"})
    args = (
        "sync",
        str(folder),
        "--group",
        synced_group["name"],
        "--url",
        server.url,
        "--key",
        str(reader.key),
    )
    assert run(*args).returncode == 0
    applied = run(*args, "--apply")
    assert applied.returncode == 1 and "(403 forbidden)" in applied.stderr
    assert run("sync", str(tmp_path / "nope"), "--group", "g", "--url", server.url).returncode == 2


def test_github_annotations_escape_what_would_end_them() -> None:
    from registry.formats import Problem
    from registry.ops.schema_files import problem_line

    line = problem_line("dir/a:b,c.yaml", Problem("50% done\r\nnext", None, None), "github")
    assert line == "::error file=dir/a%3Ab%2Cc.yaml,line=1,col=1::50%25 done%0D%0Anext"
    assert problem_line("x.yaml", Problem("two\nlines", 3, 4), "text") == "x.yaml:3:4: two lines"


def test_sync_refuses_to_prune_from_a_folder_without_schema_files(tmp_path: Path) -> None:
    empty = _write(tmp_path / "empty", {"README.md": "nothing here"})
    result = run("sync", str(empty), "--group", "any", "--prune", "--url", "http://127.0.0.1:9")
    assert result.returncode == 2
    assert "holds no schema files; --prune would delete every project of the group" in result.stderr


def test_sample_prints_or_writes_records(
    tmp_path: Path, remote: tuple[str, ...], group: dict[str, Any], api: Client
) -> None:
    body = {"project_group_id": group["id"], "name": "orders", "format": "sql", "data": ORDERS}
    assert api.post("/project", body).status == 201
    ref = f"{group['name']}/orders"
    printed = run("sample", ref, "--rows", "3", "--as", "csv", *remote)
    assert printed.returncode == 0, printed
    assert len(printed.stdout.strip().splitlines()) == 4  # the header and three records
    assert printed.stdout == run("sample", ref, "--rows", "3", "--as", "csv", *remote).stdout  # same seed
    target = tmp_path / "orders.parquet"
    written = run("sample", ref, "--as", "parquet", "-o", str(target), *remote)
    assert written.returncode == 0 and target.read_bytes()[:4] == b"PAR1"
    assert run("sample", ref, "--as", "parquet", *remote).returncode == 2  # binary: needs -o
    unknown = run("sample", ref, "--entity", "nowhere", *remote)
    assert unknown.returncode == 1 and "the schema has no entity 'nowhere'" in unknown.stderr
