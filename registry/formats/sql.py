"""SQL DDL scripts in many dialects: tables, columns and keys become entities.

Statements are split the way database clients split them (:mod:`sql_split`), classified by their
first words (:mod:`sql_statements`), and parsed with sqlglot. Table definitions must parse; other
objects sqlglot cannot parse are skipped with a warning; data statements and DROPs are refused.
See docs/formats/sql.md.
"""

from __future__ import annotations

import re
from itertools import pairwise
from typing import Any

import sqlglot
from sqlglot import TokenType, exp
from sqlglot.errors import ParseError, SqlglotError

from registry.formats.base import Problems, ValidationResult
from registry.formats.limits import DEFAULT_LIMITS, Limits
from registry.formats.sql_bookkeeping import bookkeeping_table
from registry.formats.sql_dialects import canonical_dialect, check_dialect
from registry.formats.sql_guards import Guards, guarded_tail
from registry.formats.sql_model import Document
from registry.formats.sql_split import Statement, split
from registry.formats.sql_statements import (
    ALTER_DROPS,
    DATA_VERBS,
    DEFINES_KEYS,
    OTHER_VERBS,
    QUERY_VERBS,
    SETTING_VERBS,
    is_setting_query,
    object_kind,
)

_SQLITE_TYPE_WORDS = re.compile(
    r"(?im)((?:^|[(,])\s*(?!CREATE\b|CONSTRAINT\b|PRIMARY\b|FOREIGN\b|UNIQUE\b|CHECK\b)[\w\"`]+\s+)"
    r"([A-Za-z_]\w*(?: +(?!(?:DEFAULT|NOT|NULL|PRIMARY|UNIQUE|CHECK|REFERENCES|COLLATE"
    r"|GENERATED|AS|CONSTRAINT|ON|AUTOINCREMENT)\b)[A-Za-z_]\w*)+)"
)
_OWNERSHIP = re.compile(r"\bOWNER\s+TO\b|\bOWNED\s+BY\b", re.IGNORECASE)
_STRINGS_AND_COMMENTS = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|--[^\n]*|/\*.*?\*/", re.DOTALL)
_CLUSTERED = re.compile(r"\b(?:NON)?CLUSTERED\b", re.IGNORECASE)
# Column and constraint attributes that sqlglot cannot parse and that change nothing an entity
# shows: Oracle's constraint states (every SQL Developer export has `NOT NULL ENABLE`), SQL
# Server's ROWGUIDCOL, Redshift's column DISTKEY/SORTKEY and MySQL's `SRID n`. They are read as
# blanks, so positions stay; a word that starts a column (a column named `enable`) is kept.
_IGNORED_ATTRIBUTES: dict[str | None, frozenset[str]] = {
    "oracle": frozenset({"ENABLE", "DISABLE", "VALIDATE", "NOVALIDATE", "RELY", "NORELY", "VIRTUAL"}),
    "tsql": frozenset({"ROWGUIDCOL"}),
    "redshift": frozenset({"DISTKEY", "SORTKEY"}),
    "mysql": frozenset({"SRID"}),
}
_NAME_GOES_AFTER = frozenset(
    {",", "(", ".", "TABLE", "ONLY", "REFERENCES", "CONSTRAINT", "ADD", "COLUMN", "MODIFY", "DEFAULT", "AS"}
)


def validate(text: str, *, dialect: str | None = None, limits: Limits = DEFAULT_LIMITS) -> ValidationResult:
    """Validate a SQL DDL script and extract its tables as entities."""
    problems = Problems(limits)
    if dialect is not None and not check_dialect(dialect):
        problems.error(f"unknown SQL dialect {dialect!r}")
        return problems.result()
    read = canonical_dialect(dialect)
    statements, markers = split(text, read)
    if len(statements) > limits.max_sql_statements:
        problems.error(f"more than {limits.max_sql_statements} statements", 1, 1)
        return problems.result()
    if markers.unclosed_dollar is not None:  # psql would wait for its end for ever
        tag, line, column = markers.unclosed_dollar
        problems.error(f"the dollar quote {tag} opened here is never closed", line, column)
    checker = _Checker(read, problems)
    for index, statement in enumerate(statements):
        checker.statement(index, statement)
    entities = checker.document.finish(problems, first_line=statements[0].line if statements else 1)
    checker.inserts_checked()
    if read is None:
        checker.warn_neutral(markers.go, markers.slash, markers.delimiter)
    return problems.result(entities)


_IF_EXISTS = re.compile(r"\bIF\s+EXISTS\s+(.*)", re.IGNORECASE | re.DOTALL)
_DROP_TAIL = re.compile(r"\s(ON|CASCADE|RESTRICT)\b.*", re.IGNORECASE | re.DOTALL)


def _dropped_names(text: str) -> list[str]:
    """The unqualified names after ``IF EXISTS`` in a DROP sqlglot does not parse (``a, b``)."""
    found = _IF_EXISTS.search(text)
    if found is None:
        return []
    names = _DROP_TAIL.sub("", found.group(1))
    while "(" in names:  # argument lists: DROP AGGREGATE IF EXISTS a(int, text)
        stripped = re.sub(r"\([^()]*\)", "", names)
        if stripped == names:
            break
        names = stripped
    return [part.strip().split(".")[-1].strip('"`[]') for part in names.split(",") if part.strip()]


def _code(text: str) -> str:
    """``text`` with its strings and comments blanked, offsets kept: what words it really has."""
    return _STRINGS_AND_COMMENTS.sub(lambda m: " " * len(m.group()), text)


def _owns(text: str) -> bool:
    """Whether an ALTER statement sets who owns an object (``OWNER TO``, ``OWNED BY``), outside
    its strings and comments (``ADD VALUE 'OWNER TO'`` does not)."""
    return _OWNERSHIP.search(_code(text)) is not None


def _blank_attributes(text: str, words: frozenset[str] | None, dialect: str | None, *, depth: int) -> str:
    """``text`` with each of ``words`` that is an attribute (see ``_IGNORED_ATTRIBUTES``) blanked.

    Only words directly inside the item list (parenthesis ``depth``: 1 for ``CREATE TABLE``, 0 or
    1 for ``ALTER TABLE``) and not where a name goes (after ``,`` ``(`` ``.`` ``TABLE``
    ``REFERENCES`` ``CONSTRAINT`` ...) count; strings and quoted names never do (their source text
    is not the bare word). ``SRID`` counts only before its number.
    """
    if not words or not any(word in text.upper() for word in words):
        return text
    try:
        tokens = sqlglot.Dialect.get_or_raise(dialect).tokenize(text)
    except SqlglotError:
        return text  # the parse reports it
    spans: list[tuple[int, int]] = []
    level = 0
    for index, token in enumerate(tokens):
        if token.token_type == TokenType.L_PAREN:
            level += 1
        elif token.token_type == TokenType.R_PAREN:
            level -= 1
        word = text[token.start : token.end + 1].upper()
        if word not in words or not (level == depth or (depth == 0 and level == 1)) or index == 0:
            continue
        if tokens[index - 1].text.upper() in _NAME_GOES_AFTER:
            continue  # the word names a column, a table or a constraint
        after = tokens[index + 1] if index + 1 < len(tokens) else None
        if word in ("DISTKEY", "SORTKEY") and after is not None and after.token_type == TokenType.L_PAREN:
            continue  # the table-level form, `DISTKEY (id)`, parses
        if word == "SRID":
            if after is None or after.token_type != TokenType.NUMBER:
                continue
            spans.append((after.start, after.end + 1))  # blanked on its own: a newline between stays
        spans.append((token.start, token.end + 1))
    for begin, end_ in sorted(spans, reverse=True):
        text = text[:begin] + " " * (end_ - begin) + text[end_:]
    return text


class _Checker:
    def __init__(self, dialect: str | None, problems: Problems) -> None:
        self.dialect = dialect
        self.problems = problems
        self.document = Document(dialect)
        self.neutral_hint: int | None = None  # first line where parsing without a dialect lost something
        self.guards = Guards()
        self.inserts: list[Statement] = []  # judged once every table is known (sql_bookkeeping)

    def statement(self, index: int, st: Statement) -> None:
        if st.meta or not st.head:
            return
        verb = st.head[0]
        guarded = verb != "IF" and self.guards.guarded(st)
        kind, name = object_kind(st.head) if verb in ("CREATE", "DROP") else (None, None)
        if verb == "CREATE" and kind == "TABLE":
            self.table(index, st)
        elif verb == "CREATE":
            self.document.created(index, kind, name)
            self.other(st, kind or "CREATE")
        elif verb == "DROP":
            self.drop(index, st, kind, guarded=guarded)
        elif verb == "IF" and (inline := self.guards.enter(st, _code(st.text))) is not None:
            drop = guarded_tail(st, inline, self.dialect)
            self.drop(index, drop, object_kind(drop.head)[0], guarded=True)
        elif verb == "INSERT":
            self.inserts.append(st)
        elif verb == "ALTER" and st.head[1:2] == ("TABLE",):
            self.alter(st)
        elif verb == "ALTER" and (st.head[1:3] == ("DEFAULT", "PRIVILEGES") or _owns(st.text)):
            return  # who owns or may use an object (pg_dump writes one per object): no structure
        elif verb in DATA_VERBS:
            self.problems.error(
                f"{verb} changes data; a schema document only defines structure", st.line, st.column
            )
        elif verb in QUERY_VERBS:
            tree = self.parse_one(st)
            if not (isinstance(tree, exp.Expression) and is_setting_query(tree)):
                self.problems.error(
                    f"{verb} reads data; a schema document only defines structure", st.line, st.column
                )
        elif verb in SETTING_VERBS or (verb == "BEGIN" and len(st.head) == 1):
            return
        elif verb in OTHER_VERBS:
            self.other(st, verb)
        else:
            self.problems.error(f"unrecognized statement starting with {verb!r}", st.line, st.column)

    def parse_one(self, st: Statement, text: str | None = None) -> exp.Expression | ParseError | SqlglotError:
        try:
            trees = [t for t in sqlglot.parse(text or st.text, read=self.dialect) if t is not None]
        except ParseError as exc:
            return exc
        except SqlglotError as exc:  # tokenizer errors: unterminated strings and the like
            return exc
        if len(trees) != 1 or not isinstance(trees[0], exp.Expression):
            return SqlglotError("expected one statement")
        return trees[0]

    def parse_error(self, st: Statement, exc: SqlglotError, what: str) -> None:
        details = exc.errors if isinstance(exc, ParseError) else []
        if not details:
            self.problems.error(f"{what}: {exc}", st.line, st.column)
        for detail in details[:3]:
            near = detail.get("highlight") or ""
            col = detail.get("col")
            if isinstance(col, int) and near and "\n" not in near and col >= len(near):
                col -= len(near) - 1  # sqlglot gives the token's last column; point at its first
            line, column = st.absolute(detail.get("line"), col)
            self.problems.error(f"{what}: {detail.get('description')} near {near!r}", line, column)

    def table(self, index: int, st: Statement) -> None:
        self.document.table_statements += 1
        text = (
            _CLUSTERED.sub(lambda m: " " * len(m.group()), st.text)
            if self.dialect in (None, "tsql")
            else st.text
        )
        if not self.commas_checked(st, text):
            return
        text = _blank_attributes(text, _IGNORED_ATTRIBUTES.get(self.dialect), self.dialect, depth=1)
        tree = self.parse_one(st, text)
        if isinstance(tree, ParseError) and self.dialect == "sqlite":
            # SQLite takes any run of names as a type ("BLOB SUB_TYPE TEXT"); join them into one.
            joined = _SQLITE_TYPE_WORDS.sub(lambda m: m.group(1) + m.group(2).replace(" ", "_"), text)
            retry = self.parse_one(st, joined) if joined != text else tree
            tree = tree if isinstance(retry, SqlglotError) else retry
        if isinstance(tree, exp.Command) or (
            isinstance(tree, SqlglotError) and not isinstance(tree, ParseError)
        ):
            tree = self.column_list_only(st, text, tree)
        if isinstance(tree, SqlglotError):
            self.parse_error(st, tree, "table definition does not parse")
            return
        if not isinstance(tree, exp.Create):
            self.problems.error("table definition does not parse", st.line, st.column)
            return
        self.document.add_table(index, tree, st, self.problems)
        if (
            self.dialect is None
            and tree.find(exp.DataType)
            and any(d.this == exp.DataType.Type.USERDEFINED for d in tree.find_all(exp.DataType))
        ):
            self.neutral_hint = self.neutral_hint or st.line

    def commas_checked(self, st: Statement, text: str) -> bool:
        """sqlglot silently skips empty list items (`a INT,, b INT`); databases refuse them."""
        try:
            tokens = sqlglot.Dialect.get_or_raise(self.dialect).tokenize(text)
        except SqlglotError as exc:
            self.parse_error(st, exc, "table definition does not parse")
            return False
        for before, after in pairwise(tokens):
            empty = (
                before.token_type in (TokenType.COMMA, TokenType.L_PAREN)
                and after.token_type == TokenType.COMMA
            )
            trailing = before.token_type == TokenType.COMMA and after.token_type == TokenType.R_PAREN
            if empty or (trailing and self.dialect != "tsql"):
                line, column = st.absolute(after.line, after.col)
                self.problems.error("table definition does not parse: empty item in a list", line, column)
                return False
        return True

    def column_list_only(self, st: Statement, text: str, failed: Any) -> Any:
        """Parse up to the end of the column list when sqlglot does not know the table options after it."""
        depth, close = 0, -1
        for match in re.finditer(r"'(?:[^']|'')*'|\"[^\"]*\"|[()]", text):
            if match.group() == "(":
                depth += 1
            elif match.group() == ")":
                depth -= 1
                if depth == 0:
                    close = match.end()
                    break
        if close < 0 or not text[close:].strip():
            return failed if isinstance(failed, SqlglotError) else ParseError("unsupported table syntax")
        tree = self.parse_one(st, text[:close])
        if isinstance(tree, exp.Create):
            line, column = st.at_offset(close + len(text[close:]) - len(text[close:].lstrip()))
            rest = " ".join(text[close:].split())[:60]
            self.problems.warn(
                f"table options not understood by sqlglot were ignored: {rest!r}", line, column
            )
        return tree

    def alter(self, st: Statement) -> None:
        drops = list(ALTER_DROPS.finditer(_code(st.text)))
        for dropped in drops:
            self.problems.error(
                f"ALTER TABLE ... {' '.join(dropped.group().upper().split())} removes a definition;"
                " a schema document only defines them",
                *st.at_offset(dropped.start()),
            )
        if drops:
            return
        text = _blank_attributes(st.text, _IGNORED_ATTRIBUTES.get(self.dialect), self.dialect, depth=0)
        tree = self.parse_one(st, text)
        if isinstance(tree, exp.Alter):
            self.document.alters.append((tree, st))
        elif DEFINES_KEYS.search(st.text):
            if isinstance(tree, SqlglotError):
                self.parse_error(st, tree, "ALTER TABLE defining keys or columns does not parse")
            else:
                self.problems.error(
                    "ALTER TABLE defining keys or columns is not understood by sqlglot", st.line, st.column
                )
        elif not _owns(st.text):
            self.skipped(st, "ALTER TABLE")

    def drop(self, index: int, st: Statement, kind: str | None, *, guarded: bool = False) -> None:
        tree = self.parse_one(st)
        if guarded:  # `IF EXISTS (...) DROP x` (sql_guards): as `DROP x IF EXISTS`
            exists = True
        elif isinstance(tree, exp.Drop):
            exists = bool(tree.args.get("exists"))
        elif isinstance(tree, exp.Command):  # a kind sqlglot only passes through (DROP EXTENSION,
            # DOMAIN, POLICY...): read the words
            exists = any(st.head[i : i + 2] == ("IF", "EXISTS") for i in range(1, min(len(st.head), 6)))
        else:  # it does not parse at all: refused as any other DROP
            exists = False
        if not exists:
            self.problems.error(
                "DROP removes objects; a schema document only defines them", st.line, st.column
            )
            return
        tables = (tree.args.get("tables") or [tree.this]) if isinstance(tree, exp.Drop) else []
        names = [t.name for t in tables if isinstance(t, exp.Expression) and t.name]
        if not names:
            names = _dropped_names(st.text)
        self.document.drops.append((index, kind, names, st))

    def inserts_checked(self) -> None:
        """Refuse each INSERT but those into migration bookkeeping tables (see sql_bookkeeping)."""
        for st in self.inserts:
            table = bookkeeping_table(self.parse_one(st), self.document.tables, self.document.foreign_keys)
            if table is None:
                self.problems.error(
                    "INSERT changes data; a schema document only defines structure", st.line, st.column
                )
            else:
                self.problems.warn(
                    f"INSERT into {table.name!r} accepted: it records migrations (a bookkeeping table),"
                    " it is not data of the schema",
                    st.line,
                    st.column,
                )

    def other(self, st: Statement, what: str) -> None:
        tree = self.parse_one(st)
        if isinstance(tree, exp.Create) and tree.kind == "TYPE" and isinstance(tree.expression, exp.DataType):
            self.document.add_type(tree)
        if isinstance(tree, (SqlglotError, exp.Command)):
            self.skipped(st, what)

    def skipped(self, st: Statement, what: str) -> None:
        self.problems.warn(f"{what} statement skipped: sqlglot cannot parse it", st.line, st.column)
        if self.dialect is None:
            self.neutral_hint = self.neutral_hint or st.line

    def warn_neutral(self, go: int | None, slash: int | None, delimiter: int | None) -> None:
        hints = [
            (line, name) for line, name in ((go, "tsql"), (slash, "oracle"), (delimiter, "mysql")) if line
        ]
        if hints:
            line, name = min(hints)
            message = (
                f"no dialect given: parsed dialect-neutrally, but this looks like {name}; set the dialect"
            )
            self.problems.warn(message, line, 1)
        elif self.neutral_hint is not None:
            message = (
                "no dialect given: parsed dialect-neutrally, so some types or statements were not understood"
            )
            self.problems.warn(message, self.neutral_hint, 1)
