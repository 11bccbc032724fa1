"""Malformed and hostile requests get clear 4xx problems, never a 500, and never a commit."""

from __future__ import annotations

import http.client
import json
import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from tests.support.client import Client
from tests.support.git import commit_count, repo_path
from tests.support.server import Server

YAML = "user:\n  name: string\n"


@pytest.mark.parametrize(
    "raw",
    [
        b"[" * 100_000 + b"]" * 100_000,
        b'{"name": ' + b"[" * 50_000 + b"]" * 50_000 + b"}",
        b'{"name": "g", "n": ' + b"9" * 5000 + b"}",
        b'{"name": "\xff\xfe"}',
        b'{"name": "\\ud800"}',
        b'{"name": "g"',
        b"",
        b"null",
    ],
    ids=[
        "deep-array",
        "deep-field",
        "huge-number",
        "invalid-utf8",
        "lone-surrogate",
        "truncated",
        "empty",
        "null",
    ],
)
def test_hostile_bodies_are_400(api: Client, raw: bytes) -> None:
    response = api.post("/project-group", raw=raw, headers={"Content-Type": "application/json"})
    assert response.status == 400, response
    assert response.json["code"] == "invalid-input"


def test_a_body_that_is_not_the_encoding_it_claims_is_400(api: Client, unique: Callable[[str], str]) -> None:
    name = unique("gzip")
    headers = {"Content-Type": "application/json", "Content-Encoding": "gzip"}
    response = api.post("/project-group", raw=json.dumps({"name": name}).encode(), headers=headers)
    assert response.status == 400, response
    assert response.json["code"] == "invalid-input"
    assert "Content-Encoding" in response.json["detail"]
    assert api.get(f"/project-group/{name}").status == 404


def test_lone_surrogate_in_schema_data_is_400_and_no_commit(
    api: Client, server: Server, group: dict[str, Any]
) -> None:
    raw = (
        '{{"project_group_id": "{}", "name": "p", "data": "user:\\n  name: \\udc00\\n"}}'.format(group["id"])
    ).encode()
    response = api.post("/project", raw=raw, headers={"Content-Type": "application/json"})
    assert response.status == 400
    assert commit_count(repo_path(server.data_dir, group["id"])) == 1


def test_body_over_the_limit_is_413(tmp_path: Any) -> None:
    srv = Server(tmp_path / "data", extra_args=("--max-body-bytes", "4096")).start()
    try:
        api = Client(srv.url, srv.admin_key())
        group = api.post("/project-group", {"name": "g"}).json
        big = "# " + "x" * 5000 + "\n" + YAML
        response = api.post("/project", {"project_group_id": group["id"], "name": "p", "data": big})
        assert response.status == 413
        assert response.content_type == "application/problem+json"
        assert commit_count(repo_path(srv.data_dir, group["id"])) == 1
        assert (
            api.post("/project", {"project_group_id": group["id"], "name": "p", "data": YAML}).status == 201
        )
    finally:
        srv.stop()


@pytest.mark.parametrize(
    "path",
    [
        "/project-group/..%2F..%2Fetc",
        "/project-group/%2e%2e",
        "/project/..%2Fkeys.json",
        "/project/_g0000000000000000%2F..%2F..",
        "/project/%00/%00",
        "/project/a/..",
        "/git/..%2Fkeys.json.git/info/refs?service=git-upload-pack",
    ],
)
def test_path_traversal_is_404(api: Client, path: str) -> None:
    response = api.get(path)
    assert response.status == 404, response


def test_unknown_route_and_method_are_problems(api: Client) -> None:
    api = Client(api.base_url, api.key)  # undocumented on purpose: no OpenAPI check
    missing = api.get("/nope")
    assert missing.status == 404
    assert missing.content_type == "application/problem+json"
    wrong = api.request("DELETE", "/project-group")
    assert wrong.status == 405
    assert wrong.json["code"] == "method-not-allowed"


def test_a_path_cannot_forge_log_lines_or_write_control_bytes(server: Server) -> None:
    """The text log is one line per record: a decoded %0A or %00 in a path is escaped."""
    marker = f"FORGED{uuid.uuid4().hex[:8]}"
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        conn.request("GET", f"/x%0A{marker}%20LINE%00%1B[31m")
        assert conn.getresponse().status == 401  # no key: refused, and still logged
    finally:
        conn.close()
    deadline = time.monotonic() + 5
    while marker not in server.log() and time.monotonic() < deadline:
        time.sleep(0.05)
    log = server.log()
    assert f"GET /x\\n{marker} LINE\\x00\\x1b[31m 401" in log
    assert not any(line.startswith(marker) for line in log.splitlines())
    assert "\x00" not in log and "\x1b" not in log
