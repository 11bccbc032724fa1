"""Parsing JSON safely, and finding where in the text each value is.

``json.loads`` is fast but recursive (a 100,000-level array overflows the stack) and keeps no
positions. :func:`parse` checks nesting depth with a flat scan first, then lets ``json.loads``
build the values; :class:`Positions` maps a JSON pointer back to a line and column with one more
flat scan, made only when a problem needs to be located.
"""

from __future__ import annotations

import json
import math
import re
import sys
from bisect import bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from registry.formats.base import Problem
from registry.formats.limits import Limits

_BRACKETS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)
_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\],:]|[^\s{}\[\],:"]+', re.DOTALL)

PathKey = tuple[str | int, ...]


@dataclass(frozen=True)
class Parsed:
    value: Any
    positions: Positions


class JsonProblem(Exception):
    """The document is not JSON we can work on; carries the located problems."""

    def __init__(self, *problems: Problem) -> None:
        super().__init__(problems[0].message)
        self.problems = problems


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


class _Members:
    """``object_pairs_hook`` noting whether any object names a member twice (``json.loads``
    would silently keep the last one); the parse goes on, so the whole text is still checked."""

    def __init__(self) -> None:
        self.repeated = False

    def __call__(self, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        members = dict(pairs)
        if len(members) != len(pairs):
            self.repeated = True
        return members


def _finite(text: str) -> float:
    value = float(text)
    if math.isinf(value):  # 1e400: json.loads would make it infinity, which is not JSON
        raise ValueError(f"{text} is out of range")
    return value


def _unreadable(token: str) -> bool:
    """A bare token ``json.loads`` refuses without a position: NaN, Infinity, a number out of range."""
    bare = token.lstrip("-")
    if bare in ("NaN", "Infinity"):
        return True
    if bare.isdigit():
        return len(bare) > sys.get_int_max_str_digits() > 0
    try:
        return math.isinf(float(token))
    except ValueError:
        return False


_BOM = "\ufeff"


def parse(text: str, limits: Limits) -> Parsed:
    """The value of ``text``; raises :class:`JsonProblem` for syntax errors and too deep nesting."""
    # RFC 8259 lets a parser ignore a byte order mark; a space in its place keeps every offset.
    readable = " " + text[1:] if text.startswith(_BOM) else text
    positions = Positions(readable)
    depth = 0
    for match in _BRACKETS.finditer(text):
        char = match.group()
        if char in "[{":
            depth += 1
            if depth > limits.max_depth:
                line, column = positions.line_column(match.start())
                raise JsonProblem(Problem(f"nesting deeper than {limits.max_depth} levels", line, column))
        elif char in "]}":
            depth -= 1
    if not readable.strip(" \t\r\n"):
        raise JsonProblem(Problem("the document is empty", 1, 1))
    members = _Members()
    try:
        value = json.loads(
            readable, parse_constant=_reject_constant, parse_float=_finite, object_pairs_hook=members
        )
    except json.JSONDecodeError as exc:
        raise JsonProblem(Problem(f"invalid JSON: {exc.msg}", exc.lineno, exc.colno)) from None
    except (ValueError, RecursionError) as exc:
        # NaN/Infinity and numbers out of range: json.loads gives no position for these.
        raise JsonProblem(Problem(f"invalid JSON: {exc}", *positions.first_bare(_unreadable))) from None
    if members.repeated:
        raise JsonProblem(*positions.duplicate_members())
    return Parsed(value, positions)


def pointer(path: Iterable[str | int]) -> str:
    """The JSON pointer (RFC 6901) of a path of keys and indexes."""
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in path)


class Positions:
    """Line and column of every value of a (syntactically valid) JSON text, built on first use."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._newlines: list[int] | None = None
        self._values: dict[PathKey, int] | None = None
        self._keys: dict[PathKey, int] = {}
        self._repeats: list[tuple[PathKey, int, int]] = []  # (member, first offset, repeat offset)
        self._renamed: dict[int, str] = {}  # a repeated member's own path part -> its real name

    def line_column(self, offset: int) -> tuple[int, int]:
        if self._newlines is None:
            self._newlines = [m.start() for m in re.finditer("\n", self._text)]
        line = bisect_right(self._newlines, offset - 1)
        start = self._newlines[line - 1] + 1 if line else 0
        return line + 1, offset - start + 1

    def locate(self, path: Iterable[str | int], *, key: bool = False) -> tuple[int | None, int | None]:
        """Where the value at ``path`` starts (or its member name, with ``key``); the nearest
        enclosing value when the path is not in the document."""
        if self._values is None:
            self._values = self._scan()
        parts = tuple(path)
        if key and parts in self._keys:
            return self.line_column(self._keys[parts])
        while parts not in self._values and parts:
            parts = parts[:-1]
        offset = self._values.get(parts)
        return (None, None) if offset is None else self.line_column(offset)

    def duplicate_members(self) -> list[Problem]:
        """A problem for each member name an object repeats, where the repeat is."""
        if self._values is None:
            self._values = self._scan()
        return [
            Problem(
                f"duplicate member name {path[-1]!r} (first on line {self.line_column(first)[0]})",
                *self.line_column(offset),
                pointer(self._renamed.get(part, part) if isinstance(part, int) else part for part in path),
            )
            for path, first, offset in self._repeats
        ]

    def first_bare(self, wanted: Callable[[str], bool]) -> tuple[int, int]:
        """Where the first token outside strings that is ``wanted`` starts (else 1, 1)."""
        for match in _TOKENS.finditer(self._text):
            if match.group()[0] != '"' and wanted(match.group()):
                return self.line_column(match.start())
        return 1, 1

    def _scan(self) -> dict[PathKey, int]:
        values: dict[PathKey, int] = {}
        # One frame per open container: [path, is_object, next index or current key, expecting key].
        stack: list[list[Any]] = []
        current: PathKey = ()
        for match in _TOKENS.finditer(self._text):
            token = match.group()
            first = token[0]
            frame = stack[-1] if stack else None
            if first == ",":
                if frame is not None and frame[1]:
                    frame[3] = True
                elif frame is not None:
                    frame[2] += 1
                continue
            if first in ":]}":
                if first != ":":
                    stack.pop()
                continue
            if frame is not None and frame[1] and frame[3]:
                name = json.loads(token) if "\\" in token else token[1:-1]
                frame[3] = False
                member = (*frame[0], name)
                if member in self._keys:
                    self._repeats.append((member, self._keys[member], match.start()))
                    # The repeat's own value gets a path of its own, so its members are not
                    # taken for repeats of the first's
                    # (a negative index: no JSON member or array item can have that path)
                    self._renamed[-1 - match.start()] = name
                    name = -1 - match.start()
                else:
                    self._keys[member] = match.start()
                frame[2] = name
                continue
            current = () if frame is None else (*frame[0], frame[2])
            values[current] = match.start()
            if first == "{":
                stack.append([current, True, None, True])
            elif first == "[":
                stack.append([current, False, 0, False])
        return values
