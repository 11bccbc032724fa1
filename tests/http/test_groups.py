"""Project groups: create, read (by id and name), list, rename, delete, and their errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.support.client import Client
from tests.support.git import commit_count, git, repo_path
from tests.support.server import Server

HOSTILE_NAMES = [
    "",
    " ",
    "../etc",
    "a/b",
    "a\\b",
    ".hidden",
    "-dash-first",
    "_underscore_first",
    "x.git",
    "x.lock",
    "X.GIT",
    "a..b",
    "a" * 101,
    "t\u0435am",  # Cyrillic small letter ie: a look-alike of "team"
    "\uff54eam",  # fullwidth t: another look-alike
    "\U0001d41ddmin",  # mathematical bold a
    "a\u200db",  # zero-width joiner
    "\u202eevil",  # right-to-left override
    "\u0301accent-first",  # a combining mark with nothing to combine with
    "\U0001f642",
    "\u00e9" * 101,  # 101 characters
    "name with space",
    "nul\u0000byte",
    "semi;colon",
    "%2e%2e",
]


def test_create_group_returns_its_id_name_and_creation_time(
    api: Client, unique: Callable[[str], str]
) -> None:
    name = unique("g")
    response = api.post("/project-group", {"name": name})
    assert response.status == 201
    body = response.json
    assert body["name"] == name
    assert body["id"].startswith("_g")
    assert response.headers["Location"] == f"/project-group/{body['id']}"
    assert response.headers["ETag"] == f'"{body["version"]}"'


def test_group_is_a_bare_repository_with_one_commit(
    api: Client, server: Server, group: dict[str, Any]
) -> None:
    repo = repo_path(server.data_dir, group["id"])
    assert (repo / "HEAD").read_text().strip() == "ref: refs/heads/main"
    assert commit_count(repo) == 1
    assert git("--git-dir", str(repo), "log", "-1", "--format=%an|%s").stdout.strip() == (
        f"admin|Create project group {group['name']}"
    )


def test_get_group_by_id_and_by_name_ignoring_case(api: Client, group: dict[str, Any]) -> None:
    by_id = api.get(f"/project-group/{group['id']}")
    by_name = api.get(f"/project-group/{group['name'].upper()}")
    assert by_id.status == by_name.status == 200
    assert by_id.json == by_name.json
    assert by_id.json["projects"] == []
    assert by_id.json["name"] == group["name"]


def test_group_lists_its_projects(api: Client, group: dict[str, Any]) -> None:
    created = api.post(
        "/project",
        {
            "project_group_id": group["id"],
            "name": "users",
            "format": "yaml",
            "data": "user:\n  name: string\n",
        },
    ).json
    projects = api.get(f"/project-group/{group['id']}").json["projects"]
    assert [(p["id"], p["name"], p["format"]) for p in projects] == [(created["id"], "users", "yaml")]
    assert projects[0]["created_at"] == created["created_at"]
    assert projects[0]["updated_at"] == created["updated_at"]


def test_list_groups_includes_new_group(api: Client, group: dict[str, Any]) -> None:
    listed = api.get("/project-group").json["project_groups"]
    assert {"id": group["id"], "name": group["name"]}.items() <= next(
        g for g in listed if g["id"] == group["id"]
    ).items()


def test_unknown_group_is_404(api: Client) -> None:
    for ref in ("no-such-group", "_g0000000000000000", "_gnot-an-id"):
        response = api.get(f"/project-group/{ref}")
        assert response.status == 404, ref
        assert response.content_type == "application/problem+json"
        assert response.json["code"] == "not-found"


def test_duplicate_group_name_ignoring_case_is_409(api: Client, group: dict[str, Any]) -> None:
    response = api.post("/project-group", {"name": group["name"].upper()})
    assert response.status == 409
    assert response.json["code"] == "name-taken"


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_hostile_group_names_are_400(api: Client, server: Server, name: str) -> None:
    before = sorted(p.name for p in (server.data_dir / "groups").iterdir())
    response = api.post("/project-group", {"name": name})
    assert response.status == 400, response
    assert response.json["code"] == "invalid-input"
    assert sorted(p.name for p in (server.data_dir / "groups").iterdir()) == before


@pytest.mark.parametrize(
    "body",
    [b"{", b"[]", b'"name"', b'{"name": 5}', b'{"name": null}', b"{}", b'{"name": ["a"]}', b"\xff\xfe"],
)
def test_malformed_group_bodies_are_400(api: Client, body: bytes) -> None:
    response = api.post("/project-group", raw=body, headers={"Content-Type": "application/json"})
    assert response.status == 400, response
    assert response.json["code"] == "invalid-input"


def test_rename_group_keeps_id_and_history(
    api: Client, server: Server, group: dict[str, Any], unique: Callable[[str], str]
) -> None:
    api.post("/project", {"project_group_id": group["id"], "name": "p"})
    new_name = unique("renamed")
    response = api.put(f"/project-group/{group['id']}", {"name": new_name, "message": "clearer name"})
    assert response.status == 200
    assert response.json["id"] == group["id"]
    assert response.json["name"] == new_name
    assert api.get(f"/project-group/{group['name']}").status == 404
    assert api.get(f"/project-group/{new_name}").json["id"] == group["id"]
    repo = repo_path(server.data_dir, group["id"])
    assert commit_count(repo) == 3
    log = git("--git-dir", str(repo), "log", "-1", "--format=%s%n%b").stdout
    assert f"Rename project group {group['name']} to {new_name}" in log
    assert "clearer name" in log


def test_rename_group_to_a_taken_name_is_409_and_changes_nothing(
    api: Client, server: Server, group: dict[str, Any], unique: Callable[[str], str]
) -> None:
    other = api.post("/project-group", {"name": unique("other")}).json
    response = api.put(f"/project-group/{group['id']}", {"name": other["name"].upper()})
    assert response.status == 409
    assert commit_count(repo_path(server.data_dir, group["id"])) == 1


def test_rename_group_with_stale_if_match_is_412(
    api: Client, group: dict[str, Any], unique: Callable[[str], str]
) -> None:
    stale = '"' + "0" * 40 + '"'
    response = api.put(f"/project-group/{group['id']}", {"name": unique("x")}, headers={"If-Match": stale})
    assert response.status == 412
    assert response.json["code"] == "version-mismatch"
    current = api.get(f"/project-group/{group['id']}").headers["ETag"]
    assert (
        api.put(f"/project-group/{group['id']}", {"name": unique("y")}, headers={"If-Match": current}).status
        == 200
    )


def test_delete_group_with_projects_is_409(api: Client, group: dict[str, Any]) -> None:
    api.post("/project", {"project_group_id": group["id"], "name": "p"})
    response = api.delete(f"/project-group/{group['id']}")
    assert response.status == 409
    assert response.json["code"] == "group-not-empty"
    assert api.get(f"/project-group/{group['id']}").status == 200


def test_delete_empty_group_moves_its_repository_aside(
    api: Client, server: Server, group: dict[str, Any]
) -> None:
    response = api.delete(f"/project-group/{group['id']}")
    assert response.status == 200
    assert response.json == {"message": "Project group deleted"}
    assert api.get(f"/project-group/{group['id']}").status == 404
    assert not repo_path(server.data_dir, group["id"]).exists()
    kept = [p for p in (server.data_dir / "deleted-groups").iterdir() if p.name.startswith(group["id"])]
    assert len(kept) == 1
    log = git("--git-dir", str(kept[0]), "log", "--format=%s").stdout.splitlines()
    assert log[0] == f"Delete project group {group['name']}"
    # The name is free again.
    assert api.post("/project-group", {"name": group["name"]}).status == 201
