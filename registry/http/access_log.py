"""One log line per request: method, path, status, duration and key name (never the key).

The request id rides along as a record field, so the text format shows it and JSON lines carry
it (with the other fields) as keys of their own.

The line is written for every request, so the event loop does as little as it can: under
:func:`registry.core.logs.configure_logging` it queues an :class:`AccessLine` tuple and the
log thread builds the very ``LogRecord`` that ``Logger.info`` would have built.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from functools import partial
from typing import Any, NamedTuple

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger

from registry.core.logs import late_sink
from registry.http.context import API_KEY
from registry.http.request_ids import request_id_of

MESSAGE = "%s %s %s %.1fms key=%s"


class AccessLine(NamedTuple):
    logger: logging.Logger
    created: float  # time.time() when the answer was sent, as LogRecord.created
    request_id: str
    method: str
    path: str
    status: int
    seconds: float  # time taken; rounded to duration_ms off the event loop (round() is slow)
    key: str

    @property
    def duration_ms(self) -> float:
        return round(self.seconds * 1000, 1)

    def message(self) -> str:
        # %.1f rounds as round(..., 1) does (both correctly), so the rounding is not done twice.
        return MESSAGE % (self.method, self.path, self.status, self.seconds * 1000, self.key)

    def fields(self) -> dict[str, object]:
        return {
            "request_id": self.request_id,
            "method": self.method,
            "path": self.path,
            "status": self.status,
            "duration_ms": self.duration_ms,
            "key": self.key,
        }

    def to_record(self) -> logging.LogRecord:
        """The record ``Logger.info`` makes, with the time of the answer rather than of now."""
        args = (self.method, self.path, self.status, self.duration_ms, self.key)
        record = self.logger.makeRecord(
            self.logger.name, logging.INFO, __file__, 0, MESSAGE, args, None, extra=self.fields()
        )
        record.relativeCreated += (self.created - record.created) * 1000
        record.created = self.created
        record.msecs = int((self.created - int(self.created)) * 1000) + 0.0  # as LogRecord.__init__
        return record


# ``AccessLine(*fields)`` without a Python frame: a NamedTuple's own ``__new__`` is a Python function.
_new_line: Callable[[tuple[Any, ...]], AccessLine] = partial(tuple.__new__, AccessLine)


class AccessLogger(AbstractAccessLogger):
    """aiohttp makes one per connection; each asks once where its lines go."""

    def __init__(self, logger: logging.Logger, log_format: str) -> None:
        super().__init__(logger, log_format)
        self._sink = late_sink(logger)

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time_taken: float) -> None:
        if not self.logger.isEnabledFor(logging.INFO):
            return
        key = request.get(API_KEY)
        line = _new_line(
            (
                self.logger,
                time.time(),
                request_id_of(request),
                request.method,
                request.path,
                response.status,
                time_taken,
                key.name if key is not None else "-",
            )
        )
        if self._sink is not None:
            self._sink(line)
        else:
            self.logger.info(MESSAGE, *line[3:6], line.duration_ms, line.key, extra=line.fields())
