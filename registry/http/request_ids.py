"""Request ids: every request gets one, echoed in ``X-Request-Id`` and carried by its log lines.

A client may send its own ``X-Request-Id`` (a proxy or a caller that wants to correlate); ids that
are too long or carry odd characters are replaced, so a log line can never be forged through it.
"""

from __future__ import annotations

import itertools
import logging
import re
import secrets

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError

from registry.core.logs import current_request_id
from registry.http.context import REQUEST_ID

REQUEST_ID_HEADER = "X-Request-Id"
_ACCEPTED_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:@/+=-]{0,127}")


def request_id_of(request: web.BaseRequest) -> str:
    value = request.get(REQUEST_ID)
    return value if isinstance(value, str) else "-"


# 32 hex digits, like a uuid4's, but without asking the OS for randomness on every request:
# 64 random bits per process, then a counter.
_ID_PREFIX = secrets.token_hex(8)
_ID_COUNTER = itertools.count(1)


def _incoming_id(request: web.Request) -> str:
    offered = request.headers.get(REQUEST_ID_HEADER)
    if offered and _ACCEPTED_ID.fullmatch(offered):
        return offered
    return f"{_ID_PREFIX}{next(_ID_COUNTER):016x}"


def assign_request_id(request: web.Request) -> str:
    """Give the request its id and make log lines carry it; :func:`stamp` echoes it."""
    request_id = _incoming_id(request)
    request[REQUEST_ID] = request_id
    current_request_id.set(request_id)
    return request_id


def request_id_header(request: web.BaseRequest) -> dict[str, str]:
    """The ``X-Request-Id`` header, for a streamed answer to carry from its start."""
    return {REQUEST_ID_HEADER: request_id_of(request)}


def stamp(response: web.StreamResponse | web.HTTPException, request_id: str) -> None:
    """Echo the request id on an answer the handler returned or raised (not yet sent)."""
    if not (isinstance(response, web.StreamResponse) and response.prepared):
        response.headers[REQUEST_ID_HEADER] = request_id


class MalformedRequestFilter(logging.Filter):
    """aiohttp logs every unparsable request as an ERROR with a traceback; it is the client's
    fault, so it becomes one INFO line (a flood of bad requests must not flood the error log)."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, HttpProcessingError):
            record.msg = f"{record.getMessage()}: {error.code} {error.message}".replace("\n", " ")
            record.args = ()
            record.exc_info = record.exc_text = None
            record.levelno, record.levelname = logging.INFO, "INFO"
        return True


def quiet_malformed_requests() -> None:
    """Make aiohttp's server log each unparsable request as one INFO line (idempotent)."""
    server_log = logging.getLogger("aiohttp.server")
    if not any(isinstance(f, MalformedRequestFilter) for f in server_log.filters):
        server_log.addFilter(MalformedRequestFilter())
