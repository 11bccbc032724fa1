"""Retries, backoff and timeouts, against real HTTP servers on loopback that misbehave on purpose."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from registry.client import (
    NO_RETRY,
    AsyncRegistryClient,
    RegistryClient,
    RegistryConnectionError,
    Retry,
    UnavailableError,
)
from tests.support.server import free_port

FAST = Retry(attempts=4, backoff=0.01, max_delay=0.05)
GROUPS: dict[str, list[object]] = {"project_groups": []}
PROJECT = {
    "id": "_pabc1",
    "project_group_id": "_gabc",
    "name": "users",
    "data": "User:\n  id: number\n",
    "format": "yaml",
    "dialect": None,
    "created_at": "2026-01-01T00:00:00Z",
    "updated_at": "2026-01-01T00:00:00Z",
    "version": "a" * 40,
}


class Flaky(ThreadingHTTPServer):
    """Answers ``503`` (a problem document, with Retry-After) to the first ``failures`` requests,
    then 200; or, with ``hang``, waits that long before answering; every request is recorded."""

    def __init__(self, failures: int, hang: float = 0.0, drop: bool = False) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.failures, self.hang, self.drop = failures, hang, drop
        self.seen: list[tuple[str, str, float]] = []
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    server: Flaky

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        with self.server.lock:
            self.server.seen.append((self.command, self.headers.get("If-Match") or "", time.monotonic()))
            failing = len(self.server.seen) <= self.server.failures
        if self.server.drop and failing:
            self.connection.shutdown(socket.SHUT_RDWR)  # the connection ends with no answer
            return
        time.sleep(self.server.hang)
        if failing:
            body = {
                "type": "x",
                "title": "busy",
                "status": 503,
                "detail": "too busy",
                "code": "shutting-down",
            }
            self._send(503, body, {"Retry-After": "0"})
        else:
            self._send(200, GROUPS if self.path == "/project-group" else PROJECT, {})

    def _send(self, status: int, body: object, headers: dict[str, str]) -> None:
        raw = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/problem+json" if status >= 400 else "application/json")
        self.send_header("Content-Length", str(len(raw)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(raw)

    do_GET = do_PUT = do_POST = do_DELETE = do_PATCH = _answer


def _serve(server: Flaky) -> Iterator[Flaky]:
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture
def flaky() -> Iterator[Flaky]:
    yield from _serve(Flaky(failures=2))


def test_a_read_is_retried_after_503_until_it_succeeds(flaky: Flaky) -> None:
    with RegistryClient(flaky.url, "k", retry=FAST) as client:
        assert client.list_groups() == []
    assert len(flaky.seen) == 3


def test_retries_stop_after_the_attempts_with_the_last_problem() -> None:
    for server in _serve(Flaky(failures=10)):
        patient = Retry(attempts=3, backoff=0.05, max_delay=1)
        with (
            RegistryClient(server.url, "k", retry=patient) as client,
            pytest.raises(UnavailableError) as refused,
        ):
            client.get_project("_pabc1")
        assert refused.value.status == 503 and refused.value.detail == "too busy"
        assert len(server.seen) == 3
        gaps = [b[2] - a[2] for a, b in zip(server.seen, server.seen[1:], strict=False)]
        assert gaps[0] >= 0.025 and gaps[1] >= 0.05  # backoff doubles (jitter takes at most half)


def test_a_write_is_repeated_only_where_a_repeat_is_safe(flaky: Flaky) -> None:
    with RegistryClient(flaky.url, "k", retry=FAST) as client:
        with pytest.raises(UnavailableError):
            client.update_project("_pabc1", "User:\n  id: number\n")  # no If-Match: sent once
        assert len(flaky.seen) == 1
        with pytest.raises(UnavailableError):
            client.create_project("g", "users")  # a POST is never repeated
        assert len(flaky.seen) == 2
        updated = client.update_project("_pabc1", "User:\n  id: number\n", if_match="a" * 40)
        assert updated["name"] == "users"
    assert flaky.seen[-1] == ("PUT", f'"{"a" * 40}"', flaky.seen[-1][2])
    assert len(flaky.seen) == 3


def test_a_dropped_connection_is_retried_for_reads() -> None:
    for server in _serve(Flaky(failures=2, drop=True)):
        with RegistryClient(server.url, "k", retry=FAST) as client:
            assert client.get_project("_pabc1")["id"] == "_pabc1"
        assert len(server.seen) == 3
    for server in _serve(Flaky(failures=2, drop=True)):
        with RegistryClient(server.url, "k", retry=FAST) as client, pytest.raises(RegistryConnectionError):
            client.rename_project("_pabc1", "members")  # a PATCH may have landed: not repeated
        assert len(server.seen) == 1


def test_nobody_listening_is_a_connection_error_after_the_retries() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    started = time.monotonic()
    with RegistryClient(url, "k", retry=FAST) as client, pytest.raises(RegistryConnectionError) as failed:
        client.create_group("never")  # nothing was sent: even a POST may be tried again
    assert "POST /project-group" in str(failed.value)
    assert time.monotonic() - started < 5


def test_a_slow_server_times_out() -> None:
    for server in _serve(Flaky(failures=0, hang=2.0)):
        started = time.monotonic()
        client = RegistryClient(server.url, "k", timeout=0.2, retry=NO_RETRY)
        with client, pytest.raises(RegistryConnectionError, match="Timeout"):
            client.list_groups()
        assert time.monotonic() - started < 1.5


async def test_the_async_client_retries_too(flaky: Flaky) -> None:
    async with AsyncRegistryClient(flaky.url, "k", retry=FAST) as client:
        assert await client.list_groups() == []
        assert len(flaky.seen) == 3
        with pytest.raises(UnavailableError):
            await _fail_once_more(flaky)
        assert len(flaky.seen) == 4


async def _fail_once_more(server: Flaky) -> None:
    """The next request is answered 503; a client without retries gives up at once."""
    server.failures = len(server.seen) + 1
    async with AsyncRegistryClient(server.url, retry=NO_RETRY) as once:
        await once.list_groups()
