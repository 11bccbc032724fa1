"""registry.client against the real server: every route, problems as exceptions, pagination."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from registry.client import (
    AsyncRegistryClient,
    ConflictError,
    ForbiddenError,
    InvalidInputError,
    InvalidSchemaError,
    NotFoundError,
    ProblemError,
    RegistryClient,
    UnauthenticatedError,
    VersionMismatchError,
)
from tests.client.conftest import AsyncCheckedTransport, CheckedTransport
from tests.conftest import MakeKey
from tests.support.server import Server

V1 = "User:\n  id: number\n"
V2 = "User:\n  id: number\n  name: string\n"
SQL = "CREATE TABLE orders (id INT PRIMARY KEY);\n"


def test_groups_and_projects_round_trip(client: RegistryClient, unique: Callable[[str], str]) -> None:
    name = unique("shop")
    group = client.create_group(name, message="for the client tests")
    assert group["name"] == name
    assert any(g["id"] == group["id"] for g in client.list_groups())
    created = client.create_project(name, "users", V1)
    assert (created["name"], created["format"], created["data"]) == ("users", "yaml", V1)
    assert client.get_project(f"{name}/USERS")["id"] == created["id"]
    assert client.get_project(created["id"])["version"] == created["version"]
    updated = client.update_project(f"{name}/users", V2, message="add name", if_match=created["version"])
    assert updated["data"] == V2
    assert client.get_project(f"{name}/users", at=created["version"])["data"] == V1
    renamed = client.rename_project(f"{name}/users", "members")
    assert (renamed["id"], renamed["name"]) == (created["id"], "members")
    sql = client.create_project(name, "orders", SQL, format="sql", dialect="postgresql")
    assert sql["dialect"] == "postgres"
    detail = client.get_group(name)
    assert [p["name"] for p in detail["projects"]] == ["members", "orders"]
    assert [p["name"] for p in client.get_group(name, at=group["version"])["projects"]] == []
    client.delete_project(f"{name}/orders", message="gone")
    with pytest.raises(NotFoundError):
        client.get_project(sql["id"])
    renamed_group = client.rename_group(name, name + "-x", if_match=client.get_group(name)["version"])
    assert renamed_group["id"] == group["id"]


def test_history_versions_diff_restore_tags_entities(
    client: RegistryClient, unique: Callable[[str], str]
) -> None:
    name = unique("hist")
    client.create_group(name)
    first = client.create_project(name, "users", V1)
    second = client.update_project(first["id"], V2)
    page = client.project_history(f"{name}/users")
    assert [v["version"] for v in page["versions"]] == [second["version"], first["version"]]
    assert client.project_version(f"{name}/users", first["version"])["data"] == V1
    diff = client.diff(f"{name}/users")
    assert (diff["from"], diff["to"]) == (first["version"], second["version"])
    assert "+  name: string" in diff["diff"]
    restored = client.restore(f"{name}/users", first["version"], message="back")
    assert restored["data"] == V1
    tag = client.create_tag(name, "v1", version=first["version"], message="first release")
    assert tag["version"] == first["version"]
    assert [t["name"] for t in client.tags(name)] == ["v1"]
    entities = client.entities(f"{name}/users")
    assert [e["name"] for e in entities["entities"]] == ["User"]
    group_page = client.group_history(name, limit=2)
    assert [v["action"] for v in group_page["versions"]] == ["restore", "update"]
    assert group_page["next_cursor"] is not None


def test_validate_answers_problems_with_lines_and_columns(client: RegistryClient) -> None:
    good = client.validate("yaml", V1)
    assert good["valid"] and good["errors"] == []
    bad = client.validate("yaml", "User:\n  id: nosuchtype\n")
    assert not bad["valid"]
    assert (bad["errors"][0]["line"], bad["errors"][0]["column"]) == (2, 7)


def test_problems_become_exceptions_with_the_problem_document(
    client: RegistryClient, unique: Callable[[str], str], make_key: MakeKey, server: Server
) -> None:
    name = unique("errs")
    client.create_group(name)
    project = client.create_project(name, "users", V1)
    with pytest.raises(InvalidSchemaError) as invalid:
        client.update_project(project["id"], "User:\n  id: nosuchtype\n")
    assert (invalid.value.status, invalid.value.code) == (422, "invalid-schema")
    assert invalid.value.errors[0]["line"] == 2 and invalid.value.errors[0]["column"] == 7
    assert "nosuchtype" in invalid.value.errors[0]["message"]
    assert invalid.value.document["type"].endswith("/invalid-schema")
    with pytest.raises(VersionMismatchError) as stale:
        client.update_project(project["id"], V2, if_match="0" * 40)
    assert stale.value.status == 412 and project["version"] in stale.value.detail
    assert client.get_project(project["id"])["data"] == V1  # nothing written
    with pytest.raises(ConflictError) as taken:
        client.create_project(name, "USERS", V1)
    assert taken.value.code == "name-taken"
    with pytest.raises(NotFoundError):
        client.get_project(f"{name}/nobody")
    with pytest.raises(InvalidInputError) as bad:
        client.project_history(project["id"], limit=0)
    assert bad.value.code == "invalid-input" and "limit" in bad.value.detail
    with pytest.raises(ProblemError) as unknown_group:
        client.create_project(unique("none"), "x")
    assert unknown_group.value.status == 404
    with RegistryClient(server.url, "sr_not-a-key") as stranger, pytest.raises(UnauthenticatedError):
        stranger.list_groups()
    reader = make_key("read")
    with RegistryClient(server.url, reader.key) as read_only, pytest.raises(ForbiddenError) as refused:
        read_only.update_project(project["id"], V2)
    assert refused.value.code == "forbidden"
    with pytest.raises(ValueError, match="GROUP/NAME"):
        client.get_project("no-slash")


def test_iterators_walk_every_page(
    client: RegistryClient, transport: CheckedTransport, unique: Callable[[str], str]
) -> None:
    name = unique("pages")
    client.create_group(name)
    project = client.create_project(name, "users", V1)
    versions = [project["version"]]
    for n in range(4):
        versions.append(client.update_project(project["id"], V1 + f"Thing{n}:\n  id: number\n")["version"])
    transport.sent.clear()
    walked = [v["version"] for v in client.iter_project_history(f"{name}/users", page_size=2)]
    assert walked == versions[::-1]
    pages = [s for s in transport.sent if "/history" in s]
    assert len(pages) == 3 and "cursor=" in pages[1]
    # By name straight away: no look-up of an id first (which a deleted project would not have).
    assert all(s.startswith(f"GET /project/{name}/users/history") for s in transport.sent), transport.sent
    group_versions = list(client.iter_group_history(name, page_size=4))
    assert len(group_versions) == 6 and group_versions[-1]["action"] == "create-group"


def test_batch_applies_in_one_commit(client: RegistryClient, unique: Callable[[str], str]) -> None:
    name = unique("batch")
    group = client.create_group(name)
    result = client.batch(
        name,
        [
            {"action": "create", "name": "a", "data": V1},
            {"action": "create", "name": "b", "format": "sql", "data": SQL},
        ],
        message="two at once",
        if_match=group["version"],
    )
    assert [c["name"] for c in result["changes"]] == ["a", "b"]
    assert client.get_group(name)["version"] == result["version"]
    with pytest.raises(VersionMismatchError):
        client.batch(name, [{"action": "delete", "project": "a"}], if_match=group["version"])
    assert len(client.get_group(name)["projects"]) == 2


async def test_the_async_client_makes_the_same_calls(
    aclient: AsyncRegistryClient, async_transport: AsyncCheckedTransport, unique: Callable[[str], str]
) -> None:
    name = unique("async")
    await aclient.create_group(name)
    project = await aclient.create_project(name, "users", V1)
    for n in range(2):
        await aclient.update_project(f"{name}/users", V1 + f"T{n}:\n  id: number\n")
    walked = [v["action"] async for v in aclient.iter_project_history(project["id"], page_size=1)]
    assert walked == ["update", "update", "create"]
    with pytest.raises(InvalidSchemaError) as invalid:
        await aclient.create_project(name, "bad", "User:\n  id: nosuchtype\n")
    assert invalid.value.errors[0]["line"] == 2
    assert (await aclient.diff(f"{name}/users"))["to"] == (await aclient.get_project(project["id"]))[
        "version"
    ]
    assert (await aclient.validate("sql", SQL))["valid"]
    assert sum("/history" in s for s in async_transport.sent) == 3


def test_a_parquet_project_reads_as_its_description(
    client: RegistryClient, unique: Callable[[str], str]
) -> None:
    """The client asks for application/json, which is also a Parquet schema's media type: it must
    still get the project, not the bare schema."""
    name = unique("lake")
    client.create_group(name)
    schema = '{"fields": [{"name": "id", "type": "INT64"}]}'
    created = client.create_project(name, "events", schema, format="json_parquet")
    read = client.get_project(f"{name}/events")
    assert (read["id"], read["format"], read["data"]) == (created["id"], "json_parquet", schema)


def test_a_deleted_project_is_reached_by_its_name(
    client: RegistryClient, unique: Callable[[str], str]
) -> None:
    """History, diff and restore by GROUP/NAME find the project last deleted under the name, as
    the server's by-name routes do; the client must not first look for a live project."""
    name = unique("gone")
    client.create_group(name)
    created = client.create_project(name, "events", V1)
    client.update_project(f"{name}/events", V2)
    client.delete_project(f"{name}/events")
    deleted = client.get_group(name, deleted=True)["deleted_projects"]
    assert [(d["id"], d["name"]) for d in deleted] == [(created["id"], "events")]
    versions = [v["version"] for v in client.iter_project_history(f"{name}/events")]
    assert len(versions) == 3  # create, update, delete
    assert client.diff(f"{name}/events", from_=created["version"])["from"] == created["version"]
    restored = client.restore(f"{name}/events", created["version"])
    assert (restored["id"], restored["data"]) == (created["id"], V1)


def test_samples_in_every_form(client: RegistryClient, unique: Callable[[str], str]) -> None:
    name = unique("samples")
    client.create_group(name)
    client.create_project(name, "orders", SQL, format="sql", dialect="postgresql")
    records = client.sample(f"{name}/orders", rows=3, seed=2)
    assert [len(rows) for rows in records.values()] == [3] * len(records)
    assert records == client.sample(f"{name}/orders", rows=3, seed=2)
    csv_text = client.sample_as(f"{name}/orders", "csv", rows=2, entity=next(iter(records))).decode()
    assert len(csv_text.strip().splitlines()) == 3  # a header and two records
    with pytest.raises(ProblemError) as refused:
        client.sample(f"{name}/orders", entity="nowhere")
    assert refused.value.status == 400
