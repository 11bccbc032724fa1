"""Schema files on disk for the client commands: their format, offline validation, and reports
in the three shapes CI tools read (compiler lines, JSON, GitHub Actions annotations)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TextIO

from registry.core.errors import InvalidInput
from registry.core.metadata import EXTENSIONS
from registry.core.names import check_name
from registry.formats import FORMATS, Problem, check_dialect, validate

Output = Literal["text", "json", "github"]
OUTPUTS: tuple[Output, ...] = ("text", "json", "github")
# Longest first, as a push reads them, so "x.schema.json" is json_schema "x", not yaml "x.schema".
_SUFFIXES = sorted(((ext, fmt) for fmt, ext in EXTENSIONS.items()), key=lambda s: -len(s[0]))
KNOWN_EXTENSIONS = ", ".join(ext for ext, _ in sorted(_SUFFIXES))


class UsageError(Exception):
    """A mistake in the command line (exit 2), not in a schema (exit 1)."""


def split_file(file_name: str) -> tuple[str, str] | None:
    """A schema file's project name and format from its extension, as ``git push`` reads it."""
    for suffix, fmt in _SUFFIXES:
        if file_name.endswith(suffix) and len(file_name) > len(suffix):
            return file_name[: -len(suffix)], fmt
    return None


@dataclass
class Checked:
    """One file's verdict."""

    file: str
    format: str
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.errors

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "format": self.format,
            "valid": self.valid,
            "errors": [p.to_json() for p in self.errors],
            "warnings": [p.to_json() for p in self.warnings],
        }


def check_options(fmt: str | None, dialect: str | None) -> None:
    if fmt is not None and fmt not in FORMATS:
        raise UsageError(f"--format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    if dialect is not None and not check_dialect(dialect):
        raise UsageError(f"unknown SQL dialect {dialect!r}; use a sqlglot dialect name such as postgres")


def format_of(path: Path, fmt: str | None) -> tuple[str, str]:
    """(project name, format) of ``path``: the format from ``fmt`` or the file's extension."""
    parsed = split_file(path.name)
    if fmt is not None:
        return (parsed[0] if parsed else path.stem), fmt
    if parsed is None:
        raise UsageError(f"{path}: not a schema file name ({KNOWN_EXTENSIONS}); or give --format")
    return parsed


def read_text(path: Path) -> tuple[str | None, Problem | None]:
    """The file's text, or the problem that it is not UTF-8 (where, as a push reports it)."""
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"{path}: {exc.strerror or exc}") from exc
    try:
        return content.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        line = content.count(b"\n", 0, exc.start) + 1
        column = exc.start - (content.rfind(b"\n", 0, exc.start) + 1) + 1
        return None, Problem(f"not UTF-8 text (byte {content[exc.start]:#04x})", line, column)


def check_file(path: Path, *, fmt: str | None = None, dialect: str | None = None) -> Checked:
    """Validate one file offline, with the validators the server uses."""
    name, file_format = format_of(path, fmt)
    checked = Checked(str(path), file_format)
    try:
        check_name(name, what="project")
    except InvalidInput as exc:  # a push would refuse the file for its name
        checked.errors.append(Problem(f"{exc.detail} (from the file name)", 1, 1))
    text, undecodable = read_text(path)
    if undecodable is not None or text is None:
        checked.errors.append(undecodable or Problem("unreadable"))
        return checked
    result = validate(file_format, text, dialect=dialect if file_format == "sql" else None)
    checked.errors += result.errors
    checked.warnings += result.warnings
    return checked


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def problem_line(file: str, problem: Problem, output: Output, *, warning: bool = False) -> str:
    """One problem as a compiler writes it, or as a GitHub Actions workflow command."""
    line, column = problem.line or 1, problem.column or 1
    if output == "github":
        kind = "warning" if warning else "error"
        where = f"file={_escape_property(file)},line={line},col={column}"
        return f"::{kind} {where}::{_escape_data(problem.message)}"
    flat = problem.message.replace("\n", " ")
    return f"{file}:{line}:{column}: {'warning: ' if warning else ''}{flat}"


def report(results: Sequence[Checked], output: Output, out: TextIO) -> None:
    if output == "json":
        doc = {"valid": all(r.valid for r in results), "files": [r.to_json() for r in results]}
        print(json.dumps(doc, indent=2), file=out)
        return
    for result in results:
        for problem in result.errors:
            print(problem_line(result.file, problem, output), file=out)
        for problem in result.warnings:
            print(problem_line(result.file, problem, output, warning=True), file=out)
    if output == "text":
        bad = sum(not r.valid for r in results)
        verdict = f"{bad} of {len(results)} file(s) invalid" if bad else f"{len(results)} file(s) valid"
        print(verdict, file=out)
