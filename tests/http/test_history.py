"""History: versions, diffs, restore, group history, time travel and tags, through the API."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from registry.core.errors import InvalidInput
from registry.core.history import GroupHistory, Revision, parse_time
from tests.support.client import Client
from tests.support.git import git, repo_path
from tests.support.server import Server

V1 = "user:\n  name: string\n"
V2 = "user:\n  name: string\n  email: string\n"
SQL = "CREATE TABLE users (id INT PRIMARY KEY, email VARCHAR(200));\n"


@pytest.fixture
def story(api: Client, group: dict[str, Any]) -> dict[str, Any]:
    """A project with five versions: create, update, rename, format change, update."""
    project = api.post("/project", {"project_group_id": group["id"], "name": "users", "data": V1}).json
    pid = project["id"]
    versions = [project["version"]]
    versions.append(api.put(f"/project/{pid}", {"data": V2, "message": "add email"}).json["version"])
    versions.append(api.patch(f"/project/{pid}", {"name": "members"}).json["version"])
    versions.append(api.put(f"/project/{pid}", {"data": SQL, "format": "sql"}).json["version"])
    versions.append(api.put(f"/project/{pid}", {"data": SQL.replace("200", "300")}).json["version"])
    return {"group": group, "id": pid, "versions": versions}


def test_project_history_newest_first_across_renames_and_formats(api: Client, story: dict[str, Any]) -> None:
    response = api.get(f"/project/{story['id']}/history")
    assert response.status == 200
    versions = response.json["versions"]
    assert [v["version"] for v in versions] == story["versions"][::-1]
    assert [(v["action"], v["name"], v["format"]) for v in versions] == [
        ("update", "members", "sql"),
        ("update", "members", "sql"),
        ("rename", "members", "yaml"),
        ("update", "users", "yaml"),
        ("create", "users", "yaml"),
    ]
    assert versions[3]["message"] == "add email"
    assert all(v["author"] == "admin" for v in versions)
    assert response.json["next_cursor"] is None


def test_history_pages_with_a_cursor(api: Client, story: dict[str, Any]) -> None:
    seen: list[str] = []
    cursor = None
    while True:
        query = f"?limit=2&cursor={cursor}" if cursor else "?limit=2"
        page = api.get(f"/project/{story['id']}/history{query}").json
        assert len(page["versions"]) <= 2
        seen += [v["version"] for v in page["versions"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == story["versions"][::-1]


BAD_PAGING = ["?cursor=nope", "?cursor=" + "0" * 40, "?limit=0", "?limit=-1", "?limit=x", "?limit=201"]


@pytest.mark.parametrize("query", [*BAD_PAGING, "?limit=%C2%B2"])  # "²".isdigit() is true
def test_bad_paging_is_400(api: Client, story: dict[str, Any], query: str) -> None:
    response = api.get(f"/project/{story['id']}/history{query}")
    assert response.status == 400
    assert response.json["code"] == "invalid-input"


def test_history_of_a_deleted_project_still_works(api: Client, story: dict[str, Any]) -> None:
    assert api.delete(f"/project/{story['id']}", {"message": "retired"}).status == 200
    versions = api.get(f"/project/{story['id']}/history").json["versions"]
    assert versions[0]["action"] == "delete"
    assert versions[0]["message"] == "retired"
    assert len(versions) == 6


def test_unknown_project_history_is_404(api: Client, group: dict[str, Any]) -> None:
    assert api.get("/project/_p00000000000000000001/history").status == 404
    assert api.get(f"/project/_p{group['id'][2:]}99/history").status == 404


def test_version_shows_the_project_as_it_was(api: Client, story: dict[str, Any]) -> None:
    first = api.get(f"/project/{story['id']}/versions/{story['versions'][0]}")
    assert first.status == 200
    assert (first.json["name"], first.json["format"], first.json["data"]) == ("users", "yaml", V1)
    assert first.json["version"] == story["versions"][0]
    prefix = api.get(f"/project/{story['id']}/versions/{story['versions'][1][:10]}").json
    assert prefix["data"] == V2
    # A version of the group in which this project did not change shows it as it was then.
    assert api.get(f"/project/{story['id']}/versions/{story['versions'][3]}").json["format"] == "sql"


def test_unknown_versions_are_404_and_junk_is_400(api: Client, story: dict[str, Any]) -> None:
    assert api.get(f"/project/{story['id']}/versions/{'f' * 40}").status == 404
    assert api.get(f"/project/{story['id']}/versions/ffff").status == 404
    assert api.get(f"/project/{story['id']}/versions/not-a-version").status == 400
    group_created = api.get(f"/project-group/{story['group']['id']}/history").json["versions"][-1]["version"]
    assert api.get(f"/project/{story['id']}/versions/{group_created}").status == 404


def test_diff_defaults_to_the_last_change(api: Client, story: dict[str, Any]) -> None:
    response = api.get(f"/project/{story['id']}/diff")
    assert response.status == 200
    assert response.content_type == "text/x-diff"
    text = response.body.decode()
    assert "--- a/members.sql\n+++ b/members.sql\n" in text
    assert "-CREATE TABLE users (id INT PRIMARY KEY, email VARCHAR(200));" in text
    assert "+CREATE TABLE users (id INT PRIMARY KEY, email VARCHAR(300));" in text


def test_diff_between_versions_across_rename_and_format_as_json(api: Client, story: dict[str, Any]) -> None:
    v = story["versions"]
    response = api.get(
        f"/project/{story['id']}/diff?from={v[0]}&to={v[3]}", headers={"Accept": "application/json"}
    )
    assert response.status == 200
    body = response.json
    assert (body["from"], body["to"], body["from_file"], body["to_file"]) == (
        v[0],
        v[3],
        "users.yaml",
        "members.sql",
    )
    assert "-user:" in body["diff"] and "+CREATE TABLE" in body["diff"]
    created = api.get(f"/project/{story['id']}/diff?to={v[0]}", headers={"Accept": "application/json"}).json
    assert created["from"] is None and created["from_file"] is None
    assert created["diff"].startswith("--- /dev/null\n+++ b/users.yaml\n")
    assert api.get(f"/project/{story['id']}/diff?from=zzz").status == 400


def test_diff_to_a_version_that_did_not_touch_the_project_shows_its_previous_change(
    api: Client, story: dict[str, Any]
) -> None:
    other = api.post("/project", {"project_group_id": story["group"]["id"], "name": "x", "data": V1}).json
    body = api.get(
        f"/project/{story['id']}/diff?to={other['version']}", headers={"Accept": "application/json"}
    ).json
    assert body["from"] == story["versions"][3]
    assert body["to"] == other["version"]
    assert "+CREATE TABLE users (id INT PRIMARY KEY, email VARCHAR(300));" in body["diff"]


def test_diff_of_a_pure_rename_names_both_files(api: Client, story: dict[str, Any]) -> None:
    text = api.get(f"/project/{story['id']}/diff?to={story['versions'][2]}").body.decode()
    assert text == "--- a/users.yaml\n+++ b/members.yaml\n"


def test_a_version_without_data_has_no_file_in_diffs(api: Client, group: dict[str, Any]) -> None:
    project = api.post(
        "/project", {"project_group_id": group["id"], "name": "empty", "format": "json_schema"}
    ).json
    first = api.get(f"/project/{project['id']}/diff", headers={"Accept": "application/json"}).json
    assert (first["from_file"], first["to_file"], first["diff"]) == (None, None, "")
    api.put(f"/project/{project['id']}", {"data": '{"type": "string"}'})
    second = api.get(f"/project/{project['id']}/diff", headers={"Accept": "application/json"}).json
    assert (second["from_file"], second["to_file"]) == (None, "empty.schema.json")
    assert second["diff"].startswith("--- /dev/null\n+++ b/empty.schema.json\n@@ -0,0 +1 @@\n")


def test_restore_writes_an_old_version_as_a_new_commit(api: Client, story: dict[str, Any]) -> None:
    response = api.post(
        f"/project/{story['id']}/restore", {"version": story["versions"][1], "message": "undo"}
    )
    assert response.status == 200
    body = response.json
    assert (body["name"], body["format"], body["data"]) == ("users", "yaml", V2)
    history = api.get(f"/project/{story['id']}/history?limit=1").json["versions"][0]
    assert (history["action"], history["message"]) == ("restore", "undo")
    assert api.get(f"/project/{story['group']['name']}/users").json["data"] == V2


def test_a_restore_of_the_state_a_project_is_in_makes_no_commit(
    api: Client, server: Server, story: dict[str, Any]
) -> None:
    repo = repo_path(server.data_dir, story["group"]["id"])
    first = api.post(f"/project/{story['id']}/restore", {"version": story["versions"][1]})
    commits = git("rev-list", "--count", "main", cwd=repo).stdout
    again = api.post(f"/project/{story['id']}/restore", {"version": story["versions"][1]})
    assert again.status == 200 and again.json["version"] == first.json["version"]
    assert git("rev-list", "--count", "main", cwd=repo).stdout == commits


def test_restore_undeletes_with_the_same_id(api: Client, story: dict[str, Any]) -> None:
    api.delete(f"/project/{story['id']}")
    assert api.get(f"/project/{story['id']}").status == 404
    response = api.post(f"/project/{story['id']}/restore", {"version": story["versions"][-1]})
    assert response.status == 200
    assert api.get(f"/project/{story['id']}").json["data"] == SQL.replace("200", "300")


def test_restore_refuses_a_taken_name(api: Client, story: dict[str, Any]) -> None:
    api.delete(f"/project/{story['id']}")
    api.post("/project", {"project_group_id": story["group"]["id"], "name": "MEMBERS"})
    response = api.post(f"/project/{story['id']}/restore", {"version": story["versions"][-1]})
    assert response.status == 409
    assert api.post(f"/project/{story['id']}/restore", {}).status == 400
    assert api.post(f"/project/{story['id']}/restore", {"version": "f" * 40}).status == 404


def test_group_history_lists_every_change_with_projects(api: Client, story: dict[str, Any]) -> None:
    response = api.get(f"/project-group/{story['group']['name']}/history")
    assert response.status == 200
    versions = response.json["versions"]
    assert [v["action"] for v in versions] == [
        "update",
        "update",
        "rename",
        "update",
        "create",
        "create-group",
    ]
    assert versions[0]["projects"] == [{"id": story["id"], "name": "members", "action": "update"}]
    assert versions[-1]["projects"] == []
    page = api.get(f"/project-group/{story['group']['id']}/history?limit=4").json
    assert len(page["versions"]) == 4 and page["next_cursor"] == versions[4]["version"]


def test_time_travel_by_version_and_timestamp(api: Client, story: dict[str, Any]) -> None:
    group = story["group"]
    old = api.get(f"/project/{story['id']}?at={story['versions'][0]}")
    assert old.status == 200 and old.json["data"] == V1
    by_name = api.get(f"/project/{group['name']}/users?at={story['versions'][1][:12]}")
    assert by_name.status == 200 and by_name.json["data"] == V2
    assert api.get(f"/project/{group['name']}/users").status == 404  # renamed since
    then = api.get(f"/project-group/{group['id']}?at={story['versions'][2]}").json
    assert [(p["name"], p["format"]) for p in then["projects"]] == [("members", "yaml")]
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 5))
    assert api.get(f"/project/{story['id']}?at={now}").json["format"] == "sql"
    before = "2000-01-01T00:00:00Z"
    assert api.get(f"/project-group/{group['id']}?at={before}").status == 404
    assert api.get(f"/project/{story['id']}?at=yesterday").status == 400


def test_tags_name_releases_and_reach_git(
    api: Client, server: Server, story: dict[str, Any], tmp_path: Path
) -> None:
    group = story["group"]
    first = api.post(
        f"/project-group/{group['id']}/tags",
        {"name": "v1", "version": story["versions"][1], "message": "first release"},
    )
    assert first.status == 201
    assert first.json["version"] == story["versions"][1]
    current = api.post(f"/project-group/{group['id']}/tags", {"name": "v2"})
    assert current.json["version"] == story["versions"][-1]
    assert api.post(f"/project-group/{group['id']}/tags", {"name": "v1"}).status == 409
    same_but_case = api.post(f"/project-group/{group['id']}/tags", {"name": "V1"})
    assert same_but_case.status == 409 and "'v1' already exists" in same_but_case.json["detail"]
    assert api.post(f"/project-group/{group['id']}/tags", {"name": "../v3"}).status == 400
    assert api.post(f"/project-group/{group['id']}/tags", {"name": "v3", "version": "f" * 40}).status == 404
    for version_like in ("beef", "BEEF", story["versions"][0], "f" * 40):
        refused = api.post(f"/project-group/{group['id']}/tags", {"name": version_like})
        assert refused.status == 400 and "look like a version id" in refused.json["detail"]
    tags = api.get(f"/project-group/{group['id']}/tags").json["tags"]
    assert [(t["name"], t["message"], t["tagger"]) for t in tags] == [
        ("v1", "first release", "admin"),
        ("v2", "Tag v2", "admin"),
    ]
    assert api.get(f"/project/{story['id']}?at=v1").json["data"] == V2
    assert api.get(f"/project/{story['id']}?at=V1").json["data"] == V2  # tag names ignore case
    url = f"http://any:{api.key}@127.0.0.1:{server.port}/git/{group['name']}.git"
    git("clone", "-q", url, "work", cwd=tmp_path)
    assert git("tag", "-l", cwd=tmp_path / "work").stdout.split() == ["v1", "v2"]
    assert git("cat-file", "-t", "v1", cwd=tmp_path / "work").stdout.strip() == "tag"


def test_a_full_version_id_is_never_hidden_by_a_tag_of_that_name(
    api: Client, server: Server, story: dict[str, Any]
) -> None:
    """Tags named like versions are refused now; one made before that (by hand here) is not obeyed."""
    group, versions = story["group"], story["versions"]
    repo = repo_path(server.data_dir, group["id"])
    git("--git-dir", str(repo), "tag", versions[-1], versions[1])  # the newest id, naming an old commit
    by_id = api.get(f"/project/{story['id']}/versions/{versions[-1]}").json
    assert by_id["version"] == versions[-1]
    assert api.get(f"/project/{story['id']}?at={versions[-1]}").json["version"] == versions[-1]


def test_a_group_at_every_version_lists_the_projects_of_then(api: Client, group: dict[str, Any]) -> None:
    """The group's state is built from history and one tree, without reading each project's text;
    it must agree with each project's own state at every version, through renames, a name taken
    over, a format change and a delete."""

    def new(name: str, data: str) -> str:
        created: str = api.post(
            "/project", {"project_group_id": group["id"], "name": name, "data": data}
        ).json["id"]
        return created

    a, b = new("a", "A:\n  x: string\n"), new("b", "B:\n  y: number\n")
    api.put(f"/project/{a}", {"data": "A:\n  x: boolean\n"})
    api.patch(f"/project/{a}", {"name": "a2"})
    c = new("a", "C:\n  z: string\n")  # takes the name a had
    api.put(f"/project/{b}", {"data": "CREATE TABLE b (id INT);", "format": "sql"})
    api.delete(f"/project/{c}")
    time.sleep(1.1)  # times are whole seconds: the last change must show in updated_at
    api.put(f"/project/{a}", {"data": "A:\n  x: number\n"})
    fields = ("id", "name", "format", "dialect", "created_at", "updated_at")
    listings = []
    for version in [v["version"] for v in api.get(f"/project-group/{group['id']}/history").json["versions"]]:
        then = api.get(f"/project-group/{group['id']}?at={version}")
        assert then.status == 200 and then.json["version"] == version
        listed = {p["id"]: tuple(p[f] for f in fields) for p in then.json["projects"]}
        for pid in (a, b, c):
            alone = api.get(f"/project/{pid}?at={version}")
            expected = tuple(alone.json[f] for f in fields) if alone.status == 200 else None
            assert listed.get(pid) == expected, (version, pid)
        listings.append(sorted((row[1], row[2]) for row in listed.values()))
    assert listings[0] == [("a2", "yaml"), ("b", "sql")]  # newest first: c is deleted
    assert [("a", "yaml"), ("a2", "yaml"), ("b", "sql")] in listings
    assert [("a", "yaml"), ("b", "yaml")] in listings and listings[-1] == []


def test_times_are_rfc_3339_with_seconds_and_a_zone() -> None:
    assert parse_time("2026-11-30T16:39:09Z") == parse_time("2026-11-30T18:39:09+02:00") == 1796056749
    assert parse_time("2016-12-31T23:59:60Z") == parse_time("2016-12-31T23:59:59Z")  # a leap second
    for loose in (
        "2026-11-30T16:39Z",
        "2026-11-30T16:39:09.Z",
        "2026-11-30T16:39:09,5Z",
        "2026-11-30T16:39:09",
    ):
        assert parse_time(loose) is None, loose


def test_an_ambiguous_prefix_names_the_versions_it_could_be() -> None:
    versions = ["3192" + "a" * 36, "3192" + "b" * 36, "4000" + "c" * 36]
    revisions = [Revision(v, "admin", 0, "s", None, "update", "g") for v in versions]
    history = GroupHistory(head=versions[-1], revisions=revisions)
    with pytest.raises(InvalidInput, match=f"'3192' is ambiguous: {versions[0]}, {versions[1]}$"):
        history.resolve("3192", tags={})
    assert history.resolve("4000", tags={}) == 2


def test_per_project_routes_by_name_answer_like_those_by_id(api: Client, story: dict[str, Any]) -> None:
    by_name = f"/project/{story['group']['name']}/MEMBERS"  # names match ignoring case
    for suffix in ("/history", f"/versions/{story['versions'][0]}", "/diff"):
        named, by_id = api.get(by_name + suffix), api.get(f"/project/{story['id']}{suffix}")
        assert named.status == by_id.status == 200, suffix
        assert named.body == by_id.body, suffix
    unknown = Client(api.base_url, api.key).get("/project/a/b/c/nothing")  # no such route
    assert unknown.status == 404 and unknown.json["detail"] == "Not Found"
