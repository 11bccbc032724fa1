"""Which table a name in a SQL script means, when tables may be qualified with a schema.

``auth.users`` and ``public.users`` are two tables. Dump tools qualify inconsistently (a table
created as ``users`` and referenced as ``public.users``), so a name finds, in order: the table with
exactly that schema; else an unqualified table of that name; and for an unqualified name, the
table in the schema of the statement that refers to it, else the only table of that name. Names
compare case-insensitively.
"""

from __future__ import annotations

from registry.formats.sql_tables import Name, Table


def _folded(schema: str | None) -> str | None:
    return schema.lower() if schema else None


class TableSet:
    """The tables of a script in script order, found by (schema, name)."""

    def __init__(self) -> None:
        self.order: list[Table] = []
        self._named: dict[str, list[Table]] = {}  # folded name -> tables of that name

    def __bool__(self) -> bool:
        return bool(self.order)

    def add(self, table: Table) -> Table | None:
        """Add ``table``, or return the table already defined with its schema and name."""
        same_name = self._named.setdefault(table.name.lower(), [])
        schema = _folded(table.namespace)
        twin = next((t for t in same_name if _folded(t.namespace) == schema), None)
        if twin is None:
            same_name.append(table)
            self.order.append(table)
        return twin

    def find(self, name: Name, near: str | None = None) -> Table | None:
        """The table ``name`` means in a statement about schema ``near`` (None: undefined or ambiguous)."""
        schema, table_name = name
        candidates = self._named.get(table_name.lower(), [])
        in_schema = {_folded(t.namespace): t for t in candidates}  # add() keeps schemas unique
        if schema:
            return in_schema.get(_folded(schema)) or in_schema.get(None)
        found = in_schema.get(None) or (in_schema.get(_folded(near)) if near else None)
        return found or (candidates[0] if len(candidates) == 1 else None)

    def schemas_of(self, name: str) -> list[str]:
        """The schemas that define a table called ``name``, when more than one does."""
        tables = self._named.get(name.lower(), [])
        return [t.namespace or "(none)" for t in tables] if len(tables) > 1 else []

    def label(self, table: Table) -> str:
        """How references to ``table`` are written: qualified only when its name alone is ambiguous."""
        shared = len(self._named.get(table.name.lower(), [])) > 1
        return f"{table.namespace}.{table.name}" if shared and table.namespace else table.name
