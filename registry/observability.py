"""Request ids and logging: every request gets an id, echoed in ``X-Request-Id`` and in its log lines.

A client may send its own ``X-Request-Id`` (a proxy or a caller that wants to correlate); ids that
are too long or carry odd characters are replaced, so a log line can never be forged through it.
Log lines are text or one JSON object per line (``--log-format json``); both carry the request id
and the process id, which tells the workers of ``serve --workers N`` apart.
"""

from __future__ import annotations

import atexit
import contextvars
import itertools
import json
import logging
import logging.handlers
import queue
import re
import secrets
import sys
from datetime import UTC, datetime
from typing import Any, TextIO

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError

from registry.problems import Handler

REQUEST_ID_HEADER = "X-Request-Id"
REQUEST_ID = "id"  # request slot; registry.problems logs it with unexpected errors
_ACCEPTED_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:@/+=-]{0,127}")

current_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")


def request_id_of(request: web.BaseRequest) -> str:
    value = request.get(REQUEST_ID)
    return value if isinstance(value, str) else "-"


# 32 hex digits, like a uuid4's, but without asking the OS for randomness on every request:
# 64 random bits per process, then a counter.
_ID_PREFIX = secrets.token_hex(8)
_ID_COUNTER = itertools.count(1)


def _incoming_id(request: web.Request) -> str:
    offered = request.headers.get(REQUEST_ID_HEADER, "")
    return offered if _ACCEPTED_ID.fullmatch(offered) else f"{_ID_PREFIX}{next(_ID_COUNTER):016x}"


@web.middleware
async def request_id_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Give the request its id and make log lines carry it; :func:`stamp_response` echoes it."""
    request_id = _incoming_id(request)
    request[REQUEST_ID] = request_id
    current_request_id.set(request_id)
    return await handler(request)


async def stamp_response(request: web.BaseRequest, response: web.StreamResponse) -> None:
    """``on_response_prepare`` hook: every answer, streamed or not, carries the request id."""
    request_id = request.get(REQUEST_ID)
    if isinstance(request_id, str):
        response.headers[REQUEST_ID_HEADER] = request_id


# -- logging -------------------------------------------------------------------------------


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record (``-`` outside a request) so formats can rely on it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not isinstance(getattr(record, "request_id", None), str):
            record.request_id = current_request_id.get()
        return True


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


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [pid %(process)d] [%(request_id)s] %(message)s"
# Access-log fields (see registry.access_log) that JSON lines carry as their own keys.
ACCESS_FIELDS = ("method", "path", "status", "duration_ms", "key")


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, pid, request_id, message, and extras."""

    def format(self, record: logging.LogRecord) -> str:
        doc: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "pid": record.process,
            "request_id": getattr(record, "request_id", "-"),
            "message": record.getMessage(),
        }
        for name in ACCESS_FIELDS:
            if hasattr(record, name):
                doc[name] = getattr(record, name)
        if record.exc_info:
            doc["exception"] = self.formatException(record.exc_info)
        return json.dumps(doc, ensure_ascii=False)


def configure_logging(log_format: str, stream: TextIO | None = None) -> None:
    """Set up the root logger for a server process (text or JSON lines on stderr)."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT))
    # Formatting and writing happen in a thread of their own: one access line per request written
    # on the event loop cost about a fifth of a cached read's time.
    records: queue.SimpleQueue[logging.LogRecord] = queue.SimpleQueue()
    enqueue = logging.handlers.QueueHandler(records)
    enqueue.addFilter(RequestIdFilter())  # here: the request id lives in the caller's context
    listener = logging.handlers.QueueListener(records, handler)
    listener.start()
    atexit.register(listener.stop)  # writes what is still queued
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(enqueue)
    root.setLevel(logging.INFO)
    server_log = logging.getLogger("aiohttp.server")
    if not any(isinstance(f, MalformedRequestFilter) for f in server_log.filters):
        server_log.addFilter(MalformedRequestFilter())
    # Libraries that are chatty at INFO: their warnings still show.
    logging.getLogger("sqlglot").setLevel(logging.ERROR)
    logging.getLogger("dulwich").setLevel(logging.WARNING)
