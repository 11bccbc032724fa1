"""Statements that run only if an object exists: the guarded drops of generated scripts.

SQL Server's generated scripts (and hand-written T-SQL) have no ``DROP ... IF EXISTS`` before
2016, so they guard the drop instead::

    IF EXISTS (SELECT name FROM sys.databases WHERE name = N'Sales')
    BEGIN ... DROP DATABASE [Sales]; END
    IF OBJECT_ID(N'dbo.Orders', N'U') IS NOT NULL DROP TABLE dbo.Orders

Such a drop means the same as ``DROP ... IF EXISTS``. What makes a guard is its condition, not the
catalogue it reads: ``EXISTS (...)``, or any expression ``IS NOT NULL`` (``OBJECT_ID``, ``DB_ID``,
``SCHEMA_ID`` and the like are NULL for a missing object). It covers the one statement after it,
or its ``BEGIN ... END`` block. See docs/formats/sql.md.
"""

from __future__ import annotations

import re
from dataclasses import replace

from registry.formats.sql_split import Statement, split

_EXISTS = re.compile(r"IF\s+EXISTS\s*\(", re.IGNORECASE)
_NOT_NULL = re.compile(r"IF\b.*?\bIS\s+NOT\s+NULL\b", re.IGNORECASE | re.DOTALL)
_INLINE_DROP = re.compile(r"DROP\b", re.IGNORECASE)


def _condition_end(code: str) -> int | None:
    """Where an existence test at the start of an ``IF`` statement ends, or None if it is none."""
    exists = _EXISTS.match(code)
    if exists is not None:
        depth = 1
        for offset in range(exists.end(), len(code)):
            depth += {"(": 1, ")": -1}.get(code[offset], 0)
            if depth == 0:
                return offset + 1
        return None
    not_null = _NOT_NULL.match(code)
    return not_null.end() if not_null is not None else None


class Guards:
    """Follows existence guards through a script's statements, in order."""

    def __init__(self) -> None:
        self._next = False  # the next statement is guarded
        self._blocks = 0  # open BEGIN blocks of a guard

    def enter(self, st: Statement, code: str) -> int | None:
        """Read ``st`` (``code``: its text with strings and comments blanked) if it is an ``IF``
        statement; return the offset of a guarded ``DROP`` it contains itself, if any."""
        end = _condition_end(code) if st.head[:1] == ("IF",) else None
        if end is None:
            return None
        rest = code[end:]
        body = rest.lstrip()
        if body.upper() == "BEGIN":
            self._blocks += 1
        elif not body:
            self._next = True
        elif _INLINE_DROP.match(body):
            return end + len(rest) - len(body)
        return None

    def guarded(self, st: Statement) -> bool:
        """Whether ``st`` (not an ``IF``) runs only if the guard's object exists."""
        if self._next:
            self._next = False
            return True
        if not self._blocks:
            return False
        if st.head == ("BEGIN",):
            self._blocks += 1
        elif st.head[:1] == ("END",):
            self._blocks -= 1
        return True


def guarded_tail(st: Statement, offset: int, dialect: str | None) -> Statement:
    """The statement that starts at ``offset`` of ``st`` (an ``IF`` guard's own body)."""
    inner = split(st.text[offset:], dialect)[0][0]
    line, column = st.at_offset(offset)
    return replace(inner, offset=st.offset + offset, line=line, column=column)
