"""Projects: create, read (by id and by name), update, rename, delete, and their errors."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from tests.support.client import Client
from tests.support.git import commit_count, git, repo_path, show, tree_files
from tests.support.server import Server

USERS_YAML = "# people who sign up\nuser:\n  name: string   # display name\n  email: string\n"
ORDERS_YAML = "order:\n  id: number\n  status: enum(open, paid)\n"
SQL = "CREATE TABLE users (\n  id INT PRIMARY KEY,\n  email VARCHAR(200) NOT NULL\n);\n"


def create(api: Client, group: dict[str, Any], name: str = "users", **fields: Any) -> dict[str, Any]:
    response = api.post("/project", {"project_group_id": group["id"], "name": name, **fields})
    assert response.status == 201, response
    body: dict[str, Any] = response.json
    return body


def test_create_project_without_data(api: Client, group: dict[str, Any]) -> None:
    response = api.post("/project", {"project_group_id": group["id"], "name": "users"})
    assert response.status == 201
    body = response.json
    assert body["project_group_id"] == group["id"]
    assert body["name"] == "users"
    assert body["format"] == "yaml"
    assert body["data"] is None
    assert body["id"].startswith("_p")
    assert response.headers["Location"] == f"/project/{body['id']}"
    got = api.get(f"/project/{body['id']}")
    assert body.pop("warnings") == []  # a write's answer only
    assert got.json == body
    assert got.headers["ETag"] == f'"{body["version"]}"'


def test_create_with_data_stores_it_byte_for_byte(api: Client, server: Server, group: dict[str, Any]) -> None:
    data = "# comment first\r\nzeta:\n  b: string\n  a: number   \n\nalpha:\n  x: boolean  # ünïcödé ✓\n"
    project = create(api, group, data=data)
    assert project["data"] == data
    assert api.get(f"/project/{project['id']}").json["data"] == data
    repo = repo_path(server.data_dir, group["id"])
    assert show(repo, "main:users.yaml") == data.encode()


def test_group_name_lookup_ignores_case(api: Client, group: dict[str, Any]) -> None:
    project = create(api, group, name="Users", data=USERS_YAML)
    response = api.get(f"/project/{group['name'].upper()}/users")
    assert response.status == 200
    assert response.json == api.get(f"/project/{project['id']}").json


def test_reads_by_name_follow_every_change(api: Client, group: dict[str, Any], unique: Any) -> None:
    """Reads by name are answered from memory once warm; each change must show at once."""
    project = create(api, group, name="Users", data=USERS_YAML)
    by_name = f"/project/{group['name']}/users"
    for _ in range(2):  # the second read is the one served from memory
        assert api.get(by_name).json == api.get(f"/project/{project['id']}").json
    assert api.put(f"/project/{project['id']}", {"data": ORDERS_YAML}).status == 200
    got = api.get(by_name)
    assert got.json["data"] == ORDERS_YAML
    assert got.headers["ETag"] == api.get(f"/project/{project['id']}").headers["ETag"]
    assert api.patch(f"/project/{project['id']}", {"name": "people"}).status == 200
    assert api.get(by_name).status == 404
    assert api.get(f"/project/{group['name'].upper()}/PEOPLE").json["id"] == project["id"]
    # The group's old name, once free, can name another group with a project of the same name.
    old_name, new_name = group["name"], unique("renamed")
    assert api.put(f"/project-group/{group['id']}", {"name": new_name}).status == 200
    assert api.get(f"/project/{project['id']}").status == 200  # the renamed group's view is fresh
    assert api.get(f"/project/{old_name}/people").status == 404
    assert api.get(f"/project/{new_name}/people").json["id"] == project["id"]
    other = api.post("/project-group", {"name": old_name}).json
    theirs = create(api, other, name="people", data=USERS_YAML)
    assert api.get(f"/project/{old_name}/people").json["id"] == theirs["id"]
    assert api.get(f"/project/{new_name}/people").json["id"] == project["id"]
    assert api.delete(f"/project/{project['id']}").status == 200
    assert api.get(f"/project/{new_name}/people").status == 404
    assert api.get(f"/project/{group['id']}/people").status == 404


def test_each_format_gets_its_file_extension(api: Client, server: Server, group: dict[str, Any]) -> None:
    create(api, group, name="a", data=USERS_YAML)
    create(api, group, name="b", format="json_schema", data='{"type": "object"}')
    create(api, group, name="c", format="json_parquet", data='{"fields": [{"name": "id", "type": "INT64"}]}')
    create(api, group, name="d", format="sql", data=SQL)
    files = tree_files(repo_path(server.data_dir, group["id"]))
    assert files == [".registry.json", "a.yaml", "b.schema.json", "c.parquet.json", "d.sql"]


def test_update_project_is_one_commit_with_author_and_trailer(
    api: Client, make_key: Any, server: Server, group: dict[str, Any]
) -> None:
    project = create(api, group, data=USERS_YAML)
    writer = make_key("write")
    response = writer.put(f"/project/{project['id']}", {"data": ORDERS_YAML, "message": "orders, not users"})
    assert response.status == 200
    body = response.json
    assert body["data"] == ORDERS_YAML
    assert body["format"] == "yaml"
    assert body["version"] != project["version"]
    assert body["created_at"] == project["created_at"]
    repo = repo_path(server.data_dir, group["id"])
    assert commit_count(repo) == 3
    log = git("--git-dir", str(repo), "log", "-1", "--format=%an%n%s%n%b").stdout
    assert log.startswith(f"{writer.name}\nUpdate users (yaml)\n")
    assert "orders, not users" in log
    assert f"Project-Id: {project['id']}" in log


def test_update_by_name(api: Client, group: dict[str, Any]) -> None:
    project = create(api, group, data=USERS_YAML)
    response = api.put(f"/project/{group['name']}/users", {"data": ORDERS_YAML})
    assert response.status == 200
    assert response.json["id"] == project["id"]
    assert api.get(f"/project/{project['id']}").json["data"] == ORDERS_YAML


def test_update_without_format_keeps_the_current_format(api: Client, group: dict[str, Any]) -> None:
    project = create(api, group, format="sql", data=SQL)
    response = api.put(f"/project/{project['id']}", {"data": SQL.replace("200", "300")})
    assert response.status == 200
    assert response.json["format"] == "sql"
    bad = api.put(f"/project/{project['id']}", {"data": USERS_YAML})  # yaml text, checked as sql
    assert bad.status == 422


def test_format_change_renames_the_file(api: Client, server: Server, group: dict[str, Any]) -> None:
    project = create(api, group, data=USERS_YAML)
    response = api.put(f"/project/{project['id']}", {"data": SQL, "format": "sql"})
    assert response.status == 200
    assert response.json["format"] == "sql"
    repo = repo_path(server.data_dir, group["id"])
    assert tree_files(repo) == [".registry.json", "users.sql"]
    status = git("--git-dir", str(repo), "show", "--name-status", "--format=", "main").stdout.split("\n")
    assert "A\tusers.sql" in status
    assert "D\tusers.yaml" in status


def test_rename_project_is_a_git_rename(api: Client, server: Server, group: dict[str, Any]) -> None:
    project = create(api, group, data=USERS_YAML)
    response = api.patch(f"/project/{project['id']}", {"name": "members"})
    assert response.status == 200
    assert response.json["name"] == "members"
    assert response.json["id"] == project["id"]
    assert api.get(f"/project/{group['name']}/users").status == 404
    assert api.get(f"/project/{group['name']}/members").json["data"] == USERS_YAML
    repo = repo_path(server.data_dir, group["id"])
    renames = git("--git-dir", str(repo), "show", "-M", "--name-status", "--format=", "main").stdout
    assert "R100\tusers.yaml\tmembers.yaml" in renames


def test_rename_to_the_same_name_in_other_case(api: Client, group: dict[str, Any]) -> None:
    project = create(api, group, data=USERS_YAML)
    response = api.patch(f"/project/{project['id']}", {"name": "USERS"})
    assert response.status == 200
    assert api.get(f"/project/{group['name']}/USERS").json["name"] == "USERS"


def test_delete_project(api: Client, server: Server, group: dict[str, Any]) -> None:
    project = create(api, group, data=USERS_YAML)
    response = api.delete(f"/project/{project['id']}")
    assert response.status == 200
    assert response.json == {"message": "Project deleted"}
    assert api.get(f"/project/{project['id']}").status == 404
    assert api.put(f"/project/{project['id']}", {"data": USERS_YAML}).status == 404
    assert api.delete(f"/project/{project['id']}").status == 404
    repo = repo_path(server.data_dir, group["id"])
    assert tree_files(repo) == [".registry.json"]
    assert show(repo, "main~1:users.yaml") == USERS_YAML.encode()  # history keeps it
    # A new project with the same name gets a new id: ids are never reused.
    again = create(api, group, data=USERS_YAML)
    assert again["id"] != project["id"]


def test_duplicate_project_name_ignoring_case_is_409(api: Client, group: dict[str, Any]) -> None:
    create(api, group)
    response = api.post("/project", {"project_group_id": group["id"], "name": "USERS"})
    assert response.status == 409
    assert response.json["code"] == "name-taken"
    other = create(api, group, name="other")
    assert api.patch(f"/project/{other['id']}", {"name": "Users"}).status == 409


def test_same_project_name_in_two_groups_is_fine(api: Client, group: dict[str, Any], unique: Any) -> None:
    second = api.post("/project-group", {"name": unique("second")}).json
    create(api, group)
    create(api, second)


def test_invalid_schema_is_422_with_located_errors_and_no_commit(
    api: Client, server: Server, group: dict[str, Any]
) -> None:
    repo = repo_path(server.data_dir, group["id"])
    response = api.post(
        "/project", {"project_group_id": group["id"], "name": "bad", "data": "user:\n  name: [string\n"}
    )
    assert response.status == 422
    body = response.json
    assert body["code"] == "invalid-schema"
    assert body["errors"]
    assert all(e["line"] for e in body["errors"])
    assert commit_count(repo) == 1
    project = create(api, group, data=USERS_YAML)
    bad_sql = api.put(f"/project/{project['id']}", {"format": "sql", "data": "CREATE TABLE t (id INT"})
    assert bad_sql.status == 422
    assert bad_sql.json["errors"][0]["line"] == 1
    assert commit_count(repo) == 2
    assert api.get(f"/project/{project['id']}").json["data"] == USERS_YAML


def test_past_the_cap_the_detail_still_counts_every_error(api: Client, group: dict[str, Any]) -> None:
    bad = "E:\n" + "".join(f"  f{i}: nosuchtype\n" for i in range(300))
    response = api.post("/project", {"project_group_id": group["id"], "name": "many", "data": bad})
    assert response.status == 422
    body = response.json
    assert body["detail"] == "the yaml schema has 300 error(s) (the first 200 are listed)"
    assert len(body["errors"]) == 201 and body["errors"][-1]["message"] == "100 more errors not shown"


@pytest.mark.parametrize(
    "body",
    [
        {"name": "p", "format": "xml"},
        {"name": "p", "format": 3},
        {"name": "p", "data": 5},
        {"name": "p", "data": {"user": {}}},
        {"name": 7},
        {"name": "../p"},
        {"name": "p.git"},
        {"name": "p", "dialect": "postgres", "format": "yaml"},
        {"name": "p", "message": ["x"]},
    ],
)
def test_bad_create_fields_are_400(api: Client, group: dict[str, Any], body: dict[str, Any]) -> None:
    response = api.post("/project", {"project_group_id": group["id"], **body})
    assert response.status == 400, response
    assert response.json["code"] == "invalid-input"


def test_create_in_unknown_group_is_404(api: Client) -> None:
    response = api.post("/project", {"project_group_id": "_g0000000000000000", "name": "p"})
    assert response.status == 404
    assert api.post("/project", {"project_group_id": "nope-none", "name": "p"}).status == 404
    assert api.post("/project", {"name": "p"}).status == 400


@pytest.mark.parametrize("pid", ["_p0000000000000000001", "x", "_g0000000000000000", "..", "%2e%2e", "_p"])
def test_unknown_project_ids_are_404(api: Client, pid: str) -> None:
    assert api.get(f"/project/{pid}").status == 404
    assert api.put(f"/project/{pid}", {"data": USERS_YAML}).status == 404
    assert api.patch(f"/project/{pid}", {"name": "n"}).status == 404
    assert api.delete(f"/project/{pid}").status == 404


def test_put_needs_data(api: Client, group: dict[str, Any]) -> None:
    project = create(api, group, data=USERS_YAML)
    for body in ({}, {"data": None}, {"data": 1}, {"format": "yaml"}):
        assert api.put(f"/project/{project['id']}", body).status == 400


def test_if_match(api: Client, server: Server, group: dict[str, Any]) -> None:
    project = create(api, group, data=USERS_YAML)
    etag = api.get(f"/project/{project['id']}").headers["ETag"]
    other = create(api, group, name="other", data=ORDERS_YAML)
    # A change to another project does not change this project's version.
    assert api.get(f"/project/{project['id']}").headers["ETag"] == etag
    ok = api.put(f"/project/{project['id']}", {"data": ORDERS_YAML}, headers={"If-Match": etag})
    assert ok.status == 200
    commits = commit_count(repo_path(server.data_dir, group["id"]))
    for method, body in (("PUT", {"data": USERS_YAML}), ("PATCH", {"name": "renamed"}), ("DELETE", None)):
        stale = api.request(method, f"/project/{project['id']}", body, headers={"If-Match": etag})
        assert stale.status == 412, method
        assert stale.json["code"] == "version-mismatch"
    assert commit_count(repo_path(server.data_dir, group["id"])) == commits
    assert api.get(f"/project/{project['id']}").json["data"] == ORDERS_YAML
    fresh = api.get(f"/project/{project['id']}").headers["ETag"]
    assert (
        api.patch(f"/project/{project['id']}", {"name": "renamed"}, headers={"If-Match": fresh}).status == 200
    )
    assert api.delete(f"/project/{other['id']}", headers={"If-Match": "*"}).status == 200


def test_ids_survive_a_restart(tmp_path: Any) -> None:
    srv = Server(tmp_path / "data").start()
    try:
        api = Client(srv.url, srv.admin_key())
        group = api.post("/project-group", {"name": "g"}).json
        project = create(api, group, data=USERS_YAML)
    finally:
        srv.stop()
    srv.start()
    try:
        again = Client(srv.url, srv.admin_key()).get(f"/project/{project['id']}")
        assert again.status == 200
        assert again.json == {k: v for k, v in project.items() if k != "warnings"}
    finally:
        srv.stop()


def _project_with_commit_count(
    api: Client, server: Server, group: dict[str, Any]
) -> tuple[Path, dict[str, Any], int]:
    """(the group's repository, a new project in it, the repository's commit count now)."""
    repo = repo_path(server.data_dir, group["id"])
    project = create(api, group, data=USERS_YAML)
    return repo, project, commit_count(repo)


def test_a_write_that_changes_nothing_makes_no_commit(
    api: Client, server: Server, group: dict[str, Any]
) -> None:
    repo, project, commits = _project_with_commit_count(api, server, group)
    for body in ({"data": USERS_YAML}, {"data": USERS_YAML, "format": "yaml", "message": "again"}):
        same = api.put(f"/project/{project['id']}", body)
        assert same.status == 200
        assert (same.json["version"], same.json["data"]) == (project["version"], USERS_YAML)
        assert same.headers["ETag"] == f'"{project["version"]}"'
    renamed = api.patch(f"/project/{project['id']}", {"name": "users"})
    assert renamed.status == 200 and renamed.json["version"] == project["version"]
    group_same = api.put(f"/project-group/{group['id']}", {"name": group["name"]})
    assert (
        group_same.status == 200
        and group_same.json["version"] == api.get(f"/project-group/{group['id']}").json["version"]
    )
    assert commit_count(repo) == commits
    # A stale If-Match is still refused, though nothing would change.
    assert (
        api.put(f"/project/{project['id']}", {"data": USERS_YAML}, headers={"If-Match": '"0000"'}).status
        == 412
    )
    # A change of case is a rename, and different data an update.
    assert api.patch(f"/project/{project['id']}", {"name": "Users"}).json["version"] != project["version"]
    assert api.put(f"/project/{project['id']}", {"data": USERS_YAML + "# more\n"}).status == 200
    assert commit_count(repo) == commits + 2


def test_concurrent_writes_of_the_same_schema_make_one_commit(
    api: Client, server: Server, group: dict[str, Any]
) -> None:
    repo, project, commits = _project_with_commit_count(api, server, group)
    new = USERS_YAML + "  age: number\n"
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _: api.put(f"/project/{project['id']}", {"data": new}), range(8)))
    assert [a.status for a in answers] == [200] * 8
    assert len({a.json["version"] for a in answers}) == 1
    assert commit_count(repo) == commits + 1
    assert api.get(f"/project/{project['id']}").json["version"] == answers[0].json["version"]


def test_an_empty_if_match_matches_no_version(api: Client, group: dict[str, Any]) -> None:
    project = create(api, group, data=USERS_YAML)
    refused = api.put(f"/project/{project['id']}", {"data": USERS_YAML + "# x\n"}, headers={"If-Match": ""})
    assert refused.status == 412 and refused.json["code"] == "version-mismatch"
    listed = api.put(
        f"/project/{project['id']}",
        {"data": USERS_YAML + "# x\n"},
        headers={"If-Match": f'"0000", W/"{project["version"]}"'},
    )
    assert listed.status == 200
