"""Shared fixtures: one real server for the session, an admin client, fresh groups and keys."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.client import Client
from tests.support.openapi_check import check_response
from tests.support.server import Server, run_cli


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    srv = Server(tmp_path_factory.mktemp("registry") / "data").start()
    yield srv
    srv.stop()


@pytest.fixture(scope="session")
def api(server: Server) -> Client:
    """The first-start admin key, with every response checked against docs/openapi.yaml."""
    return Client(server.url, server.admin_key(), hooks=[check_response])


@pytest.fixture
def unique() -> Callable[[str], str]:
    return lambda prefix: f"{prefix}-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def group(api: Client, unique: Callable[[str], str]) -> dict[str, Any]:
    response = api.post("/project-group", {"name": unique("group")})
    assert response.status == 201, response
    body: dict[str, Any] = response.json
    return body


MakeKey = Callable[..., Client]


@pytest.fixture(scope="session")
def make_key(server: Server, api: Client) -> MakeKey:
    """Create a key with the CLI (as an operator would) and wait until the server has loaded it."""

    def make(role: str, *groups: str, data_dir: Path | None = None) -> Client:
        name = f"key-{uuid.uuid4().hex[:10]}"
        args = ["keys", "create", "--name", name, "--role", role]
        for g in groups:
            args += ["--group", g]
        out = run_cli(*args, data_dir=data_dir or server.data_dir).stdout
        client = api.with_key(out.strip().splitlines()[-1], name)
        deadline = time.monotonic() + 10
        while client.get("/project-group").status == 401 and time.monotonic() < deadline:
            time.sleep(0.05)
        return client

    return make
