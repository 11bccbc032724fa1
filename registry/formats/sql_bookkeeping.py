"""Rows that migration tools write into their own bookkeeping tables, told from data.

A schema dumped by a framework ends by recording which migrations built it: Rails' and Ecto's
``structure.sql`` with ``INSERT INTO "schema_migrations" (version) VALUES ...``, Laravel's schema
dump with ``INSERT INTO migrations VALUES (1, '..._create_users_table', 1)``. Those rows describe
the schema's own history, not its data, so they are accepted (with a warning naming the table).

A table is bookkeeping by what it is, whichever tool made it (see docs/formats/sql.md):

- its name says it records schema changes: one of its words is ``migration(s)``, or it ends in
  ``version(s)`` or ``schema_history`` (``schema_migrations``, ``django_migrations``,
  ``alembic_version``, ``flyway_schema_history``, ``__diesel_schema_migrations``);
- it is a log, not a part of the model: a primary key of one column, only text, integer, boolean
  and date/time columns, and no foreign key to or from it;
- the rows are constants in its own columns (``VALUES``, no query, no function call).
"""

from __future__ import annotations

import re

from sqlglot import exp

from registry.formats.sql_lookup import TableSet
from registry.formats.sql_tables import ForeignKey, Table, qualified

_WORDS = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")
_LOG_TYPES = (
    exp.DataType.TEXT_TYPES
    | exp.DataType.INTEGER_TYPES
    | exp.DataType.TEMPORAL_TYPES
    | {
        exp.DataType.Type.BOOLEAN,
        exp.DataType.Type.BIT,
        exp.DataType.Type.SERIAL,
        exp.DataType.Type.BIGSERIAL,
        exp.DataType.Type.SMALLSERIAL,
    }
)
_CONSTANTS = (exp.Literal, exp.Null, exp.Boolean)


def _names_schema_changes(name: str) -> bool:
    words = [word.lower() for word in _WORDS.findall(name)]
    return (
        any(word in ("migration", "migrations") for word in words)
        or words[-1:] in (["version"], ["versions"])
        or words[-2:] == ["schema", "history"]
    )


def _is_log(table: Table, foreign_keys: list[ForeignKey], tables: TableSet) -> bool:
    keys = [column for column in table.columns if column.primary_key]
    kinds_fit = all(c.data_type is None or c.data_type.this in _LOG_TYPES for c in table.columns)
    linked = any(
        fk.owner is table or tables.find(fk.target, fk.owner.namespace) is table for fk in foreign_keys
    )
    return len(keys) == 1 and kinds_fit and not linked


def _constant(value: exp.Expression) -> bool:
    return isinstance(value, _CONSTANTS) or (
        isinstance(value, exp.Neg) and isinstance(value.this, exp.Literal)
    )


def _rows_fit(insert: exp.Insert, table: Table) -> bool:
    target = insert.this
    named = [c.name for c in target.expressions] if isinstance(target, exp.Schema) else None
    if named is not None and any(table.find(name) is None for name in named):
        return False
    width = len(named) if named is not None else len(table.columns)
    rows = insert.expression
    if not isinstance(rows, exp.Values) or insert.args.get("conflict") or insert.args.get("returning"):
        return False
    return all(
        isinstance(row, exp.Tuple) and len(row.expressions) == width and all(map(_constant, row.expressions))
        for row in rows.expressions
    )


def bookkeeping_table(tree: object, tables: TableSet, foreign_keys: list[ForeignKey]) -> Table | None:
    """The migration bookkeeping table that the ``INSERT`` ``tree`` fills, or None when its rows
    are data (or the statement is not an ``INSERT`` sqlglot understands)."""
    if not isinstance(tree, exp.Insert):
        return None
    target = tree.this.this if isinstance(tree.this, exp.Schema) else tree.this
    if not isinstance(target, exp.Table):
        return None
    table = tables.find(qualified(target))
    if table is None or not _names_schema_changes(table.name):
        return None
    return table if _is_log(table, foreign_keys, tables) and _rows_fit(tree, table) else None
