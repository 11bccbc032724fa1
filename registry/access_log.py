"""One log line per request: method, path, status, duration and key name (never the key)."""

from __future__ import annotations

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger

from registry.auth import API_KEY


class AccessLogger(AbstractAccessLogger):
    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        key = request.get(API_KEY)
        self.logger.info(
            "%s %s %s %.1fms key=%s",
            request.method,
            request.path,
            response.status,
            time * 1000,
            key.name if key is not None else "-",
        )
