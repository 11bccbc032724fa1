"""Event stream and webhook receivers for tests: a real SSE client and a real HTTP server on loopback."""

from __future__ import annotations

import http.client
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any
from urllib.parse import urlsplit

import jsonschema

from tests.support.openapi_check import document

DATA_KEYS = {
    "group_id",
    "group_name",
    "project_id",
    "project_name",
    "action",
    "version",
    "previous_version",
    "format",
    "author",
    "message",
    "change_summary",
    "url",
}


@cache
def _cloud_event_schema() -> dict[str, Any]:
    schema: dict[str, Any] = document()["components"]["schemas"]["CloudEvent"]
    return schema


def check_event(event: dict[str, Any]) -> dict[str, Any]:
    """``event``, once it matches the CloudEvent schema of docs/openapi.yaml, data keys exactly."""
    jsonschema.validate(event, _cloud_event_schema())
    assert set(event["data"]) == DATA_KEYS
    return event


@dataclass
class SseMessage:
    id: str | None
    event: str | None
    data: dict[str, Any]
    received: float  # time.monotonic() when it arrived


@dataclass
class EventStream:
    """``GET /events`` read on a thread; ``messages`` fills as events arrive."""

    base_url: str
    key: str
    path: str = "/events"
    headers: dict[str, str] = field(default_factory=dict)
    status: int = 0
    body: bytes = b""
    messages: list[SseMessage] = field(default_factory=list)
    comments: int = 0
    ended: bool = False
    error: Exception | None = None

    def open(self) -> EventStream:
        parts = urlsplit(self.base_url)
        self._conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=60)
        self._conn.request("GET", self.path, headers={"Authorization": f"Bearer {self.key}", **self.headers})
        self._response = self._conn.getresponse()
        self.status = self._response.status
        if self.status != 200:
            self.body = self._response.read()
            self._conn.close()
            return self
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()
        return self

    def _read(self) -> None:
        fields: dict[str, str] = {}
        try:
            while True:
                line = self._response.readline()
                if not line:
                    break
                text = line.decode("utf-8").rstrip("\r\n")
                if text.startswith(":"):
                    self.comments += 1
                elif text:
                    name, _, value = text.partition(": ")
                    fields[name] = fields[name] + "\n" + value if name in fields else value
                elif "data" in fields:
                    data = json.loads(fields["data"])
                    self.messages.append(
                        SseMessage(fields.get("id"), fields.get("event"), data, time.monotonic())
                    )
                    fields = {}
        except Exception as exc:  # closed under the reader: the stream is over
            self.error = exc
        self.ended = True

    def wait_for(self, count: int, timeout: float = 15.0) -> list[SseMessage]:
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline and not self.ended:
            time.sleep(0.01)
        assert len(self.messages) >= count, (len(self.messages), [m.id for m in self.messages])
        return self.messages[:count]

    def wait_until(self, done: Callable[[list[SseMessage]], bool], timeout: float = 15.0) -> None:
        deadline = time.monotonic() + timeout
        while not done(self.messages) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert done(self.messages), [m.id for m in self.messages]

    def close(self) -> None:
        if self.status == 200:
            if self._conn.sock is not None:
                self._conn.sock.shutdown(2)  # wakes the reader
            self._conn.close()
            self._thread.join(5)

    def __enter__(self) -> EventStream:
        return self.open()

    def __exit__(self, *exc: object) -> None:
        self.close()
