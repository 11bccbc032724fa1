"""Keys and roles: 401 without a valid key, 403 outside the key's role or groups."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import MakeKey
from tests.support.client import Client
from tests.support.server import Server, run_cli

YAML = "user:\n  name: string\n"


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "Bearer",
        "Bearer ",
        "Bearer wrong",
        "Token abc",
        "Basic !!!",
        "Basic " + base64.b64encode(b"x:y").decode(),
    ],
)
def test_missing_or_unknown_key_is_401(api: Client, header: str | None) -> None:
    client = api.with_key(None)
    headers = {} if header is None else {"Authorization": header}
    for method, path in (
        ("GET", "/project-group"),
        ("POST", "/project-group"),
        ("GET", "/project/_p1"),
        ("GET", "/metrics"),  # /openapi.json is public: test_reference_page.py
    ):
        response = client.request(method, path, headers=headers)
        assert response.status == 401, (method, path)
        assert response.json["code"] == "unauthenticated"
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_healthz_needs_no_key(api: Client) -> None:
    assert api.with_key(None).get("/healthz").json == {"status": "ok"}


def test_basic_auth_with_the_key_as_password_works_for_the_api(api: Client) -> None:
    assert api.key is not None
    basic = "Basic " + base64.b64encode(f"anyone:{api.key}".encode()).decode()
    assert api.with_key(None).get("/project-group", headers={"Authorization": basic}).status == 200


def test_read_key_reads_but_cannot_write(api: Client, make_key: MakeKey, group: dict[str, Any]) -> None:
    project = api.post("/project", {"project_group_id": group["id"], "name": "p", "data": YAML}).json
    reader = make_key("read")
    assert reader.get(f"/project/{project['id']}").status == 200
    assert reader.get(f"/project-group/{group['id']}").status == 200
    for response in (
        reader.post("/project", {"project_group_id": group["id"], "name": "q"}),
        reader.put(f"/project/{project['id']}", {"data": YAML}),
        reader.patch(f"/project/{project['id']}", {"name": "r"}),
        reader.delete(f"/project/{project['id']}"),
        reader.post("/project-group", {"name": "nope"}),
    ):
        assert response.status == 403, response
        assert response.json["code"] == "forbidden"


def test_write_key_manages_projects_but_not_groups(
    api: Client, make_key: MakeKey, group: dict[str, Any], unique: Any
) -> None:
    writer = make_key("write")
    created = writer.post("/project", {"project_group_id": group["id"], "name": "p", "data": YAML})
    assert created.status == 201
    assert writer.patch(f"/project/{created.json['id']}", {"name": "q"}).status == 200
    assert writer.delete(f"/project/{created.json['id']}").status == 200
    assert writer.post("/project-group", {"name": unique("g")}).status == 403
    assert writer.put(f"/project-group/{group['id']}", {"name": unique("g")}).status == 403
    assert writer.delete(f"/project-group/{group['id']}").status == 403


def test_group_scoped_key_sees_only_its_groups_and_follows_renames(
    api: Client, make_key: MakeKey, group: dict[str, Any], unique: Any
) -> None:
    other = api.post("/project-group", {"name": unique("other")}).json
    mine = api.post("/project", {"project_group_id": group["id"], "name": "p", "data": YAML}).json
    theirs = api.post("/project", {"project_group_id": other["id"], "name": "p", "data": YAML}).json
    scoped = make_key("write", group["name"])
    assert scoped.get(f"/project/{mine['id']}").status == 200
    assert scoped.get(f"/project/{theirs['id']}").status == 403
    assert scoped.get(f"/project/{other['name']}/p").status == 403
    assert scoped.put(f"/project/{theirs['id']}", {"data": YAML}).status == 403
    assert scoped.post("/project", {"project_group_id": other["id"], "name": "x"}).status == 403
    assert scoped.get(f"/project-group/{other['id']}").status == 403
    listed = {g["id"] for g in scoped.get("/project-group").json["project_groups"]}
    assert listed == {group["id"]}
    renamed = unique("renamed")
    assert api.put(f"/project-group/{group['id']}", {"name": renamed}).status == 200
    assert scoped.get(f"/project/{renamed}/p").status == 200
    assert scoped.put(f"/project/{mine['id']}", {"data": YAML + "  email: string\n"}).status == 200


def test_a_scoped_key_cannot_tell_which_names_exist_in_other_groups(
    api: Client, make_key: MakeKey, group: dict[str, Any], unique: Any
) -> None:
    """Existing or not, every name outside the key's groups is 403: a 404 would say it is free."""
    other = api.post("/project-group", {"name": unique("other")}).json
    api.post("/project", {"project_group_id": other["id"], "name": "p", "data": YAML})
    scoped = make_key("write", group["name"])
    admin_key_404s = [f"/project-group/{unique('none')}", f"/project/{unique('none')}/p"]
    assert [api.get(path).status for path in admin_key_404s] == [404, 404]  # unscoped keys learn it
    now = "2100-01-01T00:00:00Z"
    for name in ("p", "nosuch"):  # a project that exists, and one that does not
        for path in (f"/project/{other['name']}/{name}", f"/project/{other['name']}/{name}?at={now}"):
            assert scoped.get(path).status == 403, path
        assert scoped.put(f"/project/{other['name']}/{name}", {"data": YAML}).status == 403
    for ref in (other["name"], unique("none")):  # a group that exists, and one that does not
        for path in (
            f"/project-group/{ref}",
            f"/project-group/{ref}?at={now}",
            f"/project-group/{ref}/history",
            f"/project-group/{ref}/tags",
            f"/project/{ref}/p",
            f"/git/{ref}.git/info/refs?service=git-upload-pack",
        ):
            response = scoped.get(path, headers={"Accept": "application/problem+json"})
            assert response.status == 403, path
            assert response.json["detail"] == (
                f"key {scoped.name!r} does not cover this project group (it is limited to other "
                "groups): use a key that covers it (`schema-registry keys create --group GROUP`) or "
                "one not limited to groups"
            )
        assert scoped.post("/project", {"project_group_id": ref, "name": "x", "data": YAML}).status == 403


def test_a_scoped_admin_with_a_stale_if_match_learns_nothing_of_other_names(
    api: Client, make_key: MakeKey, group: dict[str, Any], unique: Any
) -> None:
    taken = api.post("/project-group", {"name": unique("taken")}).json["name"]
    scoped_admin = make_key("admin", group["name"])
    stale = {"If-Match": '"' + "0" * 40 + '"'}
    for name in (taken, unique("free")):
        response = scoped_admin.request("PUT", f"/project-group/{group['id']}", {"name": name}, headers=stale)
        assert response.status == 412, (name, response.json)


def test_scoped_admin_cannot_create_groups(make_key: MakeKey, group: dict[str, Any], unique: Any) -> None:
    scoped_admin = make_key("admin", group["name"])
    assert scoped_admin.post("/project-group", {"name": unique("g")}).status == 403
    assert scoped_admin.put(f"/project-group/{group['id']}", {"name": unique("g")}).status == 200


def test_revoked_key_stops_working_without_restart(server: Server, make_key: MakeKey) -> None:
    reader = make_key("read")
    assert reader.get("/project-group").status == 200
    run_cli("keys", "revoke", "--name", reader.name, data_dir=server.data_dir)
    deadline = time.monotonic() + 10
    while reader.get("/project-group").status == 200 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert reader.get("/project-group").status == 401


def test_a_key_file_broken_for_a_while_keeps_the_old_keys_and_reloading_goes_on(tmp_path: Path) -> None:
    srv = Server(tmp_path / "data").start()
    try:
        api = Client(srv.url, srv.admin_key())
        out = run_cli("keys", "create", "--name", "ci", "--role", "read", data_dir=srv.data_dir).stdout
        ci = api.with_key(out.strip().splitlines()[-1], "ci")
        _wait_for(lambda: ci.get("/project-group").status == 200)
        keys_file = srv.data_dir / "keys.json"
        good = keys_file.read_text()
        keys_file.write_text("{ half an edit")
        time.sleep(0.5)  # several reload rounds (0.1 s in tests) meet the broken file
        assert ci.get("/project-group").status == 200  # the keys loaded before still hold
        keys_file.write_text(good)
        run_cli("keys", "revoke", "--name", "ci", data_dir=srv.data_dir)
        assert _wait_for(lambda: ci.get("/project-group").status == 401)
        assert "keeping the keys loaded before" in srv.log_path.read_text()  # type: ignore[union-attr]
    finally:
        srv.stop()
    (srv.data_dir / "keys.json").write_text("[]")
    refused = run_cli("serve", "--port", "0", data_dir=srv.data_dir, check=False)
    assert refused.returncode == 2 and "is not a valid key file" in refused.stderr


def _wait_for(condition: Callable[[], bool], seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.05)
    return condition()


def test_keys_are_stored_only_as_hashes(server: Server, make_key: MakeKey) -> None:
    client = make_key("read")
    assert client.key is not None
    assert client.key.startswith("sr_")
    assert len(client.key) >= 3 + 43
    stored = (server.data_dir / "keys.json").read_text()
    assert client.key not in stored
    assert client.key[3:] not in stored
    doc = json.loads(stored)
    assert all(set(k) == {"name", "role", "groups", "created_at", "sha256"} for k in doc["keys"])


def test_the_key_never_reaches_the_log(server: Server, make_key: MakeKey) -> None:
    client = make_key("read")
    assert client.key is not None
    client.get("/project-group")
    client.get("/project-group", headers={"Authorization": f"Bearer {client.key}x"})
    deadline = time.monotonic() + 5
    while f"key={client.name}" not in server.log() and time.monotonic() < deadline:
        time.sleep(0.05)
    log = server.log()
    assert "GET /project-group 200" in log
    assert f"key={client.name}" in log
    assert client.key not in log
    assert client.key[3:20] not in log
