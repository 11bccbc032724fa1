"""Compatibility levels and checks through the API: config routes, checks, enforcement, summaries."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import MakeKey
from tests.support.client import Client
from tests.support.git import git, repo_path, show
from tests.support.openapi_check import check_response
from tests.support.server import Server, run_cli

V1 = "user:\n  name: string\n"
V2 = "user:\n  name: string\n  email: string\n"


def create(
    api: Client, group: dict[str, Any], name: str = "users", data: str | None = V1, **more: Any
) -> Any:
    body = {"project_group_id": group["id"], "name": name, **more}
    if data is not None:
        body["data"] = data
    response = api.post("/project", body)
    assert response.status == 201, response
    return response.json


def trailers(server: Server, group_id: str, rev: str = "main") -> str:
    return git("--git-dir", str(repo_path(server.data_dir, group_id)), "log", "-1", "--format=%B", rev).stdout


# -- config routes ------------------------------------------------------------------------------


def test_a_group_follows_the_servers_default_until_it_sets_a_level(
    api: Client, server: Server, group: dict[str, Any]
) -> None:
    response = api.get(f"/project-group/{group['name']}/config")
    assert response.status == 200
    assert response.json == {"compatibility": "NONE", "source": "default"}
    assert response.headers["ETag"] == f'"{group["version"]}"'
    project = create(api, group)
    head = api.get(f"/project-group/{group['id']}").json["version"]
    response = api.put(
        f"/project-group/{group['id']}/config",
        {"compatibility": "BACKWARD", "message": "consumers upgrade first"},
        headers={"If-Match": f'"{head}"'},
    )
    assert response.status == 200, response
    assert response.json == {"compatibility": "BACKWARD", "source": "group"}
    new_head = response.headers["ETag"].strip('"')
    assert new_head != head
    assert api.get(f"/project-group/{group['id']}/config").json == response.json
    message = trailers(server, group["id"])
    assert message.startswith(f"Set compatibility of project group {group['name']} to BACKWARD\n")
    assert "consumers upgrade first" in message
    assert "Registry-Action: set-compatibility" in message
    assert "Compatibility-Level: BACKWARD" in message
    assert "Project-Id" not in message
    metadata = json.loads(show(repo_path(server.data_dir, group["id"]), "main:.registry.json"))
    assert metadata["group"]["compatibility"] == "BACKWARD"
    # No project changed: same version, no new history entry; the group history lists the commit.
    assert api.get(f"/project/{project['id']}").json["version"] == project["version"]
    assert len(api.get(f"/project/{project['id']}/history").json["versions"]) == 1
    latest = api.get(f"/project-group/{group['id']}/history?limit=1").json["versions"][0]
    assert (latest["version"], latest["action"], latest["projects"]) == (new_head, "set-compatibility", [])


def test_setting_the_same_level_again_makes_no_commit(api: Client, group: dict[str, Any]) -> None:
    first = api.put(f"/project-group/{group['id']}/config", {"compatibility": "FULL"})
    again = api.put(f"/project-group/{group['id']}/config", {"compatibility": "FULL"})
    assert again.status == 200
    assert again.headers["ETag"] == first.headers["ETag"]


def test_group_config_errors(api: Client, group: dict[str, Any], make_key: MakeKey) -> None:
    path = f"/project-group/{group['id']}/config"
    for bad in ("backward", "SOMETIMES", 3, ["FULL"]):
        response = api.put(path, {"compatibility": bad})
        assert response.status == 400, response
        assert response.json["code"] == "invalid-compatibility-level"
        assert "BACKWARD_TRANSITIVE" in response.json["detail"]
    missing = api.put(path, {"message": "no level"})
    assert (missing.status, missing.json["code"]) == (400, "invalid-input")
    assert api.put(path, raw=b"{not json").status == 400
    stale = api.put(path, {"compatibility": "FULL"}, headers={"If-Match": '"' + "0" * 40 + '"'})
    assert (stale.status, stale.json["code"]) == (412, "version-mismatch")
    writer = make_key("write")
    assert writer.put(path, {"compatibility": "FULL"}).status == 403
    assert writer.get(path).status == 200  # reading needs only read
    assert api.get("/project-group/no-such-group-here/config").status == 404
    assert api.get(f"{path}?at=yesterday").status == 400
    assert api.get(path).json == {"compatibility": "NONE", "source": "default"}  # nothing was set


def test_a_project_level_overrides_its_group_and_can_be_dropped(
    api: Client, server: Server, group: dict[str, Any], make_key: MakeKey
) -> None:
    project = create(api, group)
    path = f"/project/{project['id']}/config"
    assert api.get(path).json == {"compatibility": "NONE", "source": "default"}
    api.put(f"/project-group/{group['id']}/config", {"compatibility": "FORWARD"})
    assert api.get(path).json == {"compatibility": "FORWARD", "source": "group"}
    response = api.put(path, {"compatibility": "FULL_TRANSITIVE"})
    assert response.status == 200, response
    assert response.json == {"compatibility": "FULL_TRANSITIVE", "source": "project"}
    message = trailers(server, group["id"])
    assert message.startswith("Set compatibility of users to FULL_TRANSITIVE\n")
    assert f"Compatibility-Project: {project['id']}" in message
    assert "Registry-Action: set-compatibility" in message
    metadata = json.loads(show(repo_path(server.data_dir, group["id"]), "main:.registry.json"))
    assert metadata["projects"][project["id"]]["compatibility"] == "FULL_TRANSITIVE"
    current = api.get(f"/project/{project['id']}").json
    assert (current["version"], current["updated_at"]) == (project["version"], project["updated_at"])
    dropped = api.put(path, {"compatibility": None})
    assert dropped.json == {"compatibility": "FORWARD", "source": "group"}
    assert "Compatibility-Level: inherit" in trailers(server, group["id"])
    assert make_key("write").put(path, {"compatibility": "FULL"}).status == 403
    bad = api.put(path, {"compatibility": "full"})
    assert (bad.status, bad.json["code"]) == (400, "invalid-compatibility-level")
    assert api.put(path, {}).status == 400
    assert api.get("/project/_pnosuchgroupatall1/config").status == 404
    api.delete(f"/project/{project['id']}")
    assert api.get(path).status == 404
    assert api.put(path, {"compatibility": "FULL"}).status == 404


def test_the_config_route_by_name_is_the_project_named_config(api: Client, group: dict[str, Any]) -> None:
    create(api, group, name="config")
    response = api.get(f"/project/{group['name']}/config")
    assert response.status == 200
    assert response.json["name"] == "config"
    assert response.json["data"] == V1


def test_time_travel_sees_the_level_in_force_then(api: Client, group: dict[str, Any]) -> None:
    project = create(api, group)
    before = api.get(f"/project-group/{group['id']}").json["version"]
    api.put(f"/project-group/{group['id']}/config", {"compatibility": "BACKWARD"})
    backward = api.put(f"/project/{project['id']}/config", {"compatibility": "FULL"})
    assert backward.status == 200
    full_at = api.get(f"/project-group/{group['id']}").json["version"]
    assert api.post(f"/project-group/{group['id']}/tags", {"name": "full"}).status == 201
    api.put(f"/project-group/{group['id']}/config", {"compatibility": "NONE"})
    api.put(f"/project/{project['id']}/config", {"compatibility": None})
    group_path, project_path = f"/project-group/{group['id']}/config", f"/project/{project['id']}/config"
    assert api.get(group_path).json == {"compatibility": "NONE", "source": "group"}
    assert api.get(project_path).json == {"compatibility": "NONE", "source": "group"}
    then = api.get(f"{group_path}?at={before}")
    assert then.json == {"compatibility": "NONE", "source": "default"}
    assert "ETag" not in then.headers  # as a group read with ?at=
    assert api.get(f"{group_path}?at=full").json == {"compatibility": "BACKWARD", "source": "group"}
    assert api.get(f"{project_path}?at={full_at[:10]}").json == {"compatibility": "FULL", "source": "project"}
    assert api.get(f"{project_path}?at={before}").json == {"compatibility": "NONE", "source": "default"}
    assert api.get(f"{project_path}?at=2000-01-01T00:00:00Z").status == 404
    assert api.get(f"{project_path}?at=ffffffffff").status == 404


@pytest.fixture(scope="module")
def strict_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server whose default level is BACKWARD (groups without their own follow it)."""
    srv = Server(
        tmp_path_factory.mktemp("strict") / "data", extra_args=("--default-compatibility", "BACKWARD")
    )
    yield srv.start()
    srv.stop()


@pytest.fixture(scope="module")
def strict(strict_server: Server) -> Client:
    return Client(strict_server.url, strict_server.admin_key(), hooks=[check_response])


def test_the_servers_default_level_is_read_live(strict: Client) -> None:
    group = strict.post("/project-group", {"name": "strict-default"}).json
    project = create(strict, group)
    assert strict.get(f"/project-group/{group['id']}/config").json == {
        "compatibility": "BACKWARD",
        "source": "default",
    }
    assert strict.get(f"/project/{project['id']}/config").json == {
        "compatibility": "BACKWARD",
        "source": "default",
    }


def test_the_default_level_setting(tmp_path: Path) -> None:
    assert "--default-compatibility" in run_cli("serve", "--help").stdout
    refused = run_cli("serve", "--default-compatibility", "SOMETIMES", data_dir=tmp_path / "d", check=False)
    assert refused.returncode == 2
    assert "--default-compatibility" in refused.stderr and "SOMETIMES" in refused.stderr
    srv = Server(tmp_path / "data", env={"REGISTRY_DEFAULT_COMPATIBILITY": "never"})
    with pytest.raises(RuntimeError, match="REGISTRY_DEFAULT_COMPATIBILITY"):
        srv.start()


# -- checks -------------------------------------------------------------------------------------


def head_of(api: Client, group: dict[str, Any]) -> str:
    version: str = api.get(f"/project-group/{group['id']}").json["version"]
    return version


def test_a_check_explains_each_change_and_commits_nothing(api: Client, group: dict[str, Any]) -> None:
    api.put(f"/project-group/{group['id']}/config", {"compatibility": "BACKWARD"})
    project = create(api, group)
    head = head_of(api, group)
    path = f"/project/{project['id']}/compatibility"
    response = api.post(path, {"data": V2})
    assert response.status == 200, response
    verdict = response.json
    assert (verdict["compatible"], verdict["level"], verdict["against"]) == (
        False,
        "BACKWARD",
        [project["version"]],
    )
    [change] = verdict["changes"]
    assert (change["kind"], change["path"], change["breaks"]) == ("field-added", "user.email", ["BACKWARD"])
    assert change["against"] == project["version"]
    assert "email" in change["message"] and change["before"] is None
    assert api.post(path, {"data": V2, "level": "FORWARD"}).json["compatible"] is True
    assert api.post(path, {"data": V2, "level": "NONE"}).json["compatible"] is True
    same = api.post(path, {"data": V1}).json
    assert (same["compatible"], same["changes"]) == (True, [])
    as_sql = api.post(path, {"data": "CREATE TABLE user (name TEXT NOT NULL);", "format": "sql"}).json
    assert as_sql["against"] == [project["version"]]
    assert head_of(api, group) == head  # nothing committed
    metrics = api.get("/metrics").body.decode()
    assert 'registry_cache_hits{cache="models"}' in metrics


def test_check_errors(api: Client, group: dict[str, Any], make_key: MakeKey) -> None:
    project = create(api, group)
    path = f"/project/{project['id']}/compatibility"
    invalid = api.post(path, {"data": "user:\n  name: strng\n"})
    assert (invalid.status, invalid.json["code"]) == (422, "invalid-schema")
    assert invalid.json["errors"][0]["line"] == 2
    bad_level = api.post(path, {"data": V2, "level": "MOSTLY"})
    assert (bad_level.status, bad_level.json["code"]) == (400, "invalid-compatibility-level")
    assert api.post(path, {"level": "FULL"}).status == 400
    assert api.post(path, {"data": V2, "format": "toml"}).status == 400
    assert api.post(path, {"data": V2, "against": "not a version"}).status == 400
    assert api.post(path, {"data": V2, "against": "ffffffff"}).status == 404
    assert api.post("/project/_pnosuchgroupatall1/compatibility", {"data": V2}).status == 404
    by_name = api.post(f"/project/{group['name']}/compatibility", {"data": V2})  # ids only, as restore
    assert (by_name.status, by_name.json["code"]) == (404, "not-found")
    assert make_key("read").post(path, {"data": V2}).status == 200  # a check needs read only
    other = api.post("/project-group", {"name": f"other-{group['name']}"}).json
    assert make_key("read", other["name"]).post(path, {"data": V2}).status == 403


def test_a_check_against_a_named_point(api: Client, group: dict[str, Any]) -> None:
    project = create(api, group)
    assert api.post(f"/project-group/{group['id']}/tags", {"name": "v1"}).status == 201
    updated = api.put(f"/project/{project['id']}", {"data": V2}).json
    path = f"/project/{project['id']}/compatibility"
    three = "user:\n  name: string\n  email: string\n  age: number\n"
    latest = api.post(path, {"data": three, "level": "BACKWARD"}).json
    assert latest["against"] == [updated["version"]]
    assert [c["path"] for c in latest["changes"]] == ["user.age"]
    for point in ("v1", project["version"][:8], project["version"]):
        old = api.post(path, {"data": three, "level": "BACKWARD", "against": point}).json
        assert old["against"] == [project["version"]], point
        assert sorted(c["path"] for c in old["changes"]) == ["user.age", "user.email"]
    api.delete(f"/project/{project['id']}")
    assert api.post(path, {"data": three}).status == 404


def test_transitive_levels_check_every_earlier_version(api: Client, group: dict[str, Any]) -> None:
    """A nullable column removed, then added back (nullable) with another type: each step is
    BACKWARD-safe, but the last breaks the first version."""
    first = create(
        api, group, "accounts", "CREATE TABLE users (id INT PRIMARY KEY, note TEXT);", format="sql"
    )
    pid = first["id"]
    api.put(f"/project/{pid}/config", {"compatibility": "BACKWARD"})
    second = api.put(f"/project/{pid}", {"data": "CREATE TABLE users (id INT PRIMARY KEY);"})
    assert second.status == 200, second
    again = "CREATE TABLE users (id INT PRIMARY KEY, note INT);"
    path = f"/project/{pid}/compatibility"
    backward = api.post(path, {"data": again}).json
    assert (backward["compatible"], backward["against"]) == (True, [second.json["version"]])
    transitive = api.post(path, {"data": again, "level": "BACKWARD_TRANSITIVE"}).json
    assert transitive["compatible"] is False
    assert transitive["against"] == [second.json["version"], first["version"]]
    broken = [c for c in transitive["changes"] if c["breaks"]]
    assert [(c["kind"], c["path"], c["against"]) for c in broken] == [
        ("type-changed", "users.note", first["version"])
    ]
    api.put(f"/project/{pid}/config", {"compatibility": "BACKWARD_TRANSITIVE"})
    refused = api.put(f"/project/{pid}", {"data": again})
    assert (refused.status, refused.json["code"]) == (409, "incompatible-schema")
    assert refused.json["against"] == [second.json["version"], first["version"]]
    api.put(f"/project/{pid}/config", {"compatibility": "BACKWARD"})
    assert api.put(f"/project/{pid}", {"data": again}).status == 200


# -- enforcement --------------------------------------------------------------------------------


def test_a_breaking_update_is_refused_and_nothing_is_committed(
    api: Client, server: Server, group: dict[str, Any], make_key: MakeKey
) -> None:
    project = create(api, group)
    api.put(f"/project-group/{group['id']}/config", {"compatibility": "BACKWARD"})
    head = head_of(api, group)
    for path in (f"/project/{project['id']}", f"/project/{group['name']}/users"):
        refused = api.put(path, {"data": V2, "message": "add email"})
        assert refused.status == 409, refused
        problem = refused.json
        assert problem["code"] == "incompatible-schema"
        assert (problem["level"], problem["against"]) == ("BACKWARD", [project["version"]])
        assert [(c["kind"], c["path"], c["breaks"]) for c in problem["changes"]] == [
            ("field-added", "user.email", ["BACKWARD"])
        ]
        assert "BACKWARD" in problem["detail"]
    assert head_of(api, group) == head
    assert api.get(f"/project/{project['id']}").json["data"] == V1
    writer = make_key("write")
    forbidden = writer.put(f"/project/{project['id']}", {"data": V2, "force": True})
    assert (forbidden.status, forbidden.json["code"]) == (403, "forbidden")
    assert "force" in forbidden.json["detail"]
    assert writer.put(f"/project/{project['id']}", {"data": V2, "force": "yes"}).status == 400
    safe = "user:\n  name: string\n  tags: [string]\n"
    assert writer.put(f"/project/{project['id']}", {"data": V1 + "other:\n  id: number\n"}).status == 200
    assert writer.put(f"/project/{project['id']}", {"data": safe}).status == 409
    forced = api.put(f"/project/{project['id']}", {"data": V2, "force": True, "message": "on purpose"})
    assert forced.status == 200, forced
    message = trailers(server, group["id"])
    assert "on purpose" in message
    assert "Compatibility-Override: BACKWARD" in message
    assert "Compatibility-Break: field-added user.email" in message
    assert "Compatibility-Break: entity-removed" not in message  # safe changes are not listed
    # A forced write that breaks nothing says nothing.
    api.put(f"/project/{project['id']}", {"data": V2 + "order:\n  id: number\n", "force": True})
    assert "Compatibility-Override" not in trailers(server, group["id"])


def test_creates_renames_and_deletes_are_not_checked(api: Client, group: dict[str, Any]) -> None:
    api.put(f"/project-group/{group['id']}/config", {"compatibility": "FULL_TRANSITIVE"})
    project = create(api, group)
    empty = create(api, group, "later", data=None)
    assert api.patch(f"/project/{project['id']}", {"name": "people"}).status == 200
    assert api.put(f"/project/{empty['id']}", {"data": V2}).status == 200  # nothing to break
    assert api.delete(f"/project/{project['id']}").status == 200


def test_a_restore_that_breaks_the_level_is_refused_unless_forced(
    api: Client, server: Server, group: dict[str, Any], make_key: MakeKey
) -> None:
    project = create(api, group)
    api.put(f"/project/{project['id']}", {"data": V2})
    api.put(f"/project/{project['id']}/config", {"compatibility": "FORWARD"})
    path = f"/project/{project['id']}/restore"
    refused = api.post(path, {"version": project["version"]})
    assert (refused.status, refused.json["code"]) == (409, "incompatible-schema")
    assert [(c["kind"], c["path"]) for c in refused.json["changes"]] == [("field-removed", "user.email")]
    assert make_key("write").post(path, {"version": project["version"], "force": True}).status == 403
    forced = api.post(path, {"version": project["version"], "force": True})
    assert forced.status == 200, forced
    assert forced.json["data"] == V1
    message = trailers(server, group["id"])
    assert "Registry-Action: restore" in message
    assert "Compatibility-Override: FORWARD" in message
    assert "Compatibility-Break: field-removed user.email" in message


# -- semantic diffs and history summaries -------------------------------------------------------


def test_changes_between_two_points(api: Client, group: dict[str, Any]) -> None:
    project = create(api, group)
    second = api.put(f"/project/{project['id']}", {"data": V2}).json
    api.patch(f"/project/{project['id']}", {"name": "people"})
    path = f"/project/{project['id']}/changes"
    latest = api.get(path)
    assert latest.status == 200, latest
    assert latest.json["changes"] == []  # the rename changed no entity
    body = api.get(f"{path}?to={second['version']}").json
    assert (body["from"], body["to"]) == (project["version"], second["version"])
    assert [(c["kind"], c["path"], c["breaks"]) for c in body["changes"]] == [
        ("field-added", "user.email", ["BACKWARD"])
    ]
    back = api.get(f"{path}?from={second['version']}&to={project['version'][:10]}").json
    assert [(c["kind"], c["breaks"]) for c in back["changes"]] == [("field-removed", ["FORWARD"])]
    created = api.get(f"{path}?to={project['version']}").json
    assert created["from"] is None
    assert [c["kind"] for c in created["changes"]] == ["entity-added"]
    assert api.get(f"{path}?from=nonsense").status == 400
    assert api.get("/project/_pnosuchgroupatall1/changes").status == 404


def test_history_entries_summarize_their_changes(api: Client, group: dict[str, Any]) -> None:
    project = create(api, group)
    api.put(f"/project/{project['id']}", {"data": V2})
    api.put(f"/project/{project['id']}", {"data": V2 + "order:\n  id: number\n"})
    api.patch(f"/project/{project['id']}", {"name": "people"})
    api.delete(f"/project/{project['id']}")
    versions = api.get(f"/project/{project['id']}/history").json["versions"]
    assert [(v["action"], v["change_summary"]) for v in versions] == [
        ("delete", {"changes": 2, "breaks": []}),
        ("rename", {"changes": 0, "breaks": []}),
        ("update", {"changes": 1, "breaks": []}),
        ("update", {"changes": 1, "breaks": ["BACKWARD"]}),
        ("create", {"changes": 1, "breaks": []}),
    ]
    page = api.get(f"/project/{project['id']}/history?limit=2").json["versions"]
    assert [v["change_summary"] for v in page] == [v["change_summary"] for v in versions[:2]]


def test_names_in_a_schema_cannot_write_trailers_of_their_own(
    api: Client, server: Server, group: dict[str, Any]
) -> None:
    """A JSON Schema property may be called anything, newlines included; the trailer listing it
    must stay one line, or a forced write could attribute itself to another project."""
    old: dict[str, Any] = {
        "title": "T",
        "type": "object",
        "properties": {"a": {"type": "string"}},
        "required": ["a"],
    }
    project = create(api, group, "events", json.dumps(old), format="json_schema")
    api.put(f"/project/{project['id']}/config", {"compatibility": "BACKWARD"})
    sneaky = "x\nProject-Id: _pforged1"
    new = {**old, "properties": {**old["properties"], sneaky: {"type": "string"}}, "required": ["a", sneaky]}
    refused = api.put(f"/project/{project['id']}", {"data": json.dumps(new)})
    assert refused.status == 409
    assert refused.json["changes"][0]["path"] == f"T.{sneaky}"  # the answer says it as it is
    assert api.put(f"/project/{project['id']}", {"data": json.dumps(new), "force": True}).status == 200
    message = trailers(server, group["id"])
    assert "Compatibility-Break: field-added T.x Project-Id: _pforged1" in message
    assert "\nProject-Id: _pforged1" not in message
    assert [v["action"] for v in api.get(f"/project/{project['id']}/history").json["versions"]] == [
        "update",
        "create",
    ]


def test_changes_by_group_and_name(api: Client, group: dict[str, Any]) -> None:
    project = create(api, group, "named", "A:\n  x: string\n")
    api.put(f"/project/{project['id']}", {"data": "A:\n  x: string\n  y: number\n"})
    by_id = api.get(f"/project/{project['id']}/changes")
    by_name = api.get(f"/project/{group['name']}/named/changes")
    assert by_name.status == 200, by_name
    assert by_name.json == by_id.json
    assert [c["kind"] for c in by_name.json["changes"]] == ["field-added"]
    assert api.get(f"/project/{group['name']}/nobody/changes").status == 404
