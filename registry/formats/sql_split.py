"""Splitting a SQL script into statements the way database clients do.

Handles what dump tools and hand-written scripts contain: comments, quoted strings and identifiers,
PostgreSQL dollar quotes, batch separators (``GO`` lines for SQL Server, a lone ``/`` for Oracle),
the MySQL client's ``DELIMITER`` command, psql meta-commands, and procedural bodies whose inner
semicolons do not end the statement (``BEGIN ... END`` blocks).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

MYSQL_LIKE = frozenset({"mysql", "doris", "starrocks", "singlestore"})
BRACKET_QUOTES = frozenset({"tsql", "fabric"})

_GO = re.compile(r"[ \t]*GO(?:[ \t]+\d+)?[ \t]*;?[ \t]*(?:--[^\n]*)?(?=\n|$)", re.IGNORECASE)
_SLASH = re.compile(r"[ \t]*/[ \t]*(?=\n|$)")
_DELIMITER = re.compile(r"[ \t]*DELIMITER[ \t]+(\S+)[ \t]*(?=\n|$)", re.IGNORECASE)
_META = re.compile(r"[ \t]*\\[^\n]*")
_TOKEN = re.compile(
    r"""(?P<ws>\s+)
    |(?P<line_comment>--[^\n]*)
    |(?P<hash_comment>\#[^\n]*)
    |(?P<block_comment>/\*)
    |(?P<squote>(?:[EeNnBbXxUu]&?)?')
    |(?P<dquote>")
    |(?P<bquote>`)
    |(?P<bracket>\[)
    |(?P<dollar>\$(?:[A-Za-z_][A-Za-z_0-9]*)?\$)
    |(?P<word>[A-Za-z_][A-Za-z_0-9$\#@]*)
    |(?P<other>.)""",
    re.VERBOSE | re.DOTALL,
)
_NOT_A_BLOCK_AFTER_BEGIN = re.compile(
    r"\s*(?:;|$|TRANSACTION\b|WORK\b|TRAN\b|DEFERRED\b|IMMEDIATE\b|EXCLUSIVE\b|ISOLATION\b|DISTRIBUTED\b)",
    re.IGNORECASE,
)
_END_OF_NON_BLOCK = re.compile(r"\s+(?:IF|LOOP|WHILE|REPEAT|FOR)\b", re.IGNORECASE)
PROCEDURAL_KINDS = frozenset({"TRIGGER", "FUNCTION", "PROCEDURE", "PROC", "PACKAGE", "EVENT", "BODY"})
# Kinds of objects that are not code (TYPE is handled apart: Oracle has TYPE BODY).
_OTHER_KINDS = frozenset(
    {"TABLE", "VIEW", "INDEX", "SEQUENCE", "SCHEMA", "DOMAIN", "EXTENSION", "DATABASE", "SYNONYM"}
)
HEAD_WORDS = 12
BATCH_STARTERS = frozenset(
    {
        "CREATE",
        "ALTER",
        "DROP",
        "INSERT",
        "DELETE",
        "MERGE",
        "TRUNCATE",
        "GRANT",
        "REVOKE",
        "USE",
        "EXEC",
        "EXECUTE",
    }
)


@dataclass(frozen=True)
class Statement:
    """One statement: its text (no terminator) and where it starts in the script."""

    text: str
    offset: int
    line: int
    column: int
    head: tuple[str, ...]  # first words and quoted names, upper-cased words, '.' between name parts
    meta: bool = False  # a client command (psql backslash command), not SQL

    def absolute(self, line: int | None, column: int | None) -> tuple[int, int | None]:
        """A position inside the statement's text (1-based), made relative to the whole script."""
        if not line:
            return self.line, self.column
        if line == 1 and column is not None:
            return self.line, self.column + column - 1
        return self.line + line - 1, column

    def at_offset(self, offset: int) -> tuple[int, int]:
        """Where the character at ``offset`` of the statement's text is in the whole script."""
        before = self.text[:offset]
        line, column = self.absolute(before.count("\n") + 1, offset - before.rfind("\n"))
        return line, column if column is not None else 1


@dataclass(frozen=True)
class Markers:
    """Client syntax seen while splitting, for guessing a dialect when none is given, and a
    dollar quote never closed (its tag, line and column): the rest of the script is inside it."""

    go: int | None = None
    slash: int | None = None
    delimiter: int | None = None
    unclosed_dollar: tuple[str, int, int] | None = None


def is_procedural(head: tuple[str, ...]) -> bool:
    if not head:
        return False
    if head[0] in ("BEGIN", "DECLARE", "DO"):
        return True
    if head[0] not in ("CREATE", "ALTER"):
        return False
    words = head[1:6]
    for index, word in enumerate(words):  # the kind comes before the name: a table may be Event
        if word == "TYPE":  # Oracle's TYPE BODY is code; any other type is a name's definition
            return words[index + 1 : index + 2] == ("BODY",)
        if word in PROCEDURAL_KINDS:
            return True
        if word in _OTHER_KINDS:
            return False
    return False


class _Splitter:
    def __init__(self, text: str, dialect: str | None) -> None:
        self.text = text
        self.dialect = dialect
        self.statements: list[Statement] = []
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
        # Oracle scripts end PL/SQL blocks with a lone "/": then such blocks end only there.
        self.slash_script = bool(re.search(r"(?m)^[ \t]*/[ \t]*$", text))
        self.go_script = dialect in BRACKET_QUOTES or bool(re.search(r"(?im)^[ \t]*GO[ \t]*$", text))
        self.markers = Markers()
        self.delimiter = ";"
        self._reset(0)

    def _reset(self, pos: int) -> None:
        self.start: int | None = None
        self.head: list[str] = []
        self.depth = 0
        self.parens = 0
        self.pos = pos

    def _position(self, offset: int) -> tuple[int, int]:
        lo, hi = 0, len(self.line_starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.line_starts[mid] <= offset:
                lo = mid
            else:
                hi = mid - 1
        return lo + 1, offset - self.line_starts[lo] + 1

    def _emit(self, end: int, *, meta: bool = False) -> None:
        if self.start is not None and self.text[self.start : end].strip():
            line, column = self._position(self.start)
            self.statements.append(
                Statement(
                    self.text[self.start : end].rstrip(), self.start, line, column, tuple(self.head), meta
                )
            )

    def run(self) -> list[Statement]:
        text = self.text
        at_line_start = True
        while self.pos < len(text):
            if at_line_start and self._line_command():
                continue
            at_line_start = False
            if self.delimiter != ";" and text.startswith(self.delimiter, self.pos):
                self._emit(self.pos)
                self._reset(self.pos + len(self.delimiter))
                continue
            match = _TOKEN.match(text, self.pos)
            assert match is not None  # the pattern matches any character
            kind = match.lastgroup
            self.pos = match.end()
            if kind == "ws":
                at_line_start = "\n" in match.group()
                continue
            if kind == "line_comment" or (kind == "hash_comment" and self._hash_is_comment(match.start())):
                continue
            if kind == "block_comment":
                self.pos = self._skip_block_comment(self.pos)
                continue
            if self.start is None:
                self.start = match.start()
            self._token(kind or "other", match)
        self._emit(len(text))
        return self.statements

    def _hash_is_comment(self, offset: int) -> bool:
        if self.dialect in MYSQL_LIKE:
            return True
        line_start = self.text.rfind("\n", 0, offset) + 1
        return self.dialect is None and not self.text[line_start:offset].strip()

    def _line_command(self) -> bool:
        """Client commands that occupy a whole line; only recognized between statements or tokens."""
        text, pos = self.text, self.pos
        for pattern, kind in ((_GO, "go"), (_SLASH, "slash")):
            match = pattern.match(text, pos)
            if match and (kind == "slash" or self.go_script):
                self.markers = Markers(**{**self.markers.__dict__, kind: self._position(pos)[0]})
                self._emit(pos)
                self._reset(match.end())
                return True
        match = _DELIMITER.match(text, pos)
        if match and self.start is None:
            self.markers = Markers(**{**self.markers.__dict__, "delimiter": self._position(pos)[0]})
            self.delimiter = match.group(1)
            self._reset(match.end())
            return True
        match = _META.match(text, pos)
        if match and self.start is None and self.dialect in (None, "postgres"):
            self.start = pos + (len(match.group()) - len(match.group().lstrip()))
            self._emit(match.end(), meta=True)
            self._reset(match.end())
            return True
        return False

    def _skip_block_comment(self, pos: int) -> int:
        depth = 1
        while depth:
            match = re.compile(r"/\*|\*/").search(self.text, pos)
            if match is None:
                return len(self.text)
            depth += 1 if match.group() == "/*" else -1
            pos = match.end()
        return pos

    def _skip_quoted(self, pos: int, close: str, backslash: bool) -> int:
        text = self.text
        while True:
            end = text.find(close, pos)
            if end < 0:
                return len(text)
            if backslash:
                slashes = len(text[pos:end]) - len(text[pos:end].rstrip("\\"))
                if slashes % 2:
                    pos = end + 1
                    continue
            if text.startswith(close * 2, end) and close != "$":
                pos = end + 2
                continue
            return end + len(close)

    def _token(self, kind: str, match: re.Match[str]) -> None:
        lexeme = match.group()
        if kind == "squote":
            backslash = self.dialect in MYSQL_LIKE or lexeme[0] in "Ee"
            self.pos = self._skip_quoted(self.pos, "'", backslash)
        elif kind in ("dquote", "bquote"):
            self.pos = self._skip_quoted(self.pos, lexeme, False)
            self._head(self.text[match.start() + 1 : self.pos - 1])
        elif kind == "bracket" and (self.dialect is None or self.dialect in BRACKET_QUOTES):
            self.pos = self._skip_quoted(self.pos, "]", False)
            self._head(self.text[match.start() + 1 : self.pos - 1])
        elif kind == "dollar" and self.dialect in (None, "postgres", "materialize", "risingwave", "redshift"):
            end = self.text.find(lexeme, self.pos)
            if end < 0 and self.markers.unclosed_dollar is None:
                self.markers = replace(self.markers, unclosed_dollar=(lexeme, *self._position(match.start())))
            self.pos = len(self.text) if end < 0 else end + len(lexeme)
        elif kind == "word":
            self._word(lexeme.upper())
        elif lexeme == ";" and self.delimiter == ";":
            self._semicolon(match.start())
        elif lexeme == "(":
            self.parens += 1
        elif lexeme == ")":
            self.parens = max(0, self.parens - 1)
        elif lexeme == "." and len(self.head) < HEAD_WORDS:
            self.head.append(".")

    def _head(self, name: str) -> None:
        if len(self.head) < HEAD_WORDS:
            self.head.append(name)

    def _word(self, word: str) -> None:
        # SQL Server batches need no semicolons: a statement keyword opening a line starts anew.
        starts = self.go_script and self.parens == 0 and word in BATCH_STARTERS and self._first_on_line()
        if starts and self.start is not None and self.head and not is_procedural(tuple(self.head)):
            offset = self.pos - len(word)
            self._emit(offset)
            self._reset(self.pos)
            self.start = offset
        self._head(word)
        if not is_procedural(tuple(self.head)) or self.slash_script:
            return
        if (word == "BEGIN" and not _NOT_A_BLOCK_AFTER_BEGIN.match(self.text, self.pos)) or (
            word == "CASE" and self.depth
        ):
            self.depth += 1
        elif word == "END" and not _END_OF_NON_BLOCK.match(self.text, self.pos):
            self.depth = max(0, self.depth - 1)

    def _first_on_line(self) -> bool:
        offset = self.pos
        while offset > 0 and (self.text[offset - 1].isalnum() or self.text[offset - 1] == "_"):
            offset -= 1
        line_start = self.text.rfind("\n", 0, offset) + 1
        return not self.text[line_start:offset].strip()

    def _semicolon(self, offset: int) -> None:
        procedural = is_procedural(tuple(self.head))
        if procedural and (self.slash_script or self.go_script or self.depth > 0):
            return
        self._emit(offset)
        self._reset(offset + 1)


def split(text: str, dialect: str | None) -> tuple[list[Statement], Markers]:
    """The statements of ``text`` in order, and the client syntax markers seen."""
    splitter = _Splitter(text, dialect)
    statements = splitter.run()
    return statements, splitter.markers
