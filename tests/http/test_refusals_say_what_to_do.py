"""A trailing slash names the path without it; a 403 says which check refused and what to do."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import MakeKey
from tests.support.client import Client


@pytest.mark.parametrize(
    ("method", "path", "without"),
    [
        ("GET", "/project-group/", "/project-group"),
        ("GET", "/project-group/{group}/", "/project-group/{group}"),
        ("GET", "/project-group/{group}//", "/project-group/{group}"),
        ("POST", "/project/", "/project"),
        ("PUT", "/project/{group}/users/", "/project/{group}/users"),
        ("GET", "/project/{group}/users/history/", "/project/{group}/users/history"),
        ("DELETE", "/project-group/", "/project-group"),  # a route, though not for DELETE
    ],
)
def test_a_trailing_slash_names_the_path_without_it(
    api: Client, group: dict[str, Any], method: str, path: str, without: str
) -> None:
    path, without = path.format(group=group["name"]), without.format(group=group["name"])
    response = Client(api.base_url, api.key).request(method, path)  # not a documented path
    assert response.status == 404
    assert response.content_type == "application/problem+json"
    assert response.json["code"] == "not-found"
    assert f"send the request to {without} (without the trailing slash)" in response.json["detail"]


@pytest.mark.parametrize("path", ["/nothing/", "/project/a/b/c/", "/", "/nothing"])
def test_a_slash_that_is_not_the_trouble_is_not_blamed(api: Client, path: str) -> None:
    response = Client(api.base_url, api.key).get(path)
    assert response.status == 404
    assert "slash" not in response.json["detail"]


def test_a_403_says_whether_the_role_or_the_scope_refused(
    api: Client, group: dict[str, Any], make_key: MakeKey, unique: Any
) -> None:
    reader = make_key("read")
    by_role = reader.post("/project", {"project_group_id": group["id"], "name": "x"})
    assert by_role.status == 403
    assert by_role.json["detail"].startswith(
        f"key {reader.name!r} has role 'read'; this needs 'write': use a key"
    )
    assert "keys create --role write" in by_role.json["detail"]
    other = api.post("/project-group", {"name": unique("other")}).json
    scoped = make_key("admin", other["name"])
    by_scope = scoped.get(f"/project-group/{group['name']}")
    assert by_scope.status == 403
    assert "does not cover this project group" in by_scope.json["detail"]
    assert "keys create --group GROUP" in by_scope.json["detail"]
    no_groups = scoped.post("/project-group", {"name": unique("new")})
    assert no_groups.status == 403 and "use an admin key not limited to groups" in no_groups.json["detail"]


def test_git_paths_answer_problems_as_text_unless_json_is_asked_for(
    api: Client, group: dict[str, Any], make_key: MakeKey
) -> None:
    reader = make_key("read")
    path = f"/git/{group['name']}.git/info/refs?service=git-receive-pack"
    for accept in (None, "*/*"):
        text = reader.get(path, headers={"Accept": accept} if accept else {})
        assert text.status == 403
        assert text.content_type == "text/plain"
        assert text.body.decode() == (
            f"key {reader.name!r} has role 'read'; this needs 'write': use a key with role 'write' or "
            "higher (an operator makes one with `schema-registry keys create --role write`)\n"
        )
    problem = reader.get(path, headers={"Accept": "application/problem+json"})
    assert problem.status == 403 and problem.json["code"] == "forbidden"
    unauthenticated = reader.with_key(None).get(path)
    assert unauthenticated.status == 401 and unauthenticated.content_type == "text/plain"
    assert unauthenticated.headers["WWW-Authenticate"] == 'Basic realm="schema-registry"'
    # Outside /git/ nothing changes: problems stay JSON whatever Accept says.
    assert reader.delete(f"/project-group/{group['id']}").content_type == "application/problem+json"
