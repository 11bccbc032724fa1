"""Every per-project route by group and name, and the deleted projects a group lists."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.client import Client
from tests.support.git import commit_count, repo_path
from tests.support.server import Server

V1 = "user:\n  name: string\n"
V2 = "user:\n  name: string\n  email: string\n"


def _create(api: Client, group: dict[str, Any], name: str, data: str = V1) -> dict[str, Any]:
    response = api.post("/project", {"project_group_id": group["id"], "name": name, "data": data})
    assert response.status == 201, response
    project: dict[str, Any] = response.json
    return project


def test_rename_and_delete_by_name(api: Client, server: Server, group: dict[str, Any]) -> None:
    project = _create(api, group, "users")
    renamed = api.patch(f"/project/{group['name']}/USERS", {"name": "members", "message": "clearer"})
    assert renamed.status == 200, renamed
    assert (renamed.json["id"], renamed.json["name"]) == (project["id"], "members")
    assert api.get(f"/project/{group['name']}/users").status == 404
    stale = api.delete(f"/project/{group['id']}/members", headers={"If-Match": f'"{project["version"]}"'})
    assert stale.status == 412 and stale.json["current_version"] == renamed.json["version"]
    commits = commit_count(repo_path(server.data_dir, group["id"]))
    deleted = api.delete(f"/project/{group['id']}/members", {"message": "retired"})
    assert deleted.status == 200 and deleted.json == {"message": "Project deleted"}
    assert commit_count(repo_path(server.data_dir, group["id"])) == commits + 1
    assert api.get(f"/project/{project['id']}").status == 404
    # A write by name never reaches a deleted project: only reads of the past and restore do.
    assert api.delete(f"/project/{group['id']}/members").status == 404
    assert api.patch(f"/project/{group['id']}/members", {"name": "x"}).status == 404


def test_history_and_restore_of_a_deleted_project_by_the_name_it_had(
    api: Client, group: dict[str, Any]
) -> None:
    project = _create(api, group, "orders")
    second = api.put(f"/project/{project['id']}", {"data": V2}).json["version"]
    api.delete(f"/project/{project['id']}")
    history = api.get(f"/project/{group['name']}/orders/history")
    assert history.status == 200
    assert [v["action"] for v in history.json["versions"]] == ["delete", "update", "create"]
    assert api.get(f"/project/{group['name']}/orders/versions/{second}").json["data"] == V2
    restored = api.post(f"/project/{group['name']}/orders/restore", {"version": second})
    assert restored.status == 200, restored
    assert (restored.json["id"], restored.json["data"]) == (project["id"], V2)
    assert api.get(f"/project/{group['name']}/orders").json["id"] == project["id"]


def test_a_live_project_wins_over_a_deleted_one_of_the_same_name(api: Client, group: dict[str, Any]) -> None:
    old = _create(api, group, "events")
    api.delete(f"/project/{old['id']}")
    new = _create(api, group, "events", V2)
    versions = api.get(f"/project/{group['name']}/events/history").json["versions"]
    assert [v["action"] for v in versions] == ["create"]
    assert api.get(f"/project/{group['name']}/events/diff").status == 200
    # The old one is still restorable by id (under its name, once that is free).
    refused = api.post(f"/project/{old['id']}/restore", {"version": old["version"]})
    assert refused.status == 409 and refused.json["code"] == "name-taken"
    assert new["id"] != old["id"]


def test_deleted_projects_are_listed_with_what_a_restore_needs(api: Client, group: dict[str, Any]) -> None:
    kept = _create(api, group, "kept")
    first = _create(api, group, "first")
    second = _create(api, group, "second")
    api.put(f"/project/{second['id']}", {"data": V2})
    last_state = api.patch(f"/project/{second['id']}", {"name": "second_renamed"}).json["version"]
    api.delete(f"/project/{first['id']}")
    gone = api.delete(f"/project/{second['id']}")
    assert gone.status == 200
    plain = api.get(f"/project-group/{group['name']}")
    assert "deleted_projects" not in plain.json
    listed = api.get(f"/project-group/{group['name']}?deleted=true")
    assert listed.status == 200
    assert listed.headers["ETag"] == plain.headers["ETag"]
    assert [p["id"] for p in listed.json["projects"]] == [kept["id"]]
    deleted = listed.json["deleted_projects"]
    assert [(d["id"], d["name"], d["format"]) for d in deleted] == [
        (second["id"], "second_renamed", "yaml"),  # most recently deleted first, under its last name
        (first["id"], "first", "yaml"),
    ]
    history = api.get(f"/project-group/{group['id']}/history").json["versions"]
    assert deleted[0]["deleted_in"] == history[0]["version"]
    assert deleted[0]["deleted_at"] == history[0]["timestamp"]
    assert deleted[0]["last_version"] == last_state
    assert deleted[1]["last_version"] == first["version"]
    # What the listing gives is all a restore takes.
    restored = api.post(f"/project/{deleted[0]['id']}/restore", {"version": deleted[0]["last_version"]})
    assert restored.status == 200 and restored.json["name"] == "second_renamed"
    after = api.get(f"/project-group/{group['name']}?deleted=true").json["deleted_projects"]
    assert [d["id"] for d in after] == [first["id"]]


def test_deleted_projects_as_of_a_past_version(api: Client, group: dict[str, Any]) -> None:
    project = _create(api, group, "temp")
    before = api.delete(f"/project/{project['id']}").status
    assert before == 200
    then = api.get(f"/project-group/{group['id']}?at={project['version']}&deleted=true")
    assert then.status == 200 and then.json["deleted_projects"] == []
    assert [
        d["id"] for d in api.get(f"/project-group/{group['id']}?deleted=true").json["deleted_projects"]
    ] == [project["id"]]


@pytest.mark.parametrize("value", ["", "1", "yes", "TRUE"])
def test_deleted_takes_true_or_false_only(api: Client, group: dict[str, Any], value: str) -> None:
    response = api.get(f"/project-group/{group['id']}?deleted={value}")
    assert response.status == 400 and response.json["code"] == "invalid-input"
    assert api.get(f"/project-group/{group['id']}?deleted=false").status == 200


def test_names_are_checked_against_the_keys_scope_first(
    api: Client, group: dict[str, Any], make_key: Any, unique: Any
) -> None:
    project = _create(api, group, "secret")
    api.delete(f"/project/{project['id']}")
    other = api.post("/project-group", {"name": unique("other")}).json
    outsider = make_key("write", other["name"])
    base = f"/project/{group['name']}/secret"
    for method, path, body in (
        ("GET", base + "/history", None),
        ("GET", base + "/diff", None),
        ("POST", base + "/restore", {"version": project["version"]}),
        ("PATCH", base, {"name": "x"}),
        ("DELETE", base, None),
        ("GET", f"/project-group/{group['name']}?deleted=true", None),
    ):
        assert outsider.request(method, path, body).status == 403, (method, path)
    # Unknown names in a group it cannot see: the same 403, telling nothing.
    assert outsider.get(f"/project/{group['name']}/nothing-here/history").status == 403
    reader = make_key("read")
    assert reader.post(base + "/restore", {"version": project["version"]}).status == 403
    assert reader.patch(base, {"name": "x"}).status == 403
    assert api.get(f"/project/{group['name']}/nothing-here/history").status == 404
