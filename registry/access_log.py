"""One log line per request: method, path, status, duration and key name (never the key).

The request id rides along as a record field, so the text format shows it and JSON lines carry
it (with the other fields) as keys of their own.
"""

from __future__ import annotations

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger

from registry.auth import API_KEY
from registry.observability import request_id_of


class AccessLogger(AbstractAccessLogger):
    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        key = request.get(API_KEY)
        key_name = key.name if key is not None else "-"
        duration_ms = round(time * 1000, 1)
        self.logger.info(
            "%s %s %s %.1fms key=%s",
            request.method,
            request.path,
            response.status,
            duration_ms,
            key_name,
            extra={
                "request_id": request_id_of(request),
                "method": request.method,
                "path": request.path,
                "status": response.status,
                "duration_ms": duration_ms,
                "key": key_name,
            },
        )
