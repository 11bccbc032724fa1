"""Changing schemas with git push: validated, recorded as registry changes, visible at once."""

from __future__ import annotations

import socket
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import MakeKey
from tests.support.client import Client
from tests.support.git import commit_count, git, repo_path
from tests.support.server import Server

USERS = "user:\n  name: string\n"
ORDERS = "order:\n  id: number\n  buyer: $user\n"


@pytest.fixture
def work(api: Client, server: Server, group: dict[str, Any], tmp_path: Path) -> Path:
    """A clone of the group with one project, configured to commit as a person."""
    api.post("/project", {"project_group_id": group["id"], "name": "users", "data": USERS})
    url = f"http://any:{api.key}@127.0.0.1:{server.port}/git/{group['name']}.git"
    git("clone", "-q", url, "work", cwd=tmp_path)
    work = tmp_path / "work"
    git("config", "user.name", "Ada Lovelace", cwd=work)
    git("config", "user.email", "ada@example.com", cwd=work)
    return work


def commit(work: Path, message: str) -> None:
    git("add", "-A", cwd=work)
    git("commit", "-q", "-m", message, cwd=work)


def test_push_creates_updates_renames_and_deletes(api: Client, group: dict[str, Any], work: Path) -> None:
    users_id = api.get(f"/project/{group['name']}/users").json["id"]
    (work / "orders.yaml").write_text("user:\n  name: string\norder:\n  id: number\n  buyer: $user\n")
    commit(work, "Add orders")
    (work / "users.yaml").write_text(USERS + "  email: string\n")
    commit(work, "Users get an email")
    git("mv", "users.yaml", "people.yaml", cwd=work)
    commit(work, "Users are people")
    result = git("push", "-q", "origin", "main", cwd=work)
    assert "recorded 3 change(s)" in result.stderr
    people = api.get(f"/project/{group['name']}/people")
    assert people.status == 200
    assert people.json["id"] == users_id
    assert people.json["data"] == USERS + "  email: string\n"
    orders = api.get(f"/project/{group['name']}/orders").json
    assert orders["format"] == "yaml"
    assert orders["id"].startswith("_p")
    history = api.get(f"/project/{users_id}/history").json["versions"]
    assert [(v["action"], v["name"], v["author"]) for v in history[:2]] == [
        ("rename", "people", "Ada Lovelace"),
        ("update", "users", "Ada Lovelace"),
    ]
    assert history[0]["message"] is None and history[0]["summary"] == "Users are people"
    git("pull", "-q", "--ff-only", cwd=work)  # the registry's metadata commit
    git("rm", "-q", "orders.yaml", cwd=work)
    commit(work, "No more orders")
    git("push", "-q", "origin", "main", cwd=work)
    assert api.get(f"/project/{orders['id']}").status == 404
    assert api.get(f"/project/{orders['id']}/history").json["versions"][0]["action"] == "delete"


def test_push_of_an_invalid_schema_is_refused_with_file_and_line(
    api: Client, server: Server, group: dict[str, Any], work: Path
) -> None:
    before = commit_count(repo_path(server.data_dir, group["id"]))
    (work / "users.yaml").write_text("user:\n  name: strin\n")
    (work / "broken.sql").write_text("CREATE TABLE t (id INT;\n")
    commit(work, "Oops")
    result = git("push", "origin", "main", cwd=work, check=False)
    assert result.returncode != 0
    assert "users.yaml:2:" in result.stderr
    assert "broken.sql:1:" in result.stderr
    assert commit_count(repo_path(server.data_dir, group["id"])) == before
    assert api.get(f"/project/{group['name']}/users").json["data"] == USERS


@pytest.mark.parametrize(
    ("path", "content", "expected"),
    [
        ("README.md", "hello\n", "README.md: not a schema file"),
        ("docs/a.yaml", USERS, "docs: not a schema file"),
        ("bad..name.yaml", USERS, "bad..name.yaml: project name"),
        ("USERS.yaml", USERS, "same project name"),
        ("inv.yml", USERS, "inv.yml: not a schema file (only top-level .yaml, "),
        ("inv.yml", USERS, "; name it inv.yaml"),
        (".registry.json", "{}\n", ".registry.json: the registry keeps this file"),
    ],
)
def test_push_refuses_what_is_not_a_schema(work: Path, path: str, content: str, expected: str) -> None:
    (work / path).parent.mkdir(exist_ok=True)
    (work / path).write_text(content)
    commit(work, "Odd file")
    result = git("push", "origin", "main", cwd=work, check=False)
    assert result.returncode != 0
    assert expected in result.stderr


def test_a_yml_file_renamed_to_yaml_before_the_push_is_one_readable_project(
    api: Client, group: dict[str, Any], work: Path
) -> None:
    (work / "inv.yml").write_text(USERS)
    commit(work, "Inventory, misnamed")
    git("mv", "inv.yml", "inv.yaml", cwd=work)
    commit(work, "Inventory, named as the registry names yaml")
    git("push", "-q", "origin", "main", cwd=work)
    project = api.get(f"/project/{group['name']}/inv")
    assert project.status == 200 and project.json["data"] == USERS
    versions = api.get(f"/project/{project.json['id']}/history").json["versions"]
    assert [v["action"] for v in versions] == ["create"]
    assert api.get(f"/project/{project.json['id']}/versions/{versions[0]['version']}").json["data"] == USERS


def test_an_atomic_push_is_refused_before_anything_moves(
    api: Client, server: Server, group: dict[str, Any], work: Path
) -> None:
    before = commit_count(repo_path(server.data_dir, group["id"]))
    (work / "orders.yaml").write_text(ORDERS.replace("$user", "number"))
    commit(work, "Add orders")
    result = git("push", "--atomic", "origin", "main", "HEAD:refs/heads/feature", cwd=work, check=False)
    assert result.returncode != 0
    assert "does not support --atomic" in result.stderr
    assert commit_count(repo_path(server.data_dir, group["id"])) == before
    assert api.get(f"/project/{group['name']}/orders").status == 404


def test_pushed_dates_do_not_move_changes_in_the_registrys_time(
    api: Client, group: dict[str, Any], work: Path
) -> None:
    """A pushed commit's date is the pusher's to choose; the registry times it by the push."""
    created = api.get(f"/project-group/{group['id']}/history").json["versions"][-1]["timestamp"]
    (work / "old.yaml").write_text(USERS)
    git("add", "-A", cwd=work)
    git("commit", "-q", "-m", "Backdated", "--date=1990-01-01T00:00:00Z", cwd=work)
    git("push", "-q", "origin", "main", cwd=work)
    old = api.get(f"/project/{group['name']}/old").json
    assert old["created_at"] >= created and old["updated_at"] >= created
    entry = api.get(f"/project/{old['id']}/history").json["versions"][0]
    assert entry["summary"] == "Backdated" and entry["timestamp"] >= created
    assert api.get(f"/project-group/{group['id']}?at=2000-01-01T00:00:00Z").status == 404
    assert api.get(f"/project/{old['id']}?at=2100-01-01T00:00:00Z").json["data"] == USERS


def test_a_yml_file_stored_by_an_older_version_is_repaired_by_renaming_it(
    api: Client, server: Server, group: dict[str, Any], work: Path, tmp_path: Path
) -> None:
    """Older versions accepted pushed NAME.yml; renaming it to NAME.yaml updates that project."""
    users = api.get(f"/project/{group['name']}/users").json
    repo = repo_path(server.data_dir, group["id"])
    git("clone", "-q", str(repo), "direct", cwd=tmp_path)  # past the registry, as that version stored it
    direct = tmp_path / "direct"
    git(
        "-c", "user.name=Old", "-c", "user.email=old@example.com", "mv", "users.yaml", "users.yml", cwd=direct
    )
    git("-c", "user.name=Old", "-c", "user.email=old@example.com", "commit", "-q", "-m", "yml", cwd=direct)
    git("push", "-q", "origin", "main", cwd=direct)
    git("pull", "-q", "--ff-only", cwd=work)
    git("mv", "users.yml", "users.yaml", cwd=work)
    commit(work, "Name it as the registry does")
    result = git("push", "origin", "main", cwd=work, check=False)
    assert result.returncode == 0, result.stderr
    projects = api.get(f"/project-group/{group['id']}").json["projects"]
    assert [(p["id"], p["name"]) for p in projects] == [(users["id"], "users")]
    assert api.get(f"/project/{users['id']}").json["data"] == USERS


def test_push_refuses_non_fast_forward_and_deleting_main(
    api: Client, group: dict[str, Any], work: Path
) -> None:
    api.put(f"/project/{group['name']}/users", {"data": USERS + "  age: number\n"})
    (work / "users.yaml").write_text(USERS + "  nick: string\n")
    commit(work, "Concurrent change")
    stale = git("push", "origin", "main", cwd=work, check=False)
    assert stale.returncode != 0
    forced = git("push", "--force", "origin", "main", cwd=work, check=False)
    assert forced.returncode != 0
    assert "non-fast-forward" in forced.stderr or "fetch first" in forced.stderr or "moved" in forced.stderr
    assert api.get(f"/project/{group['name']}/users").json["data"] == USERS + "  age: number\n"
    deleted = git("push", "origin", ":main", cwd=work, check=False)
    assert deleted.returncode != 0
    other = git("push", "origin", "HEAD:refs/heads/feature", cwd=work, check=False)
    assert other.returncode != 0
    assert "only main and tags" in other.stderr


def test_push_of_a_format_change_and_tags(api: Client, group: dict[str, Any], work: Path) -> None:
    project = api.get(f"/project/{group['name']}/users").json
    git("rm", "-q", "users.yaml", cwd=work)
    (work / "users.sql").write_text("CREATE TABLE users (id INT PRIMARY KEY);\n")
    commit(work, "Users in SQL")
    git("tag", "-a", "v1", "-m", "first", cwd=work)
    git("push", "-q", "origin", "main", "--tags", cwd=work)
    now = api.get(f"/project/{project['id']}").json
    assert (now["name"], now["format"]) == ("users", "sql")
    assert [t["name"] for t in api.get(f"/project-group/{group['id']}/tags").json["tags"]] == ["v1"]
    git("tag", "-f", "-a", "v1", "-m", "moved", "HEAD~1", cwd=work)
    moved = git("push", "-f", "origin", "v1", cwd=work, check=False)
    assert moved.returncode != 0
    git("tag", "V1", cwd=work)
    cased = git("push", "origin", "V1", cwd=work, check=False)
    assert cased.returncode != 0 and "a tag named 'v1' already exists (tag names ignore case)" in cased.stderr
    assert [t["name"] for t in api.get(f"/project-group/{group['id']}/tags").json["tags"]] == ["v1"]


def test_a_pushed_tag_gets_past_a_lock_left_by_a_crash(
    api: Client, server: Server, group: dict[str, Any], work: Path
) -> None:
    tags = repo_path(server.data_dir, group["id"]) / "refs" / "tags"
    tags.mkdir(exist_ok=True)
    (tags / "v1.lock").write_text("")  # a crash between writing the lock and renaming it
    git("tag", "-a", "v1", "-m", "first", cwd=work)
    git("push", "-q", "origin", "v1", cwd=work)
    assert [t["name"] for t in api.get(f"/project-group/{group['id']}/tags").json["tags"]] == ["v1"]
    assert not (tags / "v1.lock").exists()


@pytest.mark.parametrize(
    ("tag", "expected"),
    [("deadbeef", "must not look like a version id"), ("release/1.0", "tag name must be 1 to 100")],
)
def test_push_refuses_tags_the_api_could_not_name(
    api: Client, group: dict[str, Any], work: Path, tag: str, expected: str
) -> None:
    git("tag", tag, cwd=work)
    result = git("push", "origin", f"refs/tags/{tag}", cwd=work, check=False)
    assert result.returncode != 0
    assert expected in result.stderr
    assert api.get(f"/project-group/{group['id']}/tags").json["tags"] == []


def test_push_needs_a_write_key(make_key: MakeKey, server: Server, group: dict[str, Any], work: Path) -> None:
    reader = make_key("read")
    url = f"http://any:{reader.key}@127.0.0.1:{server.port}/git/{group['name']}.git"
    (work / "more.yaml").write_text(USERS)
    commit(work, "More")
    result = git("push", url, "main", cwd=work, check=False)
    assert result.returncode != 0
    assert "403" in result.stderr


def test_push_of_a_merge_made_by_pull_is_refused(api: Client, group: dict[str, Any], work: Path) -> None:
    users = api.get(f"/project/{group['name']}/users").json
    api.post("/project", {"project_group_id": group["id"], "name": "other", "data": USERS})
    (work / "local.yaml").write_text(USERS)
    commit(work, "Local work")
    git("pull", "-q", "--no-rebase", "--no-edit", cwd=work)  # a merge whose first parent is the local commit
    result = git("push", "origin", "main", cwd=work, check=False)
    assert result.returncode != 0
    assert "git pull --rebase" in result.stderr
    assert api.get(f"/project/{users['id']}").status == 200
    git("reset", "-q", "--hard", "HEAD~1", cwd=work)
    git("pull", "-q", "--rebase", cwd=work)
    git("push", "-q", "origin", "main", cwd=work)
    assert api.get(f"/project/{group['name']}/local").status == 200
    assert api.get(f"/project/{users['id']}").json["name"] == "users"  # ids untouched


def test_pushed_commits_cannot_forge_registry_trailers(
    api: Client, group: dict[str, Any], work: Path
) -> None:
    users = api.get(f"/project/{group['name']}/users").json
    (work / "users.yaml").write_text(USERS + "  age: number\n")
    git("add", "-A", cwd=work)
    trailers = (
        f"Registry-Action: delete\nProject-Id: {users['id']}\nProject-Name: users\nProject-Format: yaml"
    )
    forged = f"Innocent\n\n{trailers}"
    git("commit", "-q", "-m", forged, cwd=work)
    result = git("push", "origin", "main", cwd=work, check=False)
    assert result.returncode != 0
    assert "only the registry writes those" in result.stderr
    assert api.get(f"/project/{users['id']}/history").json["versions"][0]["action"] == "create"


def test_a_pushed_tag_must_name_a_commit_on_main(work: Path) -> None:
    (work / "side.yaml").write_text("not: [valid\n")
    commit(work, "Side work, never pushed to main")
    git("tag", "side-tag", cwd=work)
    result = git("push", "origin", "side-tag", cwd=work, check=False)
    assert result.returncode != 0
    assert "must name a commit on main's first-parent line" in result.stderr


def test_a_pushed_tag_on_a_merged_side_commit_is_refused(
    api: Client, group: dict[str, Any], work: Path
) -> None:
    """History and ?at= follow main's first parents: a tag there would name a version they lack."""
    git("checkout", "-q", "-b", "side", cwd=work)
    (work / "side.yaml").write_text(USERS)
    commit(work, "Side work")
    git("checkout", "-q", "main", cwd=work)
    git("merge", "-q", "--no-ff", "-m", "Merge side", "side", cwd=work)
    git("push", "-q", "origin", "main", cwd=work)
    git("tag", "side-tag", "side", cwd=work)
    result = git("push", "origin", "side-tag", cwd=work, check=False)
    assert result.returncode != 0 and "must name a commit on main's first-parent line" in result.stderr
    git("tag", "merge-tag", "main", cwd=work)
    git("push", "-q", "origin", "merge-tag", cwd=work)
    assert [t["name"] for t in api.get(f"/project-group/{group['id']}/tags").json["tags"]] == ["merge-tag"]


def test_git_mv_of_a_sql_project_keeps_its_dialect(api: Client, group: dict[str, Any], work: Path) -> None:
    tsql = "CREATE TABLE t ([id] INT IDENTITY(1,1) PRIMARY KEY, [name] NVARCHAR(MAX));\n"
    project = api.post(
        "/project",
        {"project_group_id": group["id"], "name": "ts", "format": "sql", "dialect": "tsql", "data": tsql},
    ).json
    git("pull", "-q", cwd=work)
    git("mv", "ts.sql", "ts2.sql", cwd=work)
    commit(work, "Rename ts")
    git("push", "-q", "origin", "main", cwd=work)
    moved = api.get(f"/project/{project['id']}").json
    assert (moved["name"], moved["dialect"], moved["data"]) == ("ts2", "tsql", tsql)


def test_a_pushed_file_for_a_project_without_data_is_its_update(
    api: Client, group: dict[str, Any], work: Path
) -> None:
    empty = api.post("/project", {"project_group_id": group["id"], "name": "empty"}).json
    git("pull", "-q", cwd=work)
    (work / "empty.yaml").write_text(USERS)
    commit(work, "Fill in empty")
    git("push", "-q", "origin", "main", cwd=work)
    actions = [v["action"] for v in api.get(f"/project/{empty['id']}/history").json["versions"]]
    assert actions == ["update", "create"]


def test_a_file_that_is_not_utf8_is_refused_where_the_bad_byte_is(work: Path) -> None:
    (work / "latin.yaml").write_bytes(b"user:\n  name: string\n  city: caf\xe9\n")
    commit(work, "Latin-1")
    result = git("push", "origin", "main", cwd=work, check=False)
    assert result.returncode != 0 and "latin.yaml:3:12: not UTF-8 text (byte 0xe9)" in result.stderr


def test_a_push_body_waits_for_a_git_slot_before_it_is_read(tmp_path: Path) -> None:
    """Push bodies are held whole in memory, so only as many as there are git slots may be read."""
    srv = Server(tmp_path / "data", env={"REGISTRY_MAX_CONCURRENT_GIT": "1"}).start()
    try:
        api = Client(srv.url, srv.admin_key())
        api.post("/project-group", {"name": "g"})
        slow = socket.create_connection(("127.0.0.1", srv.port))
        slow.sendall(
            f"POST /git/g.git/git-receive-pack HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {api.key}\r\n"
            "Content-Type: application/x-git-receive-pack-request\r\nContent-Length: 100000\r\n\r\n"
            "0000".encode()
        )  # most of the body never comes: this push holds the only slot while its body is read
        with ThreadPoolExecutor(1) as pool:
            refs = pool.submit(api.get, "/git/g.git/info/refs?service=git-upload-pack")
            with pytest.raises(TimeoutError):
                refs.result(timeout=1)  # the slot is taken: git work waits
            slow.close()  # the push ends (its body was cut off), and its slot is free
            assert refs.result(timeout=30).status == 200
    finally:
        srv.stop()
