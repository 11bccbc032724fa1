"""The SQL dialect names the sql validator understands (sqlglot's, plus a few common aliases)."""

from __future__ import annotations

from functools import cache

# Names people commonly use for a database whose sqlglot dialect has another name.
DIALECT_ALIASES: dict[str, str] = {
    "postgresql": "postgres",
    "pg": "postgres",
    "cockroachdb": "postgres",
    "yugabytedb": "postgres",
    "mariadb": "mysql",
    "sqlserver": "tsql",
    "mssql": "tsql",
}


@cache
def sql_dialects() -> frozenset[str]:
    """Every dialect name the sql validator accepts: sqlglot's (imported here, on first use) and aliases."""
    from sqlglot.dialects.dialect import Dialects

    return frozenset(d.value for d in Dialects if d.value) | frozenset(DIALECT_ALIASES)


def check_dialect(name: str) -> bool:
    """Whether ``name`` is a dialect the sql validator accepts (case-insensitive)."""
    return name.lower() in sql_dialects()


def canonical_dialect(name: str | None) -> str | None:
    """The sqlglot dialect name for ``name``; ``None`` stays ``None`` (dialect-neutral)."""
    if name is None:
        return None
    lowered = name.lower()
    return DIALECT_ALIASES.get(lowered, lowered)
