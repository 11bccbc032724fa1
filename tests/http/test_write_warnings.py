"""Warnings are told to whoever stores a schema: on create, on update, and on git push."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.support.client import Client
from tests.support.git import git
from tests.support.server import Server

CLEAN = "CREATE TABLE t (id INT PRIMARY KEY);\n"
WITH_WARNINGS = (
    "CREATE TABLE schema_migrations (version VARCHAR(20) PRIMARY KEY);\n"
    "CREATE TABLE t (id INT PRIMARY KEY) WITHOUT ROWID;\n"
    "INSERT INTO schema_migrations (version) VALUES ('20240101000000');\n"
)


def _expected(api: Client, data: str) -> list[dict[str, Any]]:
    listed: list[dict[str, Any]] = api.post("/validate", {"format": "sql", "data": data}).json["warnings"]
    assert len(listed) >= 2  # the table options, the migration rows (and maybe the dialect)
    return listed


def test_create_and_update_answer_the_validators_warnings(api: Client, group: dict[str, Any]) -> None:
    expected = _expected(api, WITH_WARNINGS)
    created = api.post(
        "/project", {"project_group_id": group["id"], "name": "app", "format": "sql", "data": WITH_WARNINGS}
    )
    assert created.status == 201
    assert created.json["warnings"] == expected
    assert any("'schema_migrations'" in w["message"] for w in created.json["warnings"])
    assert "warnings" not in api.get(f"/project/{created.json['id']}").json  # reads do not repeat them
    cleaned = api.put(f"/project/{created.json['id']}", {"data": CLEAN})
    assert cleaned.status == 200
    assert cleaned.json["warnings"] == []
    again = api.put(f"/project/{group['name']}/app", {"data": WITH_WARNINGS})
    assert again.json["warnings"] == expected
    unchanged = api.put(f"/project/{created.json['id']}", {"data": WITH_WARNINGS})  # no commit, same answer
    assert unchanged.json["version"] == again.json["version"]
    assert unchanged.json["warnings"] == expected
    empty = api.post("/project", {"project_group_id": group["id"], "name": "later", "format": "sql"})
    assert empty.status == 201
    assert empty.json["warnings"] == []


def test_a_refused_write_has_errors_not_warnings(api: Client, group: dict[str, Any]) -> None:
    refused = api.post(
        "/project",
        {
            "project_group_id": group["id"],
            "name": "bad",
            "format": "sql",
            "data": WITH_WARNINGS + "DROP TABLE t;\n",
        },
    )
    assert refused.status == 422
    assert "warnings" not in refused.json


def test_git_push_prints_the_warnings_of_each_pushed_file(
    api: Client, server: Server, group: dict[str, Any], tmp_path: Path
) -> None:
    api.post("/project", {"project_group_id": group["id"], "name": "clean", "format": "sql", "data": CLEAN})
    url = f"http://any:{api.key}@127.0.0.1:{server.port}/git/{group['name']}.git"
    git("clone", "-q", url, "work", cwd=tmp_path)
    work = tmp_path / "work"
    (work / "app.sql").write_text(WITH_WARNINGS)
    git("add", "-A", cwd=work)
    git("-c", "user.name=Ada", "-c", "user.email=ada@example.com", "commit", "-q", "-m", "App", cwd=work)
    pushed = git("push", "origin", "main", cwd=work)
    lines = [line for line in pushed.stderr.splitlines() if "warning:" in line]
    expected = [
        f"remote: app.sql:{w['line']}:{w['column']}: warning: {w['message']}"
        for w in _expected(api, WITH_WARNINGS)
    ]
    assert [line.rstrip() for line in lines] == expected
    assert not any("clean.sql" in line for line in pushed.stderr.splitlines())  # unchanged files: silent
