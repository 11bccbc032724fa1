"""POST /project-group/{group}/batch: many changes, one commit, all or nothing."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import MakeKey
from tests.support.client import Client
from tests.support.git import commit_count, git, repo_path, tree_files
from tests.support.server import Server

USERS = "User:\n  id: number\n  name: string\n"
ORDERS = "CREATE TABLE orders (id INT PRIMARY KEY, total DECIMAL(10, 2));\n"
BROKEN_YAML = "User:\n  id: nosuchtype\n"


def _project(api: Client, group: dict[str, Any], name: str, data: str, fmt: str = "yaml") -> dict[str, Any]:
    response = api.post(
        "/project", {"project_group_id": group["id"], "name": name, "data": data, "format": fmt}
    )
    assert response.status == 201, response
    body: dict[str, Any] = response.json
    return body


def _state(api: Client, group: dict[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = api.get(f"/project-group/{group['id']}").json
    return body


def test_a_batch_is_one_commit_with_every_change_in_history(
    api: Client, server: Server, group: dict[str, Any]
) -> None:
    users = _project(api, group, "users", USERS)
    old = _project(api, group, "old", ORDERS, "sql")
    gone = _project(api, group, "gone", USERS)
    repo = repo_path(server.data_dir, group["id"])
    before = commit_count(repo)
    response = api.post(
        f"/project-group/{group['name']}/batch",
        {
            "operations": [
                {"action": "delete", "project": "gone"},
                {"action": "rename", "project": old["id"], "name": "orders"},
                {"action": "update", "project": "USERS", "data": USERS + "  email: string\n"},
                {
                    "action": "create",
                    "name": "gone",
                    "format": "sql",
                    "dialect": "postgresql",
                    "data": ORDERS,
                },
            ],
            "message": "sync from ci",
        },
    )
    assert response.status == 200, response
    version = response.json["version"]
    assert response.headers["ETag"] == f'"{version}"'
    assert commit_count(repo) == before + 1
    assert [(c["action"], c["name"]) for c in response.json["changes"]] == [
        ("delete", "gone"),
        ("rename", "orders"),
        ("update", "users"),
        ("create", "gone"),
    ]
    created = response.json["changes"][3]
    assert created["id"] != gone["id"]
    assert created["dialect"] == "postgres"
    assert sorted(tree_files(repo)) == [".registry.json", "gone.sql", "orders.sql", "users.yaml"]
    state = _state(api, group)
    assert state["version"] == version
    assert {p["name"]: p["id"] for p in state["projects"]} == {
        "gone": created["id"],
        "orders": old["id"],
        "users": users["id"],
    }
    # The rename kept the project, its id and its history.
    history = api.get(f"/project/{old['id']}/history").json["versions"]
    assert [(v["action"], v["name"], v["version"]) for v in history[:2]] == [
        ("rename", "orders", version),
        ("create", "old", old["version"]),
    ]
    assert history[0]["message"] == "sync from ci"
    group_page = api.get(f"/project-group/{group['id']}/history?limit=1").json["versions"][0]
    assert group_page["action"] == "batch"
    assert {(p["name"], p["action"]) for p in group_page["projects"]} == {
        ("gone", "delete"),
        ("orders", "rename"),
        ("users", "update"),
        ("gone", "create"),
    }
    assert api.get(f"/project/{users['id']}").json["version"] == version
    log = git("--git-dir", str(repo), "log", "-1", "--format=%B").stdout
    assert "Registry-Action: batch" in log and f"Batch-Change: rename {old['id']} orders sql" in log


def test_one_invalid_document_refuses_the_whole_batch(
    api: Client, server: Server, group: dict[str, Any]
) -> None:
    _project(api, group, "users", USERS)
    before = _state(api, group)
    repo = repo_path(server.data_dir, group["id"])
    commits = commit_count(repo)
    response = api.post(
        f"/project-group/{group['id']}/batch",
        {
            "operations": [
                {"action": "create", "name": "fine", "data": USERS},
                {"action": "update", "project": "users", "data": BROKEN_YAML},
            ]
        },
    )
    assert response.status == 422, response
    problem = response.json
    assert problem["code"] == "invalid-schema"
    assert "operation 1 (update users)" in problem["detail"]
    assert problem["errors"] and all(
        e["message"].startswith("operation 1 (update users): ") for e in problem["errors"]
    )
    assert (problem["errors"][0]["line"], problem["errors"][0]["column"]) == (2, 7)
    assert commit_count(repo) == commits
    assert _state(api, group) == before


@pytest.mark.parametrize(
    ("operations", "status", "code", "says"),
    [
        (
            [{"action": "create", "name": "fine", "data": USERS}, {"action": "delete", "project": "nope"}],
            404,
            "not-found",
            "operation 1 (delete nope): no project 'nope'",
        ),
        (
            [
                {"action": "create", "name": "fine", "data": USERS},
                {"action": "rename", "project": "users", "name": "FINE"},
            ],
            409,
            "name-taken",
            "operation 1 (rename FINE)",
        ),
        (
            [
                {"action": "update", "project": "users", "data": USERS},
                {"action": "delete", "project": "users"},
            ],
            400,
            "invalid-input",
            "named by an earlier operation",
        ),
        ([{"action": "create", "name": "USERS", "data": USERS}], 409, "name-taken", "already exists"),
    ],
)
def test_a_refused_operation_changes_nothing(
    api: Client,
    server: Server,
    group: dict[str, Any],
    operations: list[dict[str, Any]],
    status: int,
    code: str,
    says: str,
) -> None:
    _project(api, group, "users", USERS)
    before = _state(api, group)
    response = api.post(f"/project-group/{group['id']}/batch", {"operations": operations})
    assert response.status == status, response
    assert response.json["code"] == code
    assert says in response.json["detail"]
    assert "nothing was changed" in response.json["detail"] or status == 400
    assert _state(api, group) == before


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({}, "field 'operations' is required"),
        ({"operations": []}, "at least one operation"),
        ({"operations": "create"}, "must be a array"),
        ({"operations": [1]}, "operation 0 must be a JSON object"),
        ({"operations": [{"action": "upsert", "name": "x"}]}, "action must be one of"),
        ({"operations": [{"action": "create"}]}, "'name' is for create and rename only"),
        ({"operations": [{"action": "create", "name": "a b"}]}, "project name"),
        ({"operations": [{"action": "create", "name": "x", "format": "toml"}]}, "format must be one of"),
        (
            {"operations": [{"action": "create", "name": "x", "dialect": "klingon", "format": "sql"}]},
            "klingon",
        ),
        ({"operations": [{"action": "update", "name": "x", "data": "a: b"}]}, "'project' is required"),
        ({"operations": [{"action": "update", "project": "x"}]}, "'data' is required"),
        ({"operations": [{"action": "delete", "project": "x", "data": "a: b"}]}, "takes no data"),
        ({"operations": [{"action": "create", "project": "x", "name": "y"}]}, "'project' is not allowed"),
        ({"operations": [{"action": "create", "name": "x", "data": 5}]}, "field 'data' must be a string"),
        ({"operations": [{"action": "create", "name": "x", "data": "\ud800"}]}, "unpaired surrogate"),
        ({"operations": [{"action": "delete", "project": "x"}] * 1001}, "at most 1000 operations"),
        ({"operations": [{"action": "delete", "project": "x"}], "message": 3}, "field 'message'"),
    ],
)
def test_bad_input_is_a_400_that_names_the_problem(
    api: Client, group: dict[str, Any], body: dict[str, Any], says: str
) -> None:
    before = _state(api, group)
    response = api.post(f"/project-group/{group['id']}/batch", body)
    assert response.status == 400, response
    assert response.json["code"] == "invalid-input"
    assert says in response.json["detail"]
    assert _state(api, group) == before


def test_malformed_json_and_unknown_groups(api: Client, group: dict[str, Any]) -> None:
    response = api.post(
        f"/project-group/{group['id']}/batch", raw=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert response.status == 400
    assert api.post("/project-group/no-such-group/batch", {"operations": []}).status == 404


def test_if_match_names_the_group_version(api: Client, group: dict[str, Any]) -> None:
    _project(api, group, "users", USERS)
    current = _state(api, group)["version"]
    ops = {"operations": [{"action": "create", "name": "more", "data": USERS}]}
    stale = api.post(
        f"/project-group/{group['id']}/batch", ops, headers={"If-Match": f'"{group["version"]}"'}
    )
    assert stale.status == 412
    assert stale.json["code"] == "version-mismatch"
    assert current in stale.json["detail"]
    assert _state(api, group)["version"] == current
    fresh = api.post(f"/project-group/{group['id']}/batch", ops, headers={"If-Match": f'"{current}"'})
    assert fresh.status == 200, fresh
    assert [p["name"] for p in _state(api, group)["projects"]] == ["more", "users"]


def test_a_batch_of_the_same_schemas_changes_nothing(
    api: Client, server: Server, group: dict[str, Any]
) -> None:
    _project(api, group, "users", USERS)
    version = _state(api, group)["version"]
    response = api.post(
        f"/project-group/{group['id']}/batch",
        {"operations": [{"action": "update", "project": "users", "data": USERS}]},
    )
    assert response.status == 200, response
    assert response.json == {"version": version, "changes": []}
    assert commit_count(repo_path(server.data_dir, group["id"])) == 2


def test_a_read_key_may_not_apply_a_batch(make_key: MakeKey, group: dict[str, Any]) -> None:
    reader = make_key("read")
    response = reader.post(
        f"/project-group/{group['id']}/batch", {"operations": [{"action": "create", "name": "x"}]}
    )
    assert response.status == 403
    assert response.json["code"] == "forbidden"
