"""The schema a SQL script builds up: tables, keys, enum types, created and dropped objects."""

from __future__ import annotations

import copy
from typing import Any

from sqlglot import exp

from registry.formats.base import Problems
from registry.formats.sql_lookup import TableSet
from registry.formats.sql_split import Statement
from registry.formats.sql_tables import (
    ForeignKey,
    Name,
    Table,
    apply_constraint,
    located,
    qualified,
    read_create,
    table_entity,
)


def _written(name: Name) -> str:
    schema, table = name
    return f"{schema}.{table}" if schema else table


class Document:
    def __init__(self, dialect: str | None) -> None:
        self.dialect = dialect
        self.tables = TableSet(dialect)
        self.table_statements = 0
        self.foreign_keys: list[ForeignKey] = []
        self.enums: dict[str, list[str]] = {}
        self.created_objects: list[tuple[int, str | None, str]] = []
        self.drops: list[tuple[int, str | None, list[str], Statement]] = []
        self.alters: list[tuple[exp.Alter, Statement]] = []

    def created(self, index: int, kind: str | None, name: str | None) -> None:
        if name is not None:
            self.created_objects.append((index, kind, name.lower()))

    def add_type(self, tree: exp.Create) -> None:
        data_type = tree.expression
        target = tree.this
        if (
            isinstance(data_type, exp.DataType)
            and data_type.this == exp.DataType.Type.ENUM
            and target is not None
        ):
            values = [e.name for e in data_type.expressions if isinstance(e, exp.Literal)]
            self.enums[target.name.lower()] = values

    def add_table(self, index: int, tree: exp.Create, st: Statement, problems: Problems) -> None:
        where = located(st.at_offset, (st.line, st.column))
        table, foreign_keys, faults = read_create(tree, self.dialect, st.line, st.column, where)
        for what, name, line, column in faults:
            problems.error(f"column {name!r} {what} {table.name!r}", line, column, f"{table.name}.{name}")
        first = self.tables.add(table)
        if first is not None:
            written = _written((table.namespace, table.name))
            problems.error(
                f"table {written!r} is defined twice (first on line {first.line})",
                st.line,
                st.column,
                written,
            )
            return
        self.foreign_keys.extend(foreign_keys)
        self.created(index, "TABLE", table.name)

    def finish(self, problems: Problems, *, first_line: int) -> list[dict[str, Any]]:
        self._apply_alters(problems)
        self._inherit(problems)
        self._check_drops(problems)
        if not self.tables:
            if not self.table_statements:
                problems.error("the script defines no table", first_line, 1)
            return []
        references = self._check_foreign_keys(problems)
        return [table_entity(table, references, self.enums, self.dialect) for table in self.tables.order]

    def _apply_alters(self, problems: Problems) -> None:
        for tree, st in self.alters:
            name = qualified(tree.this)
            table = self.tables.find(name)
            for action in tree.args.get("actions") or []:
                if table is None:
                    if isinstance(action, (exp.AddConstraint, exp.ColumnDef)):
                        problems.error(self._unknown("ALTER TABLE of", name), st.line, st.column)
                    continue
                if isinstance(action, exp.AddConstraint):
                    for constraint in action.expressions:
                        self.foreign_keys.extend(apply_constraint(table, constraint, st.line, st.column))
                elif isinstance(action, exp.ColumnDef):
                    target = exp.Table(this=exp.to_identifier(table.name))
                    sub = exp.Create(this=exp.Schema(this=target, expressions=[action]), kind="TABLE")
                    added, keys, _ = read_create(sub, self.dialect, st.line, st.column)
                    for key in keys:
                        key.owner = table
                    if table.find(action.name) is not None:
                        problems.error(
                            f"column {action.name!r} is defined twice in table {table.name!r}",
                            st.line,
                            st.column,
                            f"{table.name}.{action.name}",
                        )
                        continue
                    table.columns.extend(added.columns)
                    self.foreign_keys.extend(keys)

    def _inherit(self, problems: Problems) -> None:
        # Parents may themselves inherit; resolving in rounds handles any order, bounded by the count.
        pending = [t for t in self.tables.order if t.parents or t.copy_of]
        for _ in range(len(pending) + 1):
            waiting: list[Table] = []
            waiting_set: set[Table] = set()  # tables hash by identity
            for table in pending:
                sources = [table.copy_of] if table.copy_of else table.parents
                parents = [self.tables.find(name, table.namespace, besides=table) for name in sources]
                if any(p is None for p in parents):
                    missing = next(n for n, p in zip(sources, parents, strict=True) if p is None)
                    problems.error(
                        self._unknown(f"table {table.name!r} derives from", missing), table.line, table.column
                    )
                    continue
                if any(p in waiting_set for p in parents):
                    waiting.append(table)
                    waiting_set.add(table)
                    continue
                inherited = [
                    copy.copy(c)
                    for p in parents
                    if p is not None
                    for c in p.columns
                    if table.find(c.name) is None
                ]
                table.columns = inherited + table.columns
            if not waiting:
                return
            pending = waiting

    def _check_drops(self, problems: Problems) -> None:
        created_as: dict[str, list[tuple[int, str | None]]] = {}  # name -> (statement, kind)
        for later, created_kind, created in self.created_objects:
            created_as.setdefault(created, []).append((later, created_kind))
        for index, kind, names, st in self.drops:
            for name in names:
                recreated = any(
                    later > index and (kind is None or created_kind in (kind, None))
                    for later, created_kind in created_as.get(name.lower(), ())
                )
                if not recreated:
                    problems.error(
                        f"DROP {kind or ''} IF EXISTS {name} must be followed by re-creating the same object",
                        st.line,
                        st.column,
                    )

    def _unknown(self, what: str, name: Name) -> str:
        schemas = [] if name[0] else self.tables.schemas_of(name[1])
        if schemas:
            return f"{what} table {name[1]!r}, defined in several schemas ({', '.join(schemas)}): qualify it"
        return f"{what} undefined table {_written(name)!r}"

    def _check_foreign_keys(self, problems: Problems) -> dict[tuple[Table, str], str]:
        references: dict[tuple[Table, str], str] = {}
        for fk in self.foreign_keys:
            table = fk.owner
            target = self.tables.find(fk.target, table.namespace)
            if target is None:
                problems.error(
                    self._unknown(f"foreign key of {table.name!r} references", fk.target),
                    fk.line,
                    fk.column,
                    table.name,
                )
                continue
            if fk.ref_columns and len(fk.ref_columns) != len(fk.columns):
                problems.error(
                    f"foreign key of {table.name!r} has {len(fk.columns)} column(s) but references "
                    f"{len(fk.ref_columns)} of {_written(fk.target)!r}",
                    fk.line,
                    fk.column,
                    table.name,
                )
                continue
            missing = [c for c in fk.ref_columns if target.find(c) is None]
            missing += [c for c in fk.columns if table.find(c) is None]
            if missing:
                problems.error(
                    f"foreign key of {table.name!r} to {_written(fk.target)!r} names undefined columns: "
                    + ", ".join(missing),
                    fk.line,
                    fk.column,
                    table.name,
                )
                continue
            label = self.tables.label(target)
            for position, column in enumerate(fk.columns):
                ref_column = fk.ref_columns[position] if position < len(fk.ref_columns) else None
                target_column = target.find(ref_column) if ref_column else None
                ref = f"{label}.{target_column.name}" if target_column is not None else label
                references[(table, column.lower())] = ref
        return references
