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
    assert then.headers["ETag"] == f'"{before}"'
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
