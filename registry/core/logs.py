"""Logging set-up for every process: servers, validation workers and commands.

Every record carries the id of the request it belongs to (``-`` outside one), which
:mod:`registry.http.request_ids` assigns. Log lines are text or one JSON object per line
(``--log-format json``); both carry the request id and the process id, which tells the workers
of ``serve --workers N`` apart.
"""

from __future__ import annotations

import atexit
import contextvars
import json
import logging
import logging.handlers
import os
import queue
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Protocol, TextIO

current_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")


# -- logging -------------------------------------------------------------------------------


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record (``-`` outside a request) so formats can rely on it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not isinstance(getattr(record, "request_id", None), str):
            record.request_id = current_request_id.get()
        return True


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [pid %(process)d] [%(request_id)s] %(message)s"
# Access-log fields (see registry.http.access_log) that JSON lines carry as their own keys.
ACCESS_FIELDS = ("method", "path", "status", "duration_ms", "key")


def printable(message: str) -> str:
    """``message`` with control and other unprintable characters escaped (``\\n``, ``\\x00``).

    A text log is one line per record: a request path such as ``/x%0AFORGED`` must not start a
    line of its own (forged log lines), and a NUL byte must not make the log a binary file.
    """
    if message.isprintable():
        return message
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in message)


class TextFormatter(logging.Formatter):
    """:data:`TEXT_FORMAT`, and the same line straight from a :class:`LateRecord`.

    Messages are made :func:`printable`; a traceback after them keeps its lines.
    """

    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)
        self._second = -1
        self._logger: logging.Logger | None = None
        self._template = ""

    def format_late(self, late: LateRecord) -> str:
        """``format(late.to_record())`` without building the record."""
        created = late.created
        second = int(created)
        if second != self._second or late.logger is not self._logger:
            self._make_template(second, late.logger)
        # TEXT_FORMAT names asctime, request_id and message in this order (the formatter tests
        # compare every line with the record path).
        return self._template % (int((created - second) * 1000), late.request_id, printable(late.message()))

    def formatMessage(self, record: logging.LogRecord) -> str:  # logging's name for it
        record.message = printable(record.message)
        return super().formatMessage(record)

    def formatException(self, ei: Any) -> str:  # logging's name for it
        """The traceback, each of its lines indented and made :func:`printable`: an exception
        message carrying user input cannot start a line that reads as a record of its own."""
        return "\n".join("  " + printable(line) for line in super().formatException(ei).split("\n"))

    def _make_template(self, second: int, logger: logging.Logger) -> None:
        """TEXT_FORMAT with everything but the milliseconds, request id and message filled in.

        It changes once a second: strftime and the six-key format run then, not per line. The
        process id is read then too: server processes are spawned, never forked, so it holds.
        """
        asctime = time.strftime(self.default_time_format, self.converter(second))
        self._template = TEXT_FORMAT % {
            "asctime": asctime.replace("%", "%%") + ",%03d",  # default_msec_format
            "levelname": "INFO",
            "name": logger.name.replace("%", "%%"),
            "process": os.getpid(),
            "request_id": "%s",
            "message": "%s",
        }
        self._second, self._logger = second, logger


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, pid, request_id, message, and extras."""

    def format(self, record: logging.LogRecord) -> str:
        fields = {name: getattr(record, name) for name in ACCESS_FIELDS if hasattr(record, name)}
        doc = _json_line(
            record.created,
            record.levelname,
            record.name,
            record.process,
            getattr(record, "request_id", "-"),
            record.getMessage(),
            fields,
        )
        if record.exc_info:
            doc["exception"] = self.formatException(record.exc_info)
        return json.dumps(doc, ensure_ascii=False)

    def format_late(self, late: LateRecord) -> str:
        """``format(late.to_record())`` without building the record."""
        given = late.fields()
        fields = {name: given[name] for name in ACCESS_FIELDS if name in given}
        doc = _json_line(
            late.created, "INFO", late.logger.name, os.getpid(), late.request_id, late.message(), fields
        )
        return json.dumps(doc, ensure_ascii=False)


def _json_line(
    created: float,
    level: str,
    logger: str,
    pid: int | None,
    request_id: str,
    message: str,
    fields: dict[str, Any],
) -> dict[str, Any]:
    """A JSON line's keys in their order; the access-log fields come after the message."""
    return {
        "time": datetime.fromtimestamp(created, UTC).isoformat(timespec="milliseconds"),
        "level": level,
        "logger": logger,
        "pid": pid,
        "request_id": request_id,
        "message": message,
        **fields,
    }


class LateRecord(Protocol):
    """What the event loop can put on the log queue instead of a ``LogRecord``: an INFO line that
    the listener thread formats (with ``format_late`` where the formatter has it, else through
    :meth:`to_record`), so building and formatting it stay off the loop."""

    @property
    def logger(self) -> logging.Logger: ...

    @property
    def created(self) -> float: ...  # time.time() of the event, as LogRecord.created

    @property
    def request_id(self) -> str: ...

    def message(self) -> str: ...

    def fields(self) -> dict[str, object]: ...

    def to_record(self) -> logging.LogRecord: ...


class LogQueueHandler(logging.handlers.QueueHandler):
    """The root handler of a server process: records go to :class:`BatchListener`'s queue."""

    def __init__(self, records: queue.SimpleQueue[Any]) -> None:
        super().__init__(records)
        # Bound once: a late record is queued with one C call, no Python frame in between.
        self.put_late: Callable[[LateRecord], None] = records.put_nowait


def late_sink(logger: logging.Logger) -> Callable[[LateRecord], None] | None:
    """Where ``logger`` may queue a :class:`LateRecord`, or None if it has to log normally.

    Only when its records would reach nothing but the :class:`LogQueueHandler` (no filters or
    other handlers on the way) is skipping ``Logger.handle`` invisible; anything else (a test's
    capture handler, say) gets ordinary records.
    """
    handlers: list[logging.Handler] = []
    current: logging.Logger | None = logger
    while current is not None:
        if current.filters:
            return None
        handlers.extend(current.handlers)
        current = current.parent if current.propagate else None
    if len(handlers) == 1 and isinstance(handlers[0], LogQueueHandler) and handlers[0].level <= logging.INFO:
        return handlers[0].put_late
    return None


class BatchStreamHandler(logging.StreamHandler):  # type: ignore[type-arg]  # generic only in typeshed
    """A stream handler that can write many records with one ``write`` and one flush."""

    def emit_batch(self, entries: list[logging.LogRecord | LateRecord]) -> None:
        lines = []
        format_late = getattr(self.formatter, "format_late", None)
        for entry in entries:
            try:
                if isinstance(entry, logging.LogRecord):
                    lines.append(self.format(entry))
                elif format_late is not None:
                    lines.append(format_late(entry))
                else:
                    lines.append(self.format(entry.to_record()))
            except Exception:  # logging's rule: a bad record is reported, never raised
                self.handleError(_record_of(entry))
        if not lines:
            return
        terminator = self.terminator
        with self.lock:  # type: ignore[union-attr]  # createLock() always sets it
            try:
                self.stream.write(terminator.join(lines) + terminator)
                self.flush()
            except Exception:  # as StreamHandler.emit
                self.handleError(_record_of(entries[-1]))


def _record_of(entry: logging.LogRecord | LateRecord) -> logging.LogRecord:
    """The record to report a failure with; never raises, or the log thread would end."""
    if isinstance(entry, logging.LogRecord):
        return entry
    try:
        return entry.to_record()
    except Exception:
        return logging.makeLogRecord({"msg": f"unformattable log entry {entry!r}"})


_STOP = object()


class BatchListener:
    """Formats and writes queued records in a thread of its own, a batch at a time.

    After each batch it pauses briefly, so records pile up: under load that is one wake-up, one
    GIL hand-over and one ``write`` per batch rather than per request.
    """

    def __init__(self, records: queue.SimpleQueue[Any], handler: BatchStreamHandler, pause: float) -> None:
        self._records = records
        self._handler = handler
        self._pause = pause
        self._thread = threading.Thread(target=self._run, name="log-writer", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Write what is still queued, then end the thread."""
        self._records.put(_STOP)
        self._thread.join()

    def _run(self) -> None:
        while True:
            batch = [self._records.get()]
            while True:
                try:
                    batch.append(self._records.get_nowait())
                except queue.Empty:
                    break
            stopping = any(item is _STOP for item in batch)
            self._handler.emit_batch([item for item in batch if item is not _STOP])
            if stopping:
                return
            time.sleep(self._pause)


LOG_BATCH_PAUSE_SECONDS = 0.02  # how late a log line may appear; under load, how big a batch gets


def configure_worker_logging(log_format: str) -> None:
    """Logging of a validation worker process: its rare records (a validator that failed) in the
    server's format on stderr, which it shares with the server; sqlglot's warnings, which quote
    the statements it cannot parse, never (the validator reports those as its own warnings)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(logging.WARNING)
    logging.getLogger("sqlglot").setLevel(logging.CRITICAL)


def configure_logging(log_format: str, stream: TextIO | None = None) -> None:
    """Set up the root logger for a server process (text or JSON lines on stderr)."""
    handler = BatchStreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    # Formatting and writing happen in a thread of their own, in batches: one access line per
    # request written on the event loop cost about a fifth of a cached read's time.
    records: queue.SimpleQueue[Any] = queue.SimpleQueue()
    enqueue = LogQueueHandler(records)
    enqueue.addFilter(RequestIdFilter())  # here: the request id lives in the caller's context
    listener = BatchListener(records, handler, LOG_BATCH_PAUSE_SECONDS)
    listener.start()
    atexit.register(listener.stop)  # writes what is still queued
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(enqueue)
    root.setLevel(logging.INFO)
    # Libraries that are chatty at INFO: their warnings still show.
    logging.getLogger("sqlglot").setLevel(logging.ERROR)
    logging.getLogger("dulwich").setLevel(logging.WARNING)
