"""GET /project/{id}/sample: records that the format's own tools accept, and clear refusals.

The oracles are real: SQLite with every constraint enforced for SQL projects, jsonschema for
JSON Schema projects, pyarrow for Parquet answers.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from tests.support.client import Client

Group = dict[str, Any]

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
BOOKSHOP = (CORPUS / "sql" / "accept" / "bookshop.sql").read_text()
YAML_SHOP = (CORPUS / "yaml" / "accept" / "shop.yaml").read_text()


def create(api: Client, group: Group, name: str, fmt: str, data: str, **extra: Any) -> str:
    body = {"project_group_id": group["id"], "name": name, "format": fmt, "data": data, **extra}
    response = api.post("/project", body)
    assert response.status == 201, response
    project_id: str = response.json["id"]
    return project_id


def test_sql_samples_insert_into_sqlite_with_every_constraint_enforced(api: Client, group: Group) -> None:
    pid = create(api, group, "bookshop", "sql", BOOKSHOP, dialect="sqlite")
    response = api.get(f"/project/{pid}/sample?as=sql&rows=25&seed=7")
    assert response.status == 200, response
    assert response.content_type == "application/sql"
    db = sqlite3.connect(":memory:")
    db.execute("PRAGMA foreign_keys = ON")
    db.executescript(BOOKSHOP)
    db.executescript(response.body.decode())  # raises on any NOT NULL, key or foreign key breach
    counts = {t: db.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in ("book", "purchase_line")}  # noqa: S608
    assert counts == {"book": 25, "purchase_line": 25}
    # The composite foreign key of purchase_line holds pairs that exist in edition.
    orphans = db.execute(
        "SELECT count(*) FROM purchase_line l LEFT JOIN edition e"
        " ON e.isbn = l.isbn AND e.edition_no = l.edition_no WHERE e.isbn IS NULL"
    ).fetchone()[0]
    assert orphans == 0


def test_the_same_seed_gives_the_same_records_and_another_seed_others(api: Client, group: Group) -> None:
    pid = create(api, group, "shop", "yaml", YAML_SHOP)
    first = api.get(f"/project/{pid}/sample?seed=3&rows=5")
    again = api.get(f"/project/{pid}/sample?seed=3&rows=5")
    other = api.get(f"/project/{pid}/sample?seed=4&rows=5")
    assert first.status == 200, first
    assert first.body == again.body
    assert first.body != other.body
    entities = first.json["entities"]
    assert set(entities) == {"Contact", "Address", "Product", "Customer", "OrderLine", "Order"} & set(
        entities
    )
    assert all(len(records) == 5 for records in entities.values())


def test_yaml_references_point_at_records_of_their_target(api: Client, group: Group) -> None:
    text = "User:\n  id: number\n  name: string\nPost:\n  author: $User.id\n  title: string\n"
    pid = create(api, group, "blog", "yaml", text)
    entities = api.get(f"/project/{pid}/sample?rows=20").json["entities"]
    ids = {user["id"] for user in entities["User"]}
    assert {post["author"] for post in entities["Post"]} <= ids


def test_jsonl_csv_and_parquet_answers(api: Client, group: Group) -> None:
    pid = create(api, group, "bookshop", "sql", BOOKSHOP)
    lines = api.get(f"/project/{pid}/sample?as=jsonl&rows=2").body.decode().splitlines()
    assert len(lines) == 2 * 8
    assert {json.loads(line)["entity"] for line in lines} == {
        "country",
        "region",
        "publisher",
        "book",
        "edition",
        "customer",
        "purchase",
        "purchase_line",
    }
    table = api.get(f"/project/{pid}/sample?as=csv&entity=book&rows=4")
    assert table.content_type == "text/csv"
    rows = list(csv.DictReader(io.StringIO(table.body.decode())))
    assert len(rows) == 4
    assert list(rows[0]) == ["isbn", "title", "publisher_id", "published_on", "list_price", "page_count"]
    parquet = api.get(f"/project/{pid}/sample?as=parquet&entity=customer&rows=6")
    assert parquet.content_type == "application/vnd.apache.parquet"
    read = pq.read_table(io.BytesIO(parquet.body))
    assert read.num_rows == 6
    assert read.schema.names == ["customer_id", "full_name", "email", "region_id", "balance"]


def test_a_non_sql_project_samples_as_create_table_and_inserts_in_a_dialect(
    api: Client, group: Group
) -> None:
    text = "User:\n  id: number\n  name: string\nPost:\n  author: $User.id\n  title: string\n"
    pid = create(api, group, "blog", "yaml", text)
    script = api.get(f"/project/{pid}/sample?as=sql&dialect=sqlite&rows=3").body.decode()
    db = sqlite3.connect(":memory:")
    db.executescript(script)
    assert db.execute('SELECT count(*) FROM "Post"').fetchone()[0] == 3


def test_sampling_by_group_and_name(api: Client, group: Group) -> None:
    create(api, group, "shop", "yaml", YAML_SHOP)
    response = api.get(f"/project/{group['name']}/shop/sample?rows=1")
    assert response.status == 200, response
    assert all(len(v) == 1 for v in response.json["entities"].values())


@pytest.mark.parametrize(
    ("query", "fragment"),
    [
        ("rows=0", "rows must be a whole number from 1 to 10,000"),
        ("rows=10001", "rows must be a whole number"),
        ("rows=ten", "rows must be a whole number"),
        ("seed=-1", "seed must be a whole number"),
        ("as=xml", "as must be one of json, jsonl, csv, sql, parquet"),
        ("as=csv", "as=csv holds one entity: name it with entity="),
        ("entity=Nobody", "the schema has no entity 'Nobody'; its entities: Customer, Contact"),
        ("as=sql&dialect=nosuch", "dialect 'nosuch' is not a SQL dialect this registry knows"),
        ("rows=3&bogus=1", "unknown option 'bogus'; the options are as, at, dialect, entity, rows, seed"),
    ],
)
def test_bad_sampling_options_are_named(api: Client, group: Group, query: str, fragment: str) -> None:
    pid = create(api, group, "shop", "yaml", YAML_SHOP)
    response = api.get(f"/project/{pid}/sample?{query}")
    assert response.status == 400, response
    assert fragment in response.json["detail"] + json.dumps(response.json.get("errors", []))


def test_a_read_key_of_another_group_cannot_sample(api: Client, group: Group, make_key: Any) -> None:
    pid = create(api, group, "shop", "yaml", YAML_SHOP)
    other = api.post("/project-group", {"name": f"{group['name']}-other"}).json
    outsider = make_key("read", other["id"])
    assert outsider.get(f"/project/{pid}/sample").status == 403
    assert api.with_key(None).get(f"/project/{pid}/sample").status == 401


JSON_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Person",
    "type": "object",
    "required": ["id", "kind"],
    "properties": {
        "id": {"type": "integer"},
        "kind": {"enum": ["a", "b"]},
        "tags": {"type": "array", "items": {"type": "string"}},
        "nick": {"type": ["string", "null"]},
        "joined": {"type": "string", "format": "date"},
        "home": {"type": "object", "properties": {"city": {"type": "string"}}},
    },
}


def test_json_schema_samples_validate_against_the_stored_schema(api: Client, group: Group) -> None:
    import jsonschema

    pid = create(api, group, "person", "json_schema", json.dumps(JSON_SCHEMA))
    response = api.get(f"/project/{pid}/sample?rows=50")
    assert response.status == 200, response
    [(_, records)] = response.json["entities"].items()
    validator = jsonschema.Draft202012Validator(JSON_SCHEMA, format_checker=jsonschema.FormatChecker())
    for record in records:
        validator.validate(record)


@pytest.mark.parametrize(
    ("case", "fmt", "line", "fragment"),
    [
        ("unsatisfiable-unique-boolean.sql", "sql", None, "a boolean has two"),
        ("unsatisfiable-pattern.json", "json_schema", None, "no string could be made to match the pattern"),
    ],
)
def test_a_schema_no_record_can_meet_is_422_at_its_constraint(
    api: Client, group: Group, case: str, fmt: str, line: int | None, fragment: str
) -> None:
    text = (Path(__file__).resolve().parents[1] / "cases" / "samples" / case).read_text()
    pid = create(api, group, "impossible", fmt, text)
    response = api.get(f"/project/{pid}/sample?rows=3")
    assert response.status == 422, response
    assert response.json["code"] == "unsatisfiable-schema"
    assert any(fragment in e["message"] for e in response.json["errors"]), response.json
