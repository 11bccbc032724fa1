"""What each statement of a SQL script is, judged by its first words (see docs/formats/sql.md)."""

from __future__ import annotations

import re

from sqlglot import exp

KINDS = frozenset(
    {
        "TABLE", "VIEW", "INDEX", "SEQUENCE", "FUNCTION", "PROCEDURE", "PROC", "TRIGGER", "TYPE",
        "DOMAIN", "SCHEMA", "DATABASE", "EXTENSION", "RULE", "AGGREGATE", "LANGUAGE", "PACKAGE",
        "SYNONYM", "EVENT", "POLICY", "ROLE", "USER", "SERVER", "COLLATION", "OPERATOR", "CAST",
        "TABLESPACE", "PUBLICATION", "SUBSCRIPTION", "STATISTICS", "CONVERSION", "TEXT",
    }
)  # fmt: skip
SYNONYM_KINDS = {"DATABASE": "SCHEMA", "PROC": "PROCEDURE"}
DATA_VERBS = frozenset(
    {"INSERT", "UPDATE", "DELETE", "MERGE", "TRUNCATE", "COPY", "REPLACE", "UPSERT", "LOAD"}
)
QUERY_VERBS = frozenset({"SELECT", "WITH", "VALUES", "EXPLAIN"})
SETTING_VERBS = frozenset(
    {
        "SET", "USE", "GRANT", "REVOKE", "COMMIT", "ROLLBACK", "START", "SAVEPOINT", "RELEASE",
        "PRAGMA", "LOCK", "UNLOCK", "ANALYZE", "VACUUM", "CHECKPOINT", "SHOW", "RESET", "DISCARD",
        "PRINT", "CONNECT", "SPOOL", "PROMPT", "WHENEVER", "EXIT", "QUIT", "REM", "REMARK",
        "DEFINE", "UNDEFINE", "SETUSER", "FLUSH", "COMMENT",
    }
)  # fmt: skip
OTHER_VERBS = frozenset(
    {
        "CREATE", "ALTER", "DECLARE", "BEGIN", "DO", "EXEC", "EXECUTE", "CALL", "IF", "RENAME",
        "REFRESH", "CLUSTER", "REINDEX", "SECURITY", "ATTACH", "DETACH", "IMPORT", "END", "RAISERROR",
        "DBCC", "OPTIMIZE", "CHECKSUM", "REPAIR", "INSTALL", "UNINSTALL", "WHILE", "GO",
    }
)  # fmt: skip
# Functions that only change session settings; dump tools call them through SELECT.
SETTING_FUNCTIONS = frozenset({"set_config"})
ALTER_DROPS = re.compile(
    r"\bDROP\s+(?:COLUMN|CONSTRAINT|FOREIGN\s+KEY|PRIMARY\s+KEY|INDEX|KEY|PARTITION)\b(?!\s+IF\s+EXISTS)",
    re.IGNORECASE,
)
DEFINES_KEYS = re.compile(r"\b(?:FOREIGN\s+KEY|PRIMARY\s+KEY|REFERENCES|ADD\s+COLUMN)\b", re.IGNORECASE)


def object_kind(head: tuple[str, ...]) -> tuple[str | None, str | None]:
    """The kind of object a CREATE/DROP head names, and the (unqualified) object name."""
    for index, word in enumerate(head[1:8], start=1):
        if word in KINDS and not (word == "TEXT" and head[index - 1] != "FULL"):
            kind = SYNONYM_KINDS.get(word, word)
            rest = list(head[index + 1 :])
            while rest[:1] and rest[0] in ("IF", "NOT", "EXISTS", "ONLY", "CONCURRENTLY", "BODY"):
                rest.pop(0)
            name = rest[0] if rest else None
            while len(rest) >= 3 and rest[1] == ".":
                rest = rest[2:]
                name = rest[0]
            return kind, name
    return None, None


def is_setting_query(tree: exp.Expression) -> bool:
    """A SELECT with no FROM whose every column is a call to a session-setting function."""
    if (
        not isinstance(tree, exp.Select)
        or tree.args.get("from") is not None
        or tree.args.get("from_") is not None
    ):
        return False
    for projection in tree.expressions:
        call = projection.expression if isinstance(projection, exp.Dot) else projection
        if not isinstance(call, exp.Func) or call.name.lower() not in SETTING_FUNCTIONS:
            return False
    return bool(tree.expressions)
