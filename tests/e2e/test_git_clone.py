"""The real git client clones and fetches group repositories over smart HTTP, with keys."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

from repo_store import repack
from tests.conftest import MakeKey
from tests.support.client import Client
from tests.support.git import git, repo_path
from tests.support.server import Server

USERS = "# users\nuser:\n  name: string\n"
ORDERS = "order:\n  id: number\n"


def clone_url(server: Server, ref: str, key: str | None = None) -> str:
    auth = f"anyone:{key}@" if key else ""
    return f"http://{auth}127.0.0.1:{server.port}/git/{ref}.git"


def test_clone_with_bearer_matches_the_api(
    api: Client, server: Server, group: dict[str, Any], tmp_path: Path
) -> None:
    users = api.post("/project", {"project_group_id": group["id"], "name": "users", "data": USERS}).json
    api.post("/project", {"project_group_id": group["id"], "name": "orders", "data": ORDERS})
    api.put(f"/project/{users['id']}", {"data": USERS + "  email: string\n", "message": "add email"})
    assert api.key is not None
    git("clone", "-q", clone_url(server, group["name"]), "work", cwd=tmp_path, key=api.key)
    work = tmp_path / "work"
    assert sorted(p.name for p in work.iterdir() if p.name != ".git") == [
        ".registry.json",
        "orders.yaml",
        "users.yaml",
    ]
    for path in ("users", "orders"):
        assert (work / f"{path}.yaml").read_bytes().decode() == api.get(
            f"/project/{group['name']}/{path}"
        ).json["data"]
    log = git("log", "--format=%an|%s", cwd=work).stdout.splitlines()
    assert log == [
        "admin|Update users (yaml)",
        "admin|Create orders (yaml)",
        "admin|Create users (yaml)",
        f"admin|Create project group {group['name']}",
    ]
    assert "add email" in git("log", "-1", "--format=%b", cwd=work).stdout
    meta = json.loads((work / ".registry.json").read_text())
    assert meta["group"]["id"] == group["id"]
    assert git("fsck", "--strict", cwd=work).returncode == 0


def test_clone_with_basic_auth_by_group_id(
    api: Client, server: Server, group: dict[str, Any], tmp_path: Path
) -> None:
    api.post("/project", {"project_group_id": group["id"], "name": "users", "data": USERS})
    git("clone", "-q", clone_url(server, group["id"], api.key), "work", cwd=tmp_path)
    assert (tmp_path / "work" / "users.yaml").read_text() == USERS


def test_fetch_and_pull_get_new_commits(
    api: Client, server: Server, group: dict[str, Any], tmp_path: Path
) -> None:
    project = api.post("/project", {"project_group_id": group["id"], "name": "users", "data": USERS}).json
    git("clone", "-q", clone_url(server, group["name"], api.key), "work", cwd=tmp_path)
    work = tmp_path / "work"
    api.put(f"/project/{project['id']}", {"data": ORDERS})
    api.patch(f"/project/{project['id']}", {"name": "orders"})
    git("pull", "-q", "--ff-only", cwd=work)
    assert not (work / "users.yaml").exists()
    assert (work / "orders.yaml").read_text() == ORDERS
    assert git("rev-list", "--count", "HEAD", cwd=work).stdout.strip() == "4"


def test_clone_without_a_key_is_refused_with_a_basic_challenge(
    api: Client, server: Server, group: dict[str, Any], tmp_path: Path
) -> None:
    result = git("clone", "-q", clone_url(server, group["name"]), "work", cwd=tmp_path, check=False)
    assert result.returncode != 0
    assert not (tmp_path / "work").exists()
    response = api.with_key(None).get(f"/git/{group['name']}.git/info/refs?service=git-upload-pack")
    assert response.status == 401
    assert response.headers["WWW-Authenticate"].startswith("Basic")
    wrong = git("clone", "-q", clone_url(server, group["name"], "sr_wrong"), "w2", cwd=tmp_path, check=False)
    assert wrong.returncode != 0


def test_key_outside_the_group_cannot_clone(
    api: Client, make_key: MakeKey, server: Server, group: dict[str, Any], tmp_path: Path, unique: Any
) -> None:
    other = api.post("/project-group", {"name": unique("other")}).json
    scoped = make_key("read", other["name"])
    refused = git(
        "clone", "-q", clone_url(server, group["name"], scoped.key), "work", cwd=tmp_path, check=False
    )
    assert refused.returncode != 0
    assert "403" in refused.stderr
    git("clone", "-q", clone_url(server, other["name"], scoped.key), "ok", cwd=tmp_path)


def test_unknown_repositories_and_the_dumb_protocol_are_refused(
    api: Client, server: Server, group: dict[str, Any]
) -> None:
    assert api.get("/git/no-such-group.git/info/refs?service=git-upload-pack").status == 404
    assert api.get("/git/..%2F..%2Fetc.git/info/refs?service=git-upload-pack").status == 404
    assert api.get(f"/git/{group['name']}.git/info/refs").status == 403  # dumb protocol is not served
    assert api.get(f"/git/{group['name']}.git/info/refs?service=git-other").status == 403


def test_clone_and_fetch_served_by_dulwich_when_native_git_is_off(tmp_path: Path) -> None:
    srv = Server(tmp_path / "data", env={"REGISTRY_NATIVE_GIT": "0"}).start()
    try:
        api = Client(srv.url, srv.admin_key())
        group = api.post("/project-group", {"name": "g"}).json
        project = api.post("/project", {"project_group_id": group["id"], "name": "users", "data": USERS}).json
        git("clone", "-q", clone_url(srv, "g", api.key), "work", cwd=tmp_path)
        assert (tmp_path / "work" / "users.yaml").read_text() == USERS
        api.put(f"/project/{project['id']}", {"data": ORDERS})
        git("pull", "-q", "--ff-only", cwd=tmp_path / "work")
        assert (tmp_path / "work" / "users.yaml").read_text() == ORDERS
    finally:
        srv.stop()


def test_clones_and_writes_go_on_while_repacks_run(
    api: Client, server: Server, group: dict[str, Any], tmp_path: Path
) -> None:
    project = api.post("/project", {"project_group_id": group["id"], "name": "users", "data": USERS}).json
    repo = repo_path(server.data_dir, group["id"])
    stop = threading.Event()
    repacks = 0

    def repack_loop() -> None:
        nonlocal repacks
        while not stop.is_set():
            for full in (False, True):
                assert repack(repo, full=full)
                repacks += 1

    repacker = threading.Thread(target=repack_loop)
    repacker.start()
    try:
        for n in range(6):
            data = USERS + f"  field{n}: number\n"
            assert api.put(f"/project/{project['id']}", {"data": data}).status == 200
            git("clone", "-q", clone_url(server, group["name"]), f"clone{n}", cwd=tmp_path, key=api.key)
            assert (tmp_path / f"clone{n}" / "users.yaml").read_text() == data
            assert git("fsck", "--strict", cwd=tmp_path / f"clone{n}").returncode == 0
    finally:
        stop.set()
        repacker.join()
    assert repacks >= 2


def test_a_streamed_git_answer_carries_the_request_id(api: Client, group: dict[str, Any]) -> None:
    """upload-pack answers are streamed (sent before the handler returns): the id is set up front."""
    head = api.get(f"/project-group/{group['id']}").json["version"]
    want = f"want {head}\n".encode()
    request = b"%04x%s0000" % (len(want) + 4, want) + b"0009done\n"
    client = Client(api.base_url, api.key)
    response = client.post(
        f"/git/{group['id']}.git/git-upload-pack",
        raw=request,
        headers={"Content-Type": "application/x-git-upload-pack-request", "X-Request-Id": "clone-7"},
    )
    assert response.status == 200
    assert response.headers["Content-Type"] == "application/x-git-upload-pack-result"
    assert response.headers["X-Request-Id"] == "clone-7"
    assert response.body.startswith(b"0008NAK\n") and b"PACK" in response.body
