"""Hostile input: schemathesis over every documented operation, and requests built to hurt.

The fuzzer sends generated requests with a valid admin key to a server of this module's own;
no answer may be a 500 or break docs/openapi.yaml. ``REGISTRY_FUZZ_EXAMPLES`` (default 15 per
operation) makes longer runs (docs/operations.md). Tests in test_hostile_input.py cover
malformed JSON bodies; these cover headers, slow and cut-off bodies, clones and git paths.
"""

from __future__ import annotations

import http.client
import os
import re
import socket
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from registry.http.routes.meta import openapi_document
from tests.support.client import Client
from tests.support.git import commit_count, git, repo_path
from tests.support.server import Server

EXAMPLES = int(os.environ.get("REGISTRY_FUZZ_EXAMPLES", "15"))
YAML = "user:\n  name: string\n"

# GET /events answers with a stream that never ends by design (tests/http/test_events.py covers it).
schema = schemathesis.openapi.from_dict(openapi_document()).exclude(path="/events")


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    srv = Server(
        tmp_path_factory.mktemp("fuzz") / "data",
        env={"REGISTRY_BODY_TIMEOUT": "1", "REGISTRY_MAX_CONCURRENT_GIT": "2"},
    ).start()
    api = Client(srv.url, srv.admin_key())
    group = api.post("/project-group", {"name": "fuzz"}).json
    api.post("/project", {"project_group_id": group["id"], "name": "p", "data": YAML})
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def api(target: Server) -> Client:
    return Client(target.url, target.admin_key())


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,  # the same cases every CI run; REGISTRY_FUZZ_EXAMPLES widens the search
)
def test_no_generated_request_breaks_the_contract(case: schemathesis.Case[Any], target: Server) -> None:
    case.call_and_validate(
        base_url=target.url,
        headers={"Authorization": f"Bearer {target.admin_key()}"},
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
        ],
        timeout=60,
    )


# -- headers ---------------------------------------------------------------------------------


def _raw(api: Client, data: bytes, *, wait_for_close: bool = True) -> bytes:
    with socket.create_connection((api.host, api.port), timeout=30) as sock:
        try:
            sock.sendall(data)
        except ConnectionResetError:
            return b""
        chunks = []
        while wait_for_close:
            try:
                chunk = sock.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            chunks.append(chunk)
        return b"".join(chunks)


@pytest.mark.parametrize(
    "headers",
    [
        b"X-Big: " + b"a" * 100_000 + b"\r\n",
        b"".join(b"X-%d: 1\r\n" % n for n in range(2000)),
        b"Authorization: Bearer " + b"k" * 60_000 + b"\r\n",
    ],
    ids=["one-huge-header", "many-headers", "huge-authorization"],
)
def test_huge_headers_are_refused_and_the_server_stays_up(
    api: Client, target: Server, headers: bytes
) -> None:
    answer = _raw(api, b"GET /project-group HTTP/1.1\r\nHost: x\r\n" + headers + b"\r\n")
    assert answer == b"" or re.match(rb"HTTP/1\.[01] (400|431) ", answer), answer[:200]
    assert api.get("/healthz").status == 200
    assert "Traceback" not in target.log()  # a client's mistake is one INFO line, not an error


# -- slow and cut-off bodies -------------------------------------------------------------------


def _put_head(api: Client, path: str, length: int) -> bytes:
    return (
        f"PUT {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {api.key}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {length}\r\n\r\n"
    ).encode()


def test_a_body_that_stops_arriving_gets_408_and_writes_nothing(api: Client, target: Server) -> None:
    project = api.get("/project/fuzz/p").json
    commits = commit_count(repo_path(target.data_dir, project["project_group_id"]))
    started = time.monotonic()
    with socket.create_connection((api.host, api.port), timeout=30) as sock:
        sock.sendall(_put_head(api, f"/project/{project['id']}", 1000) + b'{"data": "')
        answer = sock.recv(65536)
    assert answer.startswith(b"HTTP/1.1 408"), answer[:300]
    assert b'"code": "request-timeout"' in answer
    assert time.monotonic() - started < 10
    assert commit_count(repo_path(target.data_dir, project["project_group_id"])) == commits


def test_a_trickling_body_is_cut_off_at_the_deadline(api: Client) -> None:
    project = api.get("/project/fuzz/p").json
    with socket.create_connection((api.host, api.port), timeout=30) as sock:
        sock.sendall(_put_head(api, f"/project/{project['id']}", 100_000))
        deadline = time.monotonic() + 10
        answer = b""
        while not answer and time.monotonic() < deadline:
            try:
                sock.sendall(b" ")  # one byte every 50 ms: never done
            except (BrokenPipeError, ConnectionResetError):
                break
            sock.settimeout(0.05)
            try:
                answer = sock.recv(65536)
            except TimeoutError:
                continue
    assert answer.startswith(b"HTTP/1.1 408"), answer[:300]


def test_a_cut_off_body_is_not_a_server_error(api: Client, target: Server) -> None:
    project = api.get("/project/fuzz/p").json
    commits = commit_count(repo_path(target.data_dir, project["project_group_id"]))
    _raw(api, _put_head(api, f"/project/{project['id']}", 1000) + b'{"data": "x', wait_for_close=False)
    time.sleep(0.2)  # let the server notice the lost connection (nothing to poll for)
    assert api.get("/healthz").status == 200
    assert commit_count(repo_path(target.data_dir, project["project_group_id"])) == commits
    assert "unhandled error" not in target.log()


# -- git routes --------------------------------------------------------------------------------


def test_many_parallel_clones_all_succeed(api: Client, tmp_path: Path) -> None:
    def clone(n: int) -> str:
        git("clone", "-q", f"{api.base_url}/git/fuzz.git", f"c{n}", cwd=tmp_path, key=api.key)
        return (tmp_path / f"c{n}" / "p.yaml").read_text()

    with ThreadPoolExecutor(12) as pool:  # against REGISTRY_MAX_CONCURRENT_GIT=2
        started = [pool.submit(clone, n) for n in range(12)]
        assert api.get("/healthz").status == 200  # the API answers while packs are made
        assert [f.result(timeout=120) for f in started] == [YAML] * 12


@pytest.mark.parametrize(
    "path",
    [
        "/git/..%2F..%2Fkeys.json/info/refs?service=git-upload-pack",
        "/git/%2e%2e/info/refs?service=git-upload-pack",
        "/git/..%2Fgroups/info/refs?service=git-upload-pack",
        "/git/fuzz.git%2F..%2F..%2Fkeys.json/info/refs?service=git-upload-pack",
        "/git/%00.git/info/refs?service=git-upload-pack",
        "/git/_g%2F..%2F..%2Fadmin.key/info/refs?service=git-upload-pack",
        "/git/.staging-x.git/info/refs?service=git-upload-pack",
        "/git/fuzz.git/../../keys.json",
        "/git/fuzz.git/info/refs?service=git-receive-pack%2F..",
    ],
)
def test_git_paths_cannot_reach_outside_a_group(api: Client, path: str) -> None:
    response = Client(api.base_url, api.key).get(path)
    assert response.status in (403, 404), response
    assert b"sr_" not in response.body and b"sha256" not in response.body


def test_git_upload_pack_with_garbage_is_a_clean_error(api: Client, target: Server) -> None:
    try:
        response = Client(api.base_url, api.key).post(
            "/git/fuzz.git/git-upload-pack",
            raw=b"\xff" * 5000,
            headers={"Content-Type": "application/x-git-upload-pack-request"},
        )
    except http.client.HTTPException as exc:  # the answer breaks off mid-stream
        raise AssertionError(f"broken answer: {exc!r}") from exc
    assert api.get("/healthz").status == 200
    assert 400 <= response.status < 500, response
    assert "unhandled error" not in target.log()
