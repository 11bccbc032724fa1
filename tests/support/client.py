"""A small synchronous HTTP client for tests, talking to a real server over loopback."""

from __future__ import annotations

import http.client
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def content_type(self) -> str:
        return (self.headers.get("Content-Type") or "").split(";")[0]

    def __repr__(self) -> str:
        return f"<Response {self.status} {self.body[:300]!r}>"


ResponseHook = Any  # Callable[[str, str, Response], None]


class Client:
    """Sends requests with an optional Bearer key; every response passes through ``hooks``."""

    def __init__(
        self, base_url: str, key: str | None = None, hooks: list[ResponseHook] | None = None, name: str = ""
    ) -> None:
        parts = urlsplit(base_url)
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or 80
        self.base_url = base_url
        self.key = key
        self.hooks = hooks if hooks is not None else []
        self.name = name  # the key's name, where the test knows it

    def with_key(self, key: str | None, name: str = "") -> Client:
        return Client(self.base_url, key, self.hooks, name)

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        raw: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> Response:
        all_headers = dict(headers or {})
        if self.key is not None and "Authorization" not in all_headers:
            all_headers["Authorization"] = f"Bearer {self.key}"
        payload = raw
        if payload is None and body is not None:
            payload = json.dumps(body).encode()
            all_headers.setdefault("Content-Type", "application/json")
        conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
        try:
            conn.request(method, path, body=payload, headers=all_headers)
            resp = conn.getresponse()
            response = Response(resp.status, resp.headers, resp.read())
        finally:
            conn.close()
        for hook in self.hooks:
            hook(method, path, response)
        return response

    def get(self, path: str, **kw: Any) -> Response:
        return self.request("GET", path, **kw)

    def post(self, path: str, body: Any = None, **kw: Any) -> Response:
        return self.request("POST", path, body, **kw)

    def put(self, path: str, body: Any = None, **kw: Any) -> Response:
        return self.request("PUT", path, body, **kw)

    def patch(self, path: str, body: Any = None, **kw: Any) -> Response:
        return self.request("PATCH", path, body, **kw)

    def delete(self, path: str, body: Any = None, **kw: Any) -> Response:
        return self.request("DELETE", path, body, **kw)
