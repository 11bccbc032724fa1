"""POST /validate, GET /project/{id}/entities, and a project's SQL dialect over HTTP."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import MakeKey
from tests.support.client import Client
from tests.support.git import commit_count, git, repo_path
from tests.support.server import Server

USERS_YAML = "user:\n  name: string\n  address: $Address\n  city: $Address.city\nAddress:\n  city: string\n"
SHOP_SQL = (
    "CREATE TABLE customer (\n  id INTEGER PRIMARY KEY,\n  email TEXT NOT NULL\n);\n"
    "CREATE TABLE orders (\n  id INTEGER PRIMARY KEY,\n"
    "  customer_id INTEGER NOT NULL REFERENCES customer (id)\n);\n"
)
PG_SQL = (
    "CREATE TABLE event (\n  id BIGSERIAL PRIMARY KEY,\n  payload JSONB,\n  at TIMESTAMPTZ NOT NULL\n);\n"
)


def create(api: Client, group: dict[str, Any], **fields: Any) -> dict[str, Any]:
    response = api.post("/project", {"project_group_id": group["id"], "name": "shop", **fields})
    assert response.status == 201, response
    body: dict[str, Any] = response.json
    return body


def fields_of(entities: list[dict[str, Any]], entity: str) -> dict[str, dict[str, Any]]:
    [found] = [e for e in entities if e["name"] == entity]
    return {f["name"]: f for f in found["fields"]}


# -- POST /validate ---------------------------------------------------------------------------


def test_valid_document_gives_its_entities(api: Client) -> None:
    response = api.post("/validate", {"format": "yaml", "data": USERS_YAML})
    assert response.status == 200, response
    body = response.json
    assert body["valid"] is True
    assert body["errors"] == []
    assert [e["name"] for e in body["entities"]] == ["user", "Address"]
    assert fields_of(body["entities"], "user")["address"]["ref"] == "Address"


def test_invalid_document_is_200_with_every_error(api: Client) -> None:
    data = "user:\n  name: strng\n  home: $Nowhere\n"
    response = api.post("/validate", {"format": "yaml", "data": data})
    assert response.status == 200, response
    body = response.json
    assert body["valid"] is False
    assert body["entities"] == []
    assert [e["line"] for e in body["errors"]] == [2, 3]
    assert all(e["column"] and e["path"] for e in body["errors"])


def test_sql_with_a_dialect(api: Client) -> None:
    response = api.post("/validate", {"format": "sql", "data": PG_SQL, "dialect": "postgres"})
    assert response.json["valid"] is True, response
    assert fields_of(response.json["entities"], "event")["payload"]["type"] == "json"
    neutral = api.post("/validate", {"format": "sql", "data": PG_SQL, "dialect": None})
    assert neutral.status == 200, neutral


def test_validate_stores_nothing(api: Client, server: Server, group: dict[str, Any]) -> None:
    commits = commit_count(repo_path(server.data_dir, group["id"]))
    assert api.post("/validate", {"format": "yaml", "data": USERS_YAML}).status == 200
    assert commit_count(repo_path(server.data_dir, group["id"])) == commits


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({"data": USERS_YAML}, "'format' is required"),
        ({"format": "yaml"}, "'data' is required"),
        ({"format": "yaml", "data": None}, "'data' is required"),
        ({"format": 1, "data": USERS_YAML}, "'format' must be a string"),
        ({"format": "yaml", "data": {"user": {}}}, "'data' must be a string"),
        ({"format": "sql", "data": SHOP_SQL, "dialect": 5}, "'dialect' must be a string"),
        ({"format": "xml", "data": "<a/>"}, "format must be one of"),
        ({"format": "sql", "data": SHOP_SQL, "dialect": "cobol"}, "unknown SQL dialect"),
        ({"format": "yaml", "data": USERS_YAML, "dialect": "postgres"}, "sql format only"),
        ({"format": "json_schema", "data": "{}", "dialect": "postgres"}, "sql format only"),
    ],
)
def test_bad_input_is_400(api: Client, body: dict[str, Any], detail: str) -> None:
    response = api.post("/validate", body)
    assert response.status == 400, response
    assert response.json["code"] == "invalid-input"
    assert detail in response.json["detail"]


@pytest.mark.parametrize("raw", [b"", b"not json", b"[1, 2]", b'"yaml"', b"\xff\xfe"])
def test_malformed_body_is_400(api: Client, raw: bytes) -> None:
    response = api.post("/validate", raw=raw, headers={"Content-Type": "application/json"})
    assert response.status == 400, response
    assert response.json["code"] == "invalid-input"


def test_validate_needs_a_key(api: Client) -> None:
    for client in (api.with_key(None), api.with_key("not-a-key")):
        response = client.post("/validate", {"format": "yaml", "data": USERS_YAML})
        assert response.status == 401, response
        assert response.json["code"] == "unauthenticated"


def test_any_read_key_may_validate(make_key: MakeKey, group: dict[str, Any]) -> None:
    for reader in (make_key("read"), make_key("read", group["id"])):
        response = reader.post("/validate", {"format": "yaml", "data": USERS_YAML})
        assert response.status == 200, response
        assert response.json["valid"] is True


# -- GET /project/{id}/entities --------------------------------------------------------------


def test_entities_of_a_yaml_project(api: Client, group: dict[str, Any]) -> None:
    project = create(api, group, data=USERS_YAML)
    response = api.get(f"/project/{project['id']}/entities")
    assert response.status == 200, response
    body = response.json
    assert body["project_id"] == project["id"]
    assert body["version"] == project["version"]
    assert response.headers["ETag"] == f'"{project["version"]}"'
    assert body["format"] == "yaml"
    user = fields_of(body["entities"], "user")
    assert user["address"] == {**user["address"], "type": "reference", "ref": "Address"}
    assert user["city"]["ref"] == "Address.city"
    assert fields_of(body["entities"], "Address")["city"]["type"] == "string"


def test_entities_of_a_sql_project_turn_foreign_keys_into_references(
    api: Client, group: dict[str, Any]
) -> None:
    project = create(api, group, format="sql", data=SHOP_SQL)
    body = api.get(f"/project/{project['id']}/entities").json
    assert [e["name"] for e in body["entities"]] == ["customer", "orders"]
    customer_id = fields_of(body["entities"], "orders")["customer_id"]
    assert customer_id["type"] == "reference"
    assert customer_id["ref"] == "customer.id"
    assert customer_id["nullable"] is False
    assert fields_of(body["entities"], "customer")["id"]["primary_key"] is True


def test_entities_follow_the_current_version(api: Client, group: dict[str, Any]) -> None:
    project = create(api, group, data=USERS_YAML)
    updated = api.put(f"/project/{project['id']}", {"data": SHOP_SQL, "format": "sql"}).json
    body = api.get(f"/project/{project['id']}/entities").json
    assert (body["version"], body["format"]) == (updated["version"], "sql")
    assert [e["name"] for e in body["entities"]] == ["customer", "orders"]


def test_project_without_a_schema_has_no_entities(api: Client, group: dict[str, Any]) -> None:
    project = create(api, group)
    body = api.get(f"/project/{project['id']}/entities").json
    assert body["entities"] == []
    assert body["warnings"] == []


def test_stored_schema_that_no_longer_validates_is_422(
    api: Client, server: Server, group: dict[str, Any], tmp_path: Path
) -> None:
    """A schema committed past the registry (straight into the repository) is reported, not hidden."""
    project = create(api, group, data=USERS_YAML)
    work = tmp_path / "work"
    git("clone", "--quiet", str(repo_path(server.data_dir, group["id"])), str(work))
    (work / "shop.yaml").write_text("user:\n  home: $Nowhere\n")
    git("-C", str(work), "-c", "user.name=ops", "-c", "user.email=ops@example.com", "commit", "-qam", "edit")
    git("-C", str(work), "push", "--quiet", "origin", "main")
    response = api.get(f"/project/{project['id']}/entities")
    assert response.status == 422, response
    assert response.json["code"] == "invalid-schema"
    assert response.json["errors"][0]["line"] == 2


def test_entities_scope(make_key: MakeKey, api: Client, group: dict[str, Any], unique: Any) -> None:
    project = create(api, group, data=USERS_YAML)
    other = api.post("/project-group", {"name": unique("other")}).json
    assert make_key("read", group["id"]).get(f"/project/{project['id']}/entities").status == 200
    denied = make_key("read", other["id"]).get(f"/project/{project['id']}/entities")
    assert denied.status == 403, denied
    assert denied.json["code"] == "forbidden"
    assert api.with_key(None).get(f"/project/{project['id']}/entities").status == 401


@pytest.mark.parametrize(
    "pid", ["_p0000000000000000001", "_p00000000000000000", "_pzz", "x", "_g0000000000000000"]
)
def test_unknown_project_ids_are_404(api: Client, pid: str) -> None:
    response = api.get(f"/project/{pid}/entities")
    assert response.status == 404, response
    assert response.json["code"] == "not-found"


def test_deleted_project_has_no_entities(api: Client, group: dict[str, Any]) -> None:
    project = create(api, group, data=USERS_YAML)
    assert api.delete(f"/project/{project['id']}").status == 200
    assert api.get(f"/project/{project['id']}/entities").status == 404


def test_entities_route_does_not_shadow_names(api: Client, group: dict[str, Any]) -> None:
    """A project named "entities" is still reached by group and name."""
    project = api.post("/project", {"project_group_id": group["id"], "name": "entities"}).json
    # Unchecked: the OpenAPI checker matches paths by shape and cannot tell this from the entities path.
    unchecked = Client(api.base_url, api.key)
    response = unchecked.get(f"/project/{group['name']}/entities")
    assert response.status == 200, response
    assert response.json["id"] == project["id"]


# -- a project's dialect ----------------------------------------------------------------------


def test_dialect_round_trip(api: Client, server: Server, group: dict[str, Any]) -> None:
    project = create(api, group, format="sql", dialect="postgres", data=PG_SQL)
    assert project["dialect"] == "postgres"
    assert api.get(f"/project/{project['id']}").json["dialect"] == "postgres"
    listed = api.get(f"/project-group/{group['id']}").json["projects"]
    assert [p["dialect"] for p in listed] == ["postgres"]
    entities = api.get(f"/project/{project['id']}/entities").json["entities"]
    assert fields_of(entities, "event")["at"]["type"] == "timestamp"
    commits = commit_count(repo_path(server.data_dir, group["id"]))
    bad = api.put(f"/project/{project['id']}", {"data": PG_SQL, "format": "sql", "dialect": "cobol"})
    assert bad.status == 400, bad
    assert bad.json["code"] == "invalid-input"
    assert commit_count(repo_path(server.data_dir, group["id"])) == commits
    assert api.get(f"/project/{project['id']}").json["dialect"] == "postgres"
    mysql = api.put(f"/project/{project['id']}", {"data": SHOP_SQL, "format": "sql", "dialect": "mysql"})
    assert mysql.status == 200, mysql
    assert api.get(f"/project/{project['id']}").json["dialect"] == "mysql"


def test_unknown_dialect_on_create_is_400(api: Client, group: dict[str, Any]) -> None:
    response = api.post(
        "/project", {"project_group_id": group["id"], "name": "p", "format": "sql", "dialect": "cobol"}
    )
    assert response.status == 400, response


def test_validating_sql_writes_no_schema_text_to_the_server_log(api: Client, server: Server) -> None:
    """sqlglot warns about each statement it cannot parse, quoting it; none of that may reach the log."""
    marker = "secret_fn_" + str(abs(hash(server.url)))[:8]
    sql = (
        "CREATE TABLE t (id INT);\n"
        f"CREATE FUNCTION {marker}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.id := 1; END $$;\n"
        "ALTER TABLE t ALTER COLUMN id SET STATISTICS 100 WITH WEIRD;\n"
    )
    response = api.post("/validate", {"format": "sql", "data": sql, "dialect": "postgres"})
    assert response.status == 200 and response.json["valid"] is True
    assert response.json["warnings"]  # the skipped statements are reported to the caller instead
    api.get("/project-group")  # a later request: its access line shows the log has caught up
    deadline = time.monotonic() + 5
    while "GET /project-group 200" not in server.log()[-2000:] and time.monotonic() < deadline:
        time.sleep(0.05)
    assert marker not in server.log()
