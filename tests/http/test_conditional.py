"""If-None-Match (RFC 9110): a client that has the current representation gets 304 and no body."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.client import Client

YAML = "User:\n  id: number\n"


@pytest.fixture
def project(api: Client, group: dict[str, Any]) -> dict[str, Any]:
    body = {"project_group_id": group["id"], "name": "users", "data": YAML}
    created: dict[str, Any] = api.post("/project", body).json
    return created


def etag_of(api: Client, path: str) -> str:
    response = api.get(path)
    assert response.status == 200, response
    etag = response.headers["ETag"]
    assert response.headers["Cache-Control"] == "no-cache"
    return etag


@pytest.mark.parametrize(
    "path",
    [
        "/project/{pid}",
        "/project/{group}/users",
        "/project-group/{group}",
        "/project/{pid}/history",
        "/project-group/{group}/history",
        "/project/{pid}/entities",
        "/project/{pid}/sample",
    ],
)
def test_every_tagged_read_answers_304_to_its_own_tag(
    api: Client, group: dict[str, Any], project: dict[str, Any], path: str
) -> None:
    path = path.format(pid=project["id"], group=group["name"])
    etag = etag_of(api, path)
    again = api.get(path, headers={"If-None-Match": etag})
    assert again.status == 304, again
    assert again.body == b""
    assert again.headers["ETag"] == etag
    assert again.headers["Cache-Control"] == "no-cache"


@pytest.mark.parametrize(
    ("condition", "status"),
    [
        ("{etag}", 304),
        ("W/{etag}", 304),  # weak comparison: the weakness marker does not matter
        ('"0000", {etag}', 304),
        ("*", 304),
        ('"0000000000000000000000000000000000000000"', 200),
        ('W/"0000"', 200),
    ],
)
def test_if_none_match_forms(api: Client, project: dict[str, Any], condition: str, status: int) -> None:
    path = f"/project/{project['id']}"
    etag = etag_of(api, path)
    response = api.get(path, headers={"If-None-Match": condition.format(etag=etag)})
    assert response.status == status, response


def test_a_change_makes_the_old_tag_stale(api: Client, project: dict[str, Any]) -> None:
    path = f"/project/{project['id']}"
    etag = etag_of(api, path)
    history_etag = etag_of(api, path + "/history")
    assert api.put(path, {"data": YAML + "  name: string\n"}).status == 200
    assert api.get(path, headers={"If-None-Match": etag}).status == 200
    assert api.get(path + "/history", headers={"If-None-Match": history_etag}).status == 200


def test_writes_ignore_if_none_match(api: Client, project: dict[str, Any]) -> None:
    path = f"/project/{project['id']}"
    etag = etag_of(api, path)
    response = api.put(path, {"data": YAML + "  age: number\n"}, headers={"If-None-Match": etag})
    assert response.status == 200, response


def test_an_error_is_never_a_304(api: Client) -> None:
    response = api.get("/project/_p00000000000000000000", headers={"If-None-Match": "*"})
    assert response.status == 404, response
