"""The schema text alone, as stored: chosen by Accept or ``?raw=1``, with an ETag of its own."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.client import Client, Response

# Comments, odd spacing and non-ASCII text: the download is the stored bytes, not a re-rendering.
SCHEMAS = {
    "yaml": ("application/yaml", "# who signs up\nuser:\n  name:   string  # ünïcödé\n"),
    "json_schema": ("application/schema+json", '{ "type": "object",\n  "title": "Zürich" }\n'),
    "json_parquet": ("application/json", '{"fields": [ {"name": "id", "type": "INT64"} ]}\n'),
    "sql": ("application/sql", "-- users\nCREATE TABLE users (id INT PRIMARY KEY);\n"),
}


def _create(api: Client, group: dict[str, Any], fmt: str) -> dict[str, Any]:
    body = {"project_group_id": group["id"], "name": f"p_{fmt}", "format": fmt, "data": SCHEMAS[fmt][1]}
    response = api.post("/project", body)
    assert response.status == 201, response
    project: dict[str, Any] = response.json
    return project


def _assert_raw(response: Response, fmt: str, version: str) -> None:
    media, text = SCHEMAS[fmt]
    assert response.status == 200, response
    assert response.content_type == media
    assert response.body == text.encode()
    assert response.headers["ETag"] == f'"{version}-raw"'
    assert response.headers["Vary"] == "Accept"


def _assert_json(response: Response, project: dict[str, Any]) -> None:
    assert response.status == 200, response
    assert response.content_type == "application/json"
    assert response.json["id"] == project["id"]
    assert response.headers["ETag"] == f'"{project["version"]}"'
    assert response.headers["Vary"] == "Accept"


@pytest.mark.parametrize("fmt", sorted(SCHEMAS))
def test_accept_of_the_media_type_or_raw_1_answers_the_text_alone(
    api: Client, group: dict[str, Any], fmt: str
) -> None:
    project = _create(api, group, fmt)
    media = SCHEMAS[fmt][0]
    for path in (f"/project/{project['id']}", f"/project/{group['name']}/{project['name']}"):
        _assert_raw(api.get(path + "?raw=1"), fmt, project["version"])
        if fmt == "json_parquet":  # its media type is the API's own: Accept keeps the description
            _assert_json(api.get(path, headers={"Accept": media}), project)
            continue
        _assert_raw(api.get(path, headers={"Accept": media}), fmt, project["version"])
        _assert_raw(
            api.get(path, headers={"Accept": f"text/html;q=0.9, {media};q=0.8"}), fmt, project["version"]
        )
        # The JSON is what was always answered, and ?raw=0 gets it whatever Accept says.
        for headers in ({}, {"Accept": "*/*"}, {"Accept": "text/html"}, {"Accept": f"{media};q=0"}):
            _assert_json(api.get(path, headers=headers), project)
        _assert_json(api.get(path + "?raw=0", headers={"Accept": media}), project)


def test_a_read_from_memory_twice_still_answers_by_accept(api: Client, group: dict[str, Any]) -> None:
    """The rendered JSON kept for repeated reads must not be answered to a raw request."""
    project = _create(api, group, "yaml")
    path = f"/project/{project['id']}"
    for _ in range(3):
        _assert_json(api.get(path), project)
        _assert_raw(api.get(path, headers={"Accept": "application/yaml"}), "yaml", project["version"])


def test_json_wins_where_accept_prefers_it(api: Client, group: dict[str, Any]) -> None:
    project = _create(api, group, "sql")
    preferred = {"Accept": "application/json, application/sql;q=0.5"}
    _assert_json(api.get(f"/project/{project['id']}", headers=preferred), project)
    tie = {"Accept": "application/json, application/sql"}
    _assert_raw(api.get(f"/project/{project['id']}", headers=tie), "sql", project["version"])


def test_an_old_version_downloads_as_it_was(api: Client, group: dict[str, Any]) -> None:
    project = _create(api, group, "yaml")
    api.put(f"/project/{project['id']}", {"data": "user:\n  id: number\n"})
    for path in (f"/project/{project['id']}", f"/project/{group['name']}/{project['name']}"):
        then = api.get(f"{path}?at={project['version']}&raw=1")
        _assert_raw(then, "yaml", project["version"])


def test_the_raw_etag_is_accepted_by_if_match(api: Client, group: dict[str, Any]) -> None:
    project = _create(api, group, "yaml")
    etag = api.get(f"/project/{project['id']}?raw=1").headers["ETag"]
    updated = api.put(
        f"/project/{project['id']}", {"data": "user:\n  id: number\n"}, headers={"If-Match": etag}
    )
    assert updated.status == 200, updated
    stale = api.put(f"/project/{project['id']}", {"data": "user:\n  x: number\n"}, headers={"If-Match": etag})
    assert stale.status == 412


def test_a_project_without_a_schema_has_no_text_to_download(api: Client, group: dict[str, Any]) -> None:
    project = api.post("/project", {"project_group_id": group["id"], "name": "empty"}).json
    response = api.get(f"/project/{project['id']}?raw=1")
    assert response.status == 404 and response.json["code"] == "not-found"
    assert "no schema yet" in response.json["detail"]
    assert api.get(f"/project/{project['id']}").status == 200


@pytest.mark.parametrize("value", ["", "yes", "2", "true"])
def test_a_raw_that_is_neither_0_nor_1_is_400(api: Client, group: dict[str, Any], value: str) -> None:
    project = _create(api, group, "yaml")
    response = api.get(f"/project/{project['id']}?raw={value}")
    assert response.status == 400 and response.json["code"] == "invalid-input"


def test_the_raw_text_is_not_given_to_a_key_that_cannot_read_the_group(
    api: Client, group: dict[str, Any], make_key: Any, unique: Any
) -> None:
    project = _create(api, group, "yaml")
    other = api.post("/project-group", {"name": unique("other")}).json
    outsider = make_key("read", other["name"])
    assert outsider.get(f"/project/{project['id']}?raw=1").status == 403
    assert outsider.get(f"/project/{group['name']}/{project['name']}?raw=1").status == 403
