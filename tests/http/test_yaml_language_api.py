"""The yaml language over HTTP: its JSON Schema without a key, and ``/entities?as=yaml``.

The round trip: a SQL and a JSON Schema project, read back as yaml, validate and give the same
entities as far as yaml says them.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import jsonschema

from tests.conftest import MakeKey
from tests.formats.conftest import CORPUS, REPO
from tests.formats.test_yaml_writer import SHOP_JSON_SCHEMA
from tests.formats.yaml_round_trip import assert_same_entities
from tests.support.client import Client

SAKILA = (CORPUS / "sql" / "accept" / "sakila-postgres.sql").read_text("utf-8")


def create(api: Client, group: dict[str, Any], name: str, **fields: Any) -> dict[str, Any]:
    response = api.post("/project", {"project_group_id": group["id"], "name": name, **fields})
    assert response.status == 201, response
    body: dict[str, Any] = response.json
    return body


def as_yaml(api: Client, project: dict[str, Any]) -> str:
    response = api.get(f"/project/{project['id']}/entities?as=yaml")
    assert response.status == 200, response
    assert response.content_type == "application/yaml"
    assert response.headers["ETag"] == f'"{project["version"]}"'
    return response.body.decode("utf-8")


def test_the_language_schema_needs_no_key(api: Client) -> None:
    for client in (api.with_key(None), api.with_key("not-a-key")):
        response = client.get("/formats/yaml.schema.json")
        assert response.status == 200, response
        assert response.content_type == "application/schema+json"
        assert response.json == json.loads(
            (REPO / "docs" / "formats" / "yaml.schema.json").read_text("utf-8")
        )
        jsonschema.Draft7Validator.check_schema(response.json)


def test_other_paths_under_formats_still_need_a_key(api: Client) -> None:
    unchecked = Client(api.base_url, None, hooks=[])  # the path is not in openapi.yaml, on purpose
    response = unchecked.get("/formats/json_parquet.schema.json")
    assert response.status == 401, response


def test_a_sql_project_as_yaml_validates_with_the_same_entities(api: Client, group: dict[str, Any]) -> None:
    project = create(api, group, "sakila", format="sql", dialect="postgres", data=SAKILA)
    text = as_yaml(api, project)
    assert text.startswith(f"# The entities of project {project['id']} (sql)")
    checked = api.post("/validate", {"format": "yaml", "data": text})
    assert checked.json["valid"] is True, checked.json["errors"]
    original = api.get(f"/project/{project['id']}/entities").json["entities"]
    assert_same_entities(original, checked.json["entities"], text)
    film = {f["name"]: f for f in next(e for e in checked.json["entities"] if e["name"] == "film")["fields"]}
    assert film["language_id"]["ref"] == "language.language_id"
    assert film["film_id"]["primary_key"] is True
    assert film["description"]["nullable"] is True


def test_a_json_schema_project_as_yaml_validates_with_the_same_entities(
    api: Client, group: dict[str, Any]
) -> None:
    project = create(api, group, "orders", format="json_schema", data=json.dumps(SHOP_JSON_SCHEMA))
    text = as_yaml(api, project)
    yaml_project = create(api, group, "orders-yaml", format="yaml", data=text)
    again = api.get(f"/project/{yaml_project['id']}/entities").json["entities"]
    original = api.get(f"/project/{project['id']}/entities").json["entities"]
    assert_same_entities(original, again, text)
    assert [e["name"] for e in again] == ["Order", "Line"]


def test_a_yaml_project_as_yaml_keeps_its_arguments(api: Client, group: dict[str, Any]) -> None:
    data = "User(count=5):\n  age: integer(min=18, max=99)?\n  email: string(email, max_length=80)\n"
    project = create(api, group, "users", format="yaml", data=data)
    text = as_yaml(api, project)
    assert "User(count=5):\n  age: integer(min=18, max=99)?\n  email: string(email, max_length=80)\n" in text


def test_as_must_be_json_or_yaml(api: Client, group: dict[str, Any]) -> None:
    project = create(api, group, "users", format="yaml", data="User:\n  name: string\n")
    assert api.get(f"/project/{project['id']}/entities?as=json").status == 200
    response = api.get(f"/project/{project['id']}/entities?as=xml")
    assert response.status == 400, response
    assert response.json["code"] == "invalid-input"


def test_as_yaml_needs_a_key_that_covers_the_group(
    api: Client, group: dict[str, Any], make_key: MakeKey, unique: Callable[[str], str]
) -> None:
    project = create(api, group, "users", format="yaml", data="User:\n  name: string\n")
    path = f"/project/{project['id']}/entities?as=yaml"
    assert api.with_key(None).get(path).status == 401
    other = api.post("/project-group", {"name": unique("other")}).json
    assert make_key("read", other["id"]).get(path).status == 403
    assert make_key("read", group["id"]).get(path).status == 200
    assert api.get("/project/_pnothere0/entities?as=yaml").status == 404
