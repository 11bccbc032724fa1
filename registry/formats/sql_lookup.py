"""Which table a name in a SQL script means, when tables may be qualified with a schema.

``auth.users`` and ``public.users`` are two tables. Where the dialect has a default schema
(``public`` in PostgreSQL, ``dbo`` in SQL Server...), an unqualified name is in it: ``users`` and
``public.users`` are one table. Elsewhere (MySQL, Oracle, SQLite, no dialect) the default is not
known from the script, and dump tools qualify inconsistently (created as ``users``, referenced
as ``db.users``), so a qualified name falls back to an unqualified table of that name, and an
unqualified name to the table in the referring table's schema, else to the only table of that
name. Names compare case-insensitively. See docs/formats/sql.md.
"""

from __future__ import annotations

from registry.formats.sql_tables import Name, Table

DEFAULT_SCHEMAS: dict[str | None, str] = {
    "postgres": "public",
    "redshift": "public",
    "materialize": "public",
    "risingwave": "public",
    "snowflake": "public",
    "duckdb": "main",
    "tsql": "dbo",
    "fabric": "dbo",
}


class TableSet:
    """The tables of a script in script order, found by (schema, name)."""

    def __init__(self, dialect: str | None) -> None:
        self.order: list[Table] = []
        self._named: dict[str, list[Table]] = {}  # folded name -> tables of that name
        self._default = DEFAULT_SCHEMAS.get(dialect)

    def __bool__(self) -> bool:
        return bool(self.order)

    def _schema(self, schema: str | None) -> str | None:
        """A schema as compared: folded, with the dialect's default for none."""
        return schema.lower() if schema else self._default

    def add(self, table: Table) -> Table | None:
        """Add ``table``, or return the table already defined with its schema and name."""
        same_name = self._named.setdefault(table.name.lower(), [])
        schema = self._schema(table.namespace)
        twin = next((t for t in same_name if self._schema(t.namespace) == schema), None)
        if twin is None:
            same_name.append(table)
            self.order.append(table)
        return twin

    def find(self, name: Name, near: str | None = None, *, besides: Table | None = None) -> Table | None:
        """The table ``name`` means in a statement about schema ``near``, other than ``besides``
        (a table cannot derive from itself); None when undefined or ambiguous."""
        schema, table_name = name
        candidates = [t for t in self._named.get(table_name.lower(), []) if t is not besides]
        in_schema = {self._schema(t.namespace): t for t in candidates}  # add() keeps them unique
        found = in_schema.get(self._schema(schema))
        if found is not None:
            return found
        if schema:  # only where an unqualified table's schema is unknown may it be this one
            return None if self._default else in_schema.get(None)
        found = in_schema.get(self._schema(near)) if near else None
        return found or (candidates[0] if len(candidates) == 1 else None)

    def schemas_of(self, name: str) -> list[str]:
        """The schemas that define a table called ``name``, when more than one does."""
        tables = self._named.get(name.lower(), [])
        return [t.namespace or "(none)" for t in tables] if len(tables) > 1 else []

    def label(self, table: Table) -> str:
        """How references to ``table`` are written: qualified only when its name alone is ambiguous."""
        shared = len(self._named.get(table.name.lower(), [])) > 1
        return f"{table.namespace}.{table.name}" if shared and table.namespace else table.name
