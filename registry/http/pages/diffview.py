"""Two texts as rows for the diff page: side by side and unified, changed words marked.

Rows hold plain text pieces (the template escapes them); a piece is marked when it is a word
that changed inside a changed line.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Literal

CONTEXT = 3  # unchanged lines shown around each change
_TOKEN = re.compile(r"\w+|\s+|[^\w\s]")

Kind = Literal["same", "del", "ins", "empty"]
Piece = tuple[str, bool]  # text, changed


@dataclass(frozen=True)
class Side:
    number: int | None
    pieces: list[Piece]
    kind: Kind


@dataclass(frozen=True)
class SplitRow:
    left: Side
    right: Side
    hunk: str | None = None  # a hunk's heading row instead of lines


@dataclass(frozen=True)
class UnifiedRow:
    old: int | None
    new: int | None
    sign: str
    pieces: list[Piece]
    kind: Kind
    hunk: str | None = None


@dataclass(frozen=True)
class DiffRows:
    split: list[SplitRow]
    unified: list[UnifiedRow]
    changed: bool


def words(old: str, new: str) -> tuple[list[Piece], list[Piece]]:
    """Both lines as pieces, with the words that differ marked on each side."""
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    left: list[Piece] = []
    right: list[Piece] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if i2 > i1:
            left.append(("".join(a[i1:i2]), tag != "equal"))
        if j2 > j1:
            right.append(("".join(b[j1:j2]), tag != "equal"))
    return left, right


def diff_rows(old_text: str, new_text: str) -> DiffRows:
    a, b = old_text.splitlines(), new_text.splitlines()
    split: list[SplitRow] = []
    unified: list[UnifiedRow] = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for group in matcher.get_grouped_opcodes(CONTEXT):
        first, last = group[0], group[-1]
        heading = f"@@ -{first[1] + 1},{last[2] - first[1]} +{first[3] + 1},{last[4] - first[3]} @@"
        split.append(SplitRow(_EMPTY, _EMPTY, hunk=heading))
        unified.append(UnifiedRow(None, None, "", [], "same", hunk=heading))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                for k in range(i2 - i1):
                    line = [(a[i1 + k], False)]
                    split.append(SplitRow(Side(i1 + k + 1, line, "same"), Side(j1 + k + 1, line, "same")))
                    unified.append(UnifiedRow(i1 + k + 1, j1 + k + 1, " ", line, "same"))
                continue
            _changed(a, b, i1, i2, j1, j2, split, unified)
    return DiffRows(split, unified, changed=bool(split))


_EMPTY = Side(None, [], "empty")


def _changed(
    a: list[str],
    b: list[str],
    i1: int,
    i2: int,
    j1: int,
    j2: int,
    split: list[SplitRow],
    unified: list[UnifiedRow],
) -> None:
    """Rows for a replaced, deleted or inserted block: paired lines get their words compared."""
    count = max(i2 - i1, j2 - j1)
    olds: list[UnifiedRow] = []
    news: list[UnifiedRow] = []
    for k in range(count):
        has_old, has_new = i1 + k < i2, j1 + k < j2
        old_line = a[i1 + k] if has_old else ""
        new_line = b[j1 + k] if has_new else ""
        if has_old and has_new:
            left_pieces, right_pieces = words(old_line, new_line)
        else:
            left_pieces, right_pieces = [(old_line, False)], [(new_line, False)]
        left = Side(i1 + k + 1, left_pieces, "del") if has_old else _EMPTY
        right = Side(j1 + k + 1, right_pieces, "ins") if has_new else _EMPTY
        split.append(SplitRow(left, right))
        if has_old:
            olds.append(UnifiedRow(i1 + k + 1, None, "-", left_pieces, "del"))
        if has_new:
            news.append(UnifiedRow(None, j1 + k + 1, "+", right_pieces, "ins"))
    unified.extend(olds)
    unified.extend(news)
