"""Compatibility levels on git push: a breaking push is refused whole with file:line:column lines,
an admin's ``-o compatibility=force`` records what it broke, and long histories check fast."""

from __future__ import annotations

import re
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import MakeKey
from tests.support.client import Client
from tests.support.git import commit_count, git, repo_path
from tests.support.server import Server

USERS = "user:\n  name: string\n"
WITH_EMAIL = "user:\n  name: string\n  email: string\n"


@pytest.fixture
def work(api: Client, server: Server, group: dict[str, Any], tmp_path: Path) -> Path:
    """A clone of a BACKWARD group with one project, configured to commit as a person."""
    assert api.put(f"/project-group/{group['id']}/config", {"compatibility": "BACKWARD"}).status == 200
    api.post("/project", {"project_group_id": group["id"], "name": "users", "data": USERS})
    git("clone", "-q", url(server, api.key or "", group), "work", cwd=tmp_path)
    work = tmp_path / "work"
    git("config", "user.name", "Ada Lovelace", cwd=work)
    git("config", "user.email", "ada@example.com", cwd=work)
    return work


def url(server: Server, key: str, group: dict[str, Any]) -> str:
    return f"http://any:{key}@127.0.0.1:{server.port}/git/{group['name']}.git"


def commit(work: Path, message: str) -> None:
    git("add", "-A", cwd=work)
    git("commit", "-q", "-m", message, cwd=work)


def last_message(server: Server, group: dict[str, Any]) -> str:
    return git("--git-dir", str(repo_path(server.data_dir, group["id"])), "log", "-1", "--format=%B").stdout


def test_a_breaking_push_is_refused_whole(
    api: Client, server: Server, group: dict[str, Any], work: Path
) -> None:
    before = commit_count(repo_path(server.data_dir, group["id"]))
    (work / "orders.yaml").write_text("order:\n  id: number\n")
    commit(work, "Add orders")  # fine by itself, but refused with the rest
    (work / "users.yaml").write_text(WITH_EMAIL)
    commit(work, "Users get an email")
    result = git("push", "origin", "main", cwd=work, check=False)
    assert result.returncode != 0
    assert "users.yaml: breaks BACKWARD compatibility (1 change(s))" in result.stderr
    assert re.search(
        r"users\.yaml:\d+:\d+: field user\.email was added as required and has no default", result.stderr
    )
    assert "field-added user.email, BACKWARD against" in result.stderr
    assert "push refused: incompatible schema" in result.stderr
    assert commit_count(repo_path(server.data_dir, group["id"])) == before
    assert api.get(f"/project/{group['name']}/orders").status == 404
    assert api.get(f"/project/{group['name']}/users").json["data"] == USERS


def test_an_admin_may_force_a_breaking_push_and_the_record_says_so(
    api: Client, server: Server, group: dict[str, Any], work: Path, make_key: MakeKey
) -> None:
    (work / "users.yaml").write_text(WITH_EMAIL)
    commit(work, "Users get an email")
    writer = make_key("write")
    refused = git(
        "push",
        "-o",
        "compatibility=force",
        url(server, writer.key or "", group),
        "main",
        cwd=work,
        check=False,
    )
    assert refused.returncode != 0
    assert "-o compatibility=force needs an admin key" in refused.stderr
    odd = git("push", "-o", "compatibility=please", "origin", "main", cwd=work, check=False)
    assert odd.returncode != 0 and "unknown push option value" in odd.stderr
    result = git("push", "-o", "compatibility=force", "origin", "main", cwd=work)
    assert "recorded 1 change(s)" in result.stderr
    message = last_message(server, group)
    assert "Registry-Action: push" in message
    assert "Compatibility-Override: BACKWARD" in message
    assert "Compatibility-Break: users.yaml field-added user.email" in message
    assert api.get(f"/project/{group['name']}/users").json["data"] == WITH_EMAIL


def test_safe_pushes_and_creates_renames_and_deletes_pass(
    api: Client, server: Server, group: dict[str, Any], work: Path
) -> None:
    api.put(f"/project-group/{group['id']}/config", {"compatibility": "FULL_TRANSITIVE"})
    git("pull", "-q", "--ff-only", cwd=work)
    (work / "orders.yaml").write_text("order:\n  id: number\n")
    commit(work, "Add orders")
    git("mv", "users.yaml", "people.yaml", cwd=work)
    commit(work, "Users are people")
    git("rm", "-q", "orders.yaml", cwd=work)
    commit(work, "No orders after all")
    (work / "people.yaml").write_text(USERS + "group:\n  name: string\n")  # an entity added: safe
    commit(work, "Groups")
    result = git("push", "origin", "main", cwd=work)
    assert "recorded 4 change(s)" in result.stderr
    assert "Compatibility-Override" not in last_message(server, group)


def test_a_long_history_is_checked_transitively(
    api: Client, server: Server, group: dict[str, Any], work: Path
) -> None:
    """220 versions pushed at once (no level yet), then checked and enforced transitively: each old
    version is validated once, and a warm check reads them all from the model cache."""
    api.put(f"/project-group/{group['id']}/config", {"compatibility": "NONE"})
    git("pull", "-q", "--ff-only", cwd=work)
    first = "CREATE TABLE accounts (id INT PRIMARY KEY, note TEXT);\n"
    (work / "accounts.sql").write_text(first)
    commit(work, "Accounts")
    versions = 220
    fast_import(work, [f"CREATE TABLE accounts (id INT PRIMARY KEY, c{n} TEXT);\n" for n in range(versions)])
    git("push", "-q", "origin", "main", cwd=work)
    project = api.get(f"/project/{group['name']}/accounts").json
    again = "CREATE TABLE accounts (id INT PRIMARY KEY, note INT);\n"
    path = f"/project/{project['id']}/compatibility"
    assert api.post(path, {"data": again, "level": "BACKWARD"}).json["compatible"] is True
    cold = api.post(path, {"data": again, "level": "BACKWARD_TRANSITIVE"}).json
    assert cold["compatible"] is False
    assert len(cold["against"]) == versions + 1
    broken = [c for c in cold["changes"] if "BACKWARD" in c["breaks"]]
    assert [(c["kind"], c["path"], c["against"]) for c in broken] == [
        ("type-changed", "accounts.note", cold["against"][-1])
    ]
    started = time.monotonic()
    warm = api.post(path, {"data": again, "level": "BACKWARD_TRANSITIVE"}).json
    assert time.monotonic() - started < 2.0, "a warm transitive check must come from cached models"
    assert warm == cold
    api.put(f"/project/{project['id']}/config", {"compatibility": "BACKWARD_TRANSITIVE"})
    git("pull", "-q", "--ff-only", cwd=work)  # the push's record and the level's commit
    (work / "accounts.sql").write_text(again)
    commit(work, "Notes are numbers")
    refused = git("push", "origin", "main", cwd=work, check=False)
    assert refused.returncode != 0
    assert "accounts.sql: breaks BACKWARD_TRANSITIVE compatibility (1 change(s))" in refused.stderr
    assert "type-changed accounts.note" in refused.stderr


def fast_import(work: Path, texts: list[str]) -> None:
    """One commit per text of accounts.sql on main, made in one git process (a loop of git
    commit would spend seconds on process starts)."""
    parts = []
    for n, text in enumerate(texts):
        message = f"Version {n}\n".encode()
        data = text.encode()
        parts.append(
            b"commit refs/heads/main\n"
            + f"committer Ada Lovelace <ada@example.com> {1_800_000_000 + n} +0000\n".encode()
            + f"data {len(message)}\n".encode()
            + message
            + (b"from refs/heads/main^0\n" if n == 0 else b"")
            + f"M 100644 inline accounts.sql\ndata {len(data)}\n".encode()
            + data
            + b"\n"
        )
    subprocess.run(["git", "fast-import", "--quiet"], cwd=work, input=b"".join(parts), check=True, timeout=60)
    git("reset", "-q", "--hard", "main", cwd=work)
