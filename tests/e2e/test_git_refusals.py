"""What the real git client shows when the registry refuses a clone or a push."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.conftest import MakeKey
from tests.support.client import Client
from tests.support.git import git
from tests.support.server import Server


def _url(server: Server, key: str, group: str) -> str:
    return f"http://any:{key}@127.0.0.1:{server.port}/git/{group}.git"


def test_a_push_with_a_read_key_says_the_role_refused_and_what_to_do(
    api: Client, server: Server, group: dict[str, Any], make_key: MakeKey, tmp_path: Path
) -> None:
    api.post("/project", {"project_group_id": group["id"], "name": "users", "data": "user:\n  n: string\n"})
    reader = make_key("read")
    git("clone", "-q", _url(server, str(reader.key), group["name"]), "work", cwd=tmp_path)
    work = tmp_path / "work"
    (work / "more.yaml").write_text("more:\n  n: string\n")
    git("add", "-A", cwd=work)
    git("-c", "user.name=A", "-c", "user.email=a@example.com", "commit", "-q", "-m", "More", cwd=work)
    result = git("push", "origin", "main", cwd=work, check=False)
    assert result.returncode != 0
    assert f"remote: key {reader.name!r} has role 'read'; this needs 'write'" in result.stderr
    assert "schema-registry keys create --role write" in result.stderr


def test_a_clone_outside_the_keys_groups_says_the_scope_refused(
    api: Client, server: Server, group: dict[str, Any], make_key: MakeKey, tmp_path: Path, unique: Any
) -> None:
    other = api.post("/project-group", {"name": unique("other")}).json
    scoped = make_key("read", other["name"])
    for target in (group["name"], unique("nosuch")):  # an existing group and none: the same words
        result = git("clone", "-q", _url(server, str(scoped.key), target), "c", cwd=tmp_path, check=False)
        assert result.returncode != 0
        assert f"remote: key {scoped.name!r} does not cover this project group" in result.stderr, (
            result.stderr
        )
        assert "keys create --group GROUP" in result.stderr
