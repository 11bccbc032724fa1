"""Access lines formatted straight from the tuple are the lines the logging record would give."""

from __future__ import annotations

import io
import json
import logging
import subprocess
import sys
from pathlib import Path

import pytest

from registry.core.logs import BatchStreamHandler, JsonFormatter, TextFormatter
from registry.http.access_log import AccessLine

LOGGER = logging.getLogger("registry.access.test")
ROOT = Path(__file__).resolve().parents[2]


def line(created: float, path: str = "/project/_pabc", seconds: float = 0.0013) -> AccessLine:
    return AccessLine(LOGGER, created, "rid-1", "GET", path, 200, seconds, "ci-bot")


# A second's first and last millisecond, the same second twice (cached prefix), then the next.
TIMES = [1_764_300_000.0, 1_764_300_000.9996, 1_764_300_000.5, 1_764_300_001.0004, 1_764_300_061.25]
PATHS = [
    "/project/_pabc",
    "/project/grüppe/naïve",
    '/odd/"quoted"\\path',
    "/%E2%9C%93",
    "/x\nFORGED\x00\u2028",
]
# Durations whose milliseconds sit on or near a rounding boundary: the message formats the raw
# value with %.1f, the record path rounds it to duration_ms first; both must print the same.
SECONDS = [0.0013, 0.00025, 0.00035, 0.00125, 0.0026749, 0.0000499, 1.23456, 12.3449999]


@pytest.mark.parametrize("formatter_class", [TextFormatter, JsonFormatter])
def test_format_late_is_byte_for_byte_what_the_record_gives(formatter_class: type[logging.Formatter]) -> None:
    fast, slow = formatter_class(), formatter_class()
    for created in TIMES:
        for path in PATHS:
            for seconds in SECONDS:
                entry = line(created, path, seconds)
                assert fast.format_late(entry) == slow.format(entry.to_record())  # type: ignore[attr-defined]


def test_lines_of_two_loggers_in_one_second_each_carry_their_own_logger_name() -> None:
    other = logging.getLogger("registry.access.other")
    fast, slow = TextFormatter(), TextFormatter()
    for created, logger in [(TIMES[0], LOGGER), (TIMES[1], other), (TIMES[2], LOGGER), (TIMES[2], other)]:
        entry = AccessLine(logger, created, "rid-2", "GET", "/p", 200, 0.001, "ci-bot")
        assert fast.format_late(entry) == slow.format(entry.to_record())
        assert f" {logger.name} [pid " in fast.format_late(entry)


def test_a_batch_mixes_late_lines_and_ordinary_records_in_order() -> None:
    stream = io.StringIO()
    handler = BatchStreamHandler(stream)
    handler.setFormatter(TextFormatter())
    record = LOGGER.makeRecord(LOGGER.name, logging.WARNING, __file__, 1, "disk %s", ("low",), None)
    record.request_id = "-"
    handler.emit_batch([line(TIMES[0]), record, line(TIMES[1], "/second")])
    written = stream.getvalue().splitlines()
    assert len(written) == 3
    assert written[0].endswith("[rid-1] GET /project/_pabc 200 1.3ms key=ci-bot")
    assert written[1].endswith(f"WARNING registry.access.test [pid {record.process}] [-] disk low")
    assert written[2].endswith("GET /second 200 1.3ms key=ci-bot")


def test_a_formatter_without_the_fast_path_gets_records() -> None:
    stream = io.StringIO()
    handler = BatchStreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s %(key)s"))
    handler.emit_batch([line(TIMES[0])])
    assert stream.getvalue() == "INFO GET /project/_pabc 200 1.3ms key=ci-bot ci-bot\n"


class BrokenLine:
    """A queued entry that can be neither formatted nor turned into a record."""

    logger = LOGGER
    created = TIMES[0]
    request_id = "rid-broken"

    def message(self) -> str:
        raise ValueError("no message")

    def fields(self) -> dict[str, object]:
        return {}

    def to_record(self) -> logging.LogRecord:
        raise ValueError("no record")


def test_an_entry_that_cannot_be_formatted_is_reported_and_the_batch_goes_on(
    capsys: pytest.CaptureFixture[str],
) -> None:
    stream = io.StringIO()
    handler = BatchStreamHandler(stream)
    handler.setFormatter(TextFormatter())
    handler.emit_batch([line(TIMES[0]), BrokenLine(), line(TIMES[1], "/after")])  # must not raise
    written = stream.getvalue().splitlines()
    assert len(written) == 2 and written[1].endswith("GET /after 200 1.3ms key=ci-bot")
    assert "Logging error" in capsys.readouterr().err  # logging's handleError, as for any bad record


def test_text_lines_escape_what_is_not_printable_and_json_lines_stay_exact() -> None:
    entry = line(TIMES[0], "/x\nFORGED\x00")
    text = TextFormatter().format_late(entry)
    assert "\n" not in text and "\x00" not in text
    assert text.endswith("GET /x\\nFORGED\\x00 200 1.3ms key=ci-bot")
    record = LOGGER.makeRecord(LOGGER.name, logging.WARNING, __file__, 1, "name %s", ("a\nb",), None)
    record.request_id = "-"
    assert TextFormatter().format(record).endswith("name a\\nb")
    assert json.loads(JsonFormatter().format_late(entry))["path"] == "/x\nFORGED\x00"


def test_a_traceback_is_indented_so_an_exception_message_cannot_forge_a_record() -> None:
    try:
        raise ValueError("bad name\n2026-11-30 12:00:00,000 INFO registry.http.app [pid 1] [-] FORGED")
    except ValueError:
        record = LOGGER.makeRecord(LOGGER.name, logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    record.request_id = "-"
    lines = TextFormatter().format(record).split("\n")
    assert lines[0].endswith(f"ERROR registry.access.test [pid {record.process}] [-] failed")
    assert len(lines) > 2 and all(line.startswith("  ") for line in lines[1:])


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_a_validation_worker_logs_in_the_servers_format_and_never_sqlglot(log_format: str) -> None:
    script = (
        "import logging\n"
        "from registry.core.logs import configure_worker_logging\n"
        f"configure_worker_logging({log_format!r})\n"
        "logging.getLogger('sqlglot').warning('CREATE FUNCTION secret() ... unsupported syntax')\n"
        "logging.getLogger('registry.formats').error('validator for %s failed', 'sql\\nFORGED')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=ROOT
    )
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and "secret" not in done.stderr
    if log_format == "json":
        assert json.loads(lines[0])["message"] == "validator for sql\nFORGED failed"
    else:
        assert " ERROR registry.formats [pid " in lines[0]
        assert lines[0].endswith("[-] validator for sql\\nFORGED failed")
