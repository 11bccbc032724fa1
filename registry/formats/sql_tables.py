"""Tables, columns and keys read from sqlglot's syntax trees, and their entity model."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlglot import exp

from registry.formats.base import entity_model, field_model, said
from registry.formats.sql_keys import apply_checks, check_keys, constraint_keys, type_keys, unique_column

_TYPE_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("uuid", ("UUID", "UNIQUEIDENTIFIER")),
    ("json", ("JSON", "JSONB", "VARIANT", "XML", "HSTORE")),
    ("boolean", ("BOOLEAN", "BIT")),
    ("decimal", ("DECIMAL", "NUMERIC", "MONEY", "SMALLMONEY", "BIGDECIMAL", "UDECIMAL")),
    ("timestamp", ("TIMESTAMP", "DATETIME", "SMALLDATETIME")),
    ("time", ("TIME", "TIMETZ")),
    ("date", ("DATE", "DATE32", "YEAR")),
    ("integer", ("INT", "TINYINT", "SMALLINT", "MEDIUMINT", "BIGINT", "SERIAL", "BIGSERIAL", "SMALLSERIAL")),
    ("number", ("FLOAT", "DOUBLE", "REAL")),
    (
        "binary",
        ("BINARY", "VARBINARY", "BLOB", "MEDIUMBLOB", "LONGBLOB", "TINYBLOB", "IMAGE", "BYTEA", "ROWVERSION"),
    ),
    ("string", ("CHAR", "TEXT", "STRING", "NAME", "CLOB", "ENUM", "SET", "INET", "CIDR")),
)


@dataclass
class Column:
    name: str
    source_type: str
    data_type: exp.DataType | None
    nullable: bool = True
    primary_key: bool = False
    keys: dict[str, Any] = field(default_factory=dict)  # the model's optional keys it says
    line: int | None = None
    column: int | None = None


Name = tuple[str | None, str]  # a table as a script names it: (schema or None, table)


@dataclass(eq=False)  # tables are told apart by identity: two can share a name in different schemas
class Table:
    name: str
    namespace: str | None
    line: int
    column: int
    columns: list[Column] = field(default_factory=list)
    parents: list[Name] = field(default_factory=list)
    copy_of: Name | None = None  # PARTITION OF / LIKE: all columns come from that table
    # From CHECKs and UNIQUEs of the table or its columns, applied by column name when the
    # entity is made (a table-level constraint may come before the column it names).
    checks: list[tuple[str, str, Any]] = field(default_factory=list)
    uniques: list[str] = field(default_factory=list)

    def find(self, name: str) -> Column | None:
        lowered = name.lower()
        return next((c for c in self.columns if c.name.lower() == lowered), None)


@dataclass
class ForeignKey:
    owner: Table
    columns: list[str]
    target: Name
    ref_columns: list[str]
    line: int
    column: int


def identifier(node: exp.Expression | None) -> str:
    return node.name if node is not None else ""


def qualified(node: exp.Expression | None) -> Name:
    """(schema, name) of a table; a three-part name's schema is ``catalog.schema``."""
    if isinstance(node, exp.Table):
        schema = f"{node.catalog}.{node.db}" if node.catalog else node.db
        return schema or None, node.name
    return None, identifier(node)


Where = Callable[[exp.Expression], tuple[int, int]]  # where a node starts in the script


def located(offset_of: Callable[[int], tuple[int, int]], fallback: tuple[int, int]) -> Where:
    """A :data:`Where` from the offsets sqlglot keeps on identifiers (``fallback`` without one)."""

    def where(node: exp.Expression) -> tuple[int, int]:
        name = node if isinstance(node, exp.Identifier) else node.find(exp.Identifier)
        start = name.meta.get("start") if name is not None else None
        return offset_of(start) if isinstance(start, int) else fallback

    return where


def read_create(
    create: exp.Create, dialect: str | None, line: int, column: int, where: Where | None = None
) -> tuple[Table, list[ForeignKey], list[tuple[str, str, int, int]]]:
    """The table a ``CREATE TABLE`` defines, its foreign keys, and its faulty columns as (what is
    wrong, column, line, column); ``where`` places columns and constraints, else all are at
    ``line``/``column``."""
    schema = create.this
    target = schema.this if isinstance(schema, exp.Schema) else schema
    schema_name, table_name = qualified(target)
    table = Table(table_name, schema_name, line, column)
    place = where or (lambda node: (line, column))
    foreign_keys: list[ForeignKey] = []
    faults: list[tuple[str, str, int, int]] = []
    if isinstance(schema, exp.Schema):
        for item in schema.expressions:
            if isinstance(item, (exp.ColumnDef, exp.Identifier)) and table.find(item.name) is not None:
                faults.append(("is defined twice in table", item.name, *place(item)))
            elif isinstance(item, exp.ColumnDef):
                swallowed = _table_constraint_in(item)
                if swallowed is not None:  # sqlglot reads `b INT FOREIGN KEY (a) ...` as one column
                    faults.append(
                        (
                            f"runs into a {swallowed} constraint (a comma is missing) in table",
                            item.name,
                            *place(item),
                        )
                    )
                table.columns.append(_column(item, dialect, table, place(item)))
                foreign_keys.extend(_inline_references(table, item, *place(item)))
            elif isinstance(item, exp.Identifier):  # a column without a type: SQLite allows it
                if dialect not in (None, "sqlite"):
                    faults.append(("has no type in table", item.name, *place(item)))
                table.columns.append(Column(item.name, "", None, line=place(item)[0], column=place(item)[1]))
            else:
                foreign_keys.extend(apply_constraint(table, item, *place(item)))
    properties = create.args.get("properties")
    for prop in properties.expressions if properties is not None else []:
        if isinstance(prop, exp.InheritsProperty):
            table.parents.extend(qualified(t) for t in prop.expressions)
        elif isinstance(prop, (exp.PartitionedOfProperty, exp.LikeProperty)):
            table.copy_of = qualified(prop.this)
    like = schema.find(exp.LikeProperty) if isinstance(schema, exp.Schema) else None
    if like is not None:
        table.copy_of = qualified(like.this)
    query = create.expression
    if isinstance(query, exp.Query) and not table.columns:
        table.columns = [
            Column(name, "", None, line=line, column=column) for name in query.named_selects if name != "*"
        ]
    return table, foreign_keys, faults


def _column(item: exp.ColumnDef, dialect: str | None, table: Table, where: tuple[int, int]) -> Column:
    kind = item.args.get("kind")
    data_type = kind if isinstance(kind, exp.DataType) else None
    column = Column(item.name, kind.sql(dialect=dialect) if kind is not None else "", data_type)
    column.line, column.column = where
    column.keys.update(type_keys(data_type))
    if data_type is not None:
        declared = _declared_nullable(data_type)  # ClickHouse: only Nullable(T) holds NULL
        if declared is not None:
            column.nullable = declared
    filled = data_type is not None and _serial(data_type)
    for constraint in item.constraints:
        kind_ = constraint.args.get("kind")
        if isinstance(kind_, exp.NotNullColumnConstraint):
            column.nullable = bool(kind_.args.get("allow_null"))
        elif isinstance(kind_, exp.PrimaryKeyColumnConstraint):
            column.primary_key = True
            column.nullable = False
        elif isinstance(kind_, exp.CheckColumnConstraint):
            table.checks.extend(check_keys(kind_.this))
        column.keys.update(constraint_keys(kind_))
        filled = filled or _filled_by_database(kind_)
    if filled:
        column.nullable = False  # the database fills it, whatever else the column says
    return column


def _declared_nullable(data_type: exp.DataType) -> bool | None:
    """ClickHouse's own nullability (``LowCardinality(Nullable(T))`` is nullable), else None."""
    declared = data_type.args.get("nullable")
    if data_type.this == exp.DataType.Type.LOWCARDINALITY and data_type.expressions:
        inner = data_type.expressions[0]
        return _declared_nullable(inner) if isinstance(inner, exp.DataType) else None
    return declared if isinstance(declared, bool) else None


def _serial(data_type: exp.DataType) -> bool:
    """PostgreSQL's serial types (``serial``, ``serial4``, ``bigserial``...), never NULL."""
    if data_type.this in _NEVER_NULL_TYPES:
        return True
    user = data_type.args.get("kind") if data_type.this == exp.DataType.Type.USERDEFINED else None
    return isinstance(user, exp.Expression) and user.name.lower() in _SERIAL_ALIASES


def _table_constraint_in(item: exp.ColumnDef) -> str | None:
    """``FOREIGN KEY``, ``PRIMARY KEY`` or ``UNIQUE`` when a table-level constraint (with its own column list)
    ended up among a column's constraints: databases refuse that; sqlglot takes it silently."""
    for constraint in item.constraints:
        kind = constraint.args.get("kind")
        if isinstance(kind, exp.UniqueColumnConstraint) and isinstance(kind.this, exp.Schema):
            return "UNIQUE"  # a column's own UNIQUE has no column list
        if not isinstance(kind, (exp.ForeignKey, exp.PrimaryKey)) or not kind.expressions:
            continue  # T-SQL and Snowflake write a column's own key as `FOREIGN KEY REFERENCES t(c)`
        return "FOREIGN KEY" if isinstance(kind, exp.ForeignKey) else "PRIMARY KEY"
    return None


def _filled_by_database(kind: object) -> bool:
    """An identity or auto-increment column: never NULL. (``GENERATED ALWAYS AS (expr)``, a
    computed column, is the same node with an expression, and may be NULL.)"""
    if isinstance(kind, exp.AutoIncrementColumnConstraint):
        return True
    return isinstance(kind, exp.GeneratedAsIdentityColumnConstraint) and kind.args.get("expression") is None


def _inline_references(table: Table, item: exp.ColumnDef, line: int, column: int) -> list[ForeignKey]:
    found = []
    for constraint in item.constraints:
        ref = constraint.args.get("kind")
        if isinstance(ref, exp.ForeignKey) and not ref.expressions:  # T-SQL: FOREIGN KEY REFERENCES t(c)
            ref = ref.args.get("reference")
        if isinstance(ref, exp.Reference):
            ref_table, ref_columns = _reference_target(ref)
            found.append(ForeignKey(table, [item.name], ref_table, ref_columns, line, column))
    return found


def _reference_target(ref: exp.Reference) -> tuple[Name, list[str]]:
    target = ref.this
    if isinstance(target, exp.Schema):
        return qualified(target.this), [identifier(c) for c in target.expressions]
    return qualified(target), []


def apply_constraint(table: Table, item: exp.Expression, line: int, column: int) -> list[ForeignKey]:
    """Apply a table-level constraint (PRIMARY KEY, FOREIGN KEY, possibly named) to ``table``."""
    inner = item.expressions if isinstance(item, exp.Constraint) else [item]
    found = []
    for node in inner:
        if isinstance(node, exp.PrimaryKey):
            for name in node.expressions:
                col = table.find(identifier(name) if isinstance(name, exp.Expression) else str(name))
                if col is not None:
                    col.primary_key = True
                    col.nullable = False
        elif isinstance(node, exp.CheckColumnConstraint):
            table.checks.extend(check_keys(node.this))
        elif unique_column(node) is not None:
            table.uniques.append(str(unique_column(node)))
        elif isinstance(node, exp.ForeignKey):
            ref = node.args.get("reference")
            if isinstance(ref, exp.Reference):
                ref_table, ref_columns = _reference_target(ref)
                columns = [identifier(c) for c in node.expressions]
                found.append(ForeignKey(table, columns, ref_table, ref_columns, line, column))
    return found


# PostgreSQL's serial types are integers with a sequence default and an implied NOT NULL.
_NEVER_NULL_TYPES = frozenset(
    {exp.DataType.Type.SERIAL, exp.DataType.Type.BIGSERIAL, exp.DataType.Type.SMALLSERIAL}
)
_SERIAL_ALIASES = frozenset({"serial2", "serial4", "serial8"})
# Types the family rules would misread by their names (INTERVAL starts like INT, POINT ends like
# it): geometric types and intervals are text to a data generator, as are ranges (`...RANGE`).
_AS_TEXT = frozenset(
    {"INTERVAL", "POINT", "LINE", "LSEG", "BOX", "PATH", "POLYGON", "CIRCLE", "GEOMETRY", "GEOGRAPHY"}
)
# Semi-structured types without declared fields: Snowflake OBJECT, MAP(K, V), a bare STRUCT.
_AS_JSON = frozenset({"MAP", "OBJECT", "STRUCT"})


def field_type(
    data_type: exp.DataType | None, enums: dict[str, list[str]], dialect: str | None
) -> dict[str, Any]:
    """The entity-model type of a column type; user-defined enum types come from ``enums``."""
    if data_type is None:
        return {"type": "string"}
    name = data_type.this.name if hasattr(data_type.this, "name") else str(data_type.this)
    parts = data_type.expressions
    if name == "LOWCARDINALITY" and parts and isinstance(parts[0], exp.DataType):
        return field_type(parts[0], enums, dialect)  # ClickHouse: a storage choice, not a type
    if _serial(data_type):
        return {"type": "integer"}
    if name == "ARRAY":
        inner = parts[0] if parts and isinstance(parts[0], exp.DataType) else None
        return {"type": "array", "items": field_type(inner, enums, dialect) if inner else {"type": "json"}}
    if name == "STRUCT" and parts and all(isinstance(p, exp.ColumnDef) for p in parts):
        return {"type": "object", "fields": [_struct_field(p, enums, dialect) for p in parts]}
    if name.startswith("ENUM"):  # ENUM, and ClickHouse's Enum8/Enum16 ('a' = 1, ...)
        values = [(p.this if isinstance(p, exp.EQ) else p) for p in parts]
        return {"type": "enum", "values": [v.name for v in values if isinstance(v, exp.Literal)]}
    if name == "USERDEFINED":
        user = data_type.args.get("kind")
        user_name = (user.name if isinstance(user, exp.Expression) else str(user or "")).lower()
        if user_name in enums:
            return {"type": "enum", "values": enums[user_name]}
        return {"type": "string"}
    if name in _AS_TEXT or name.endswith("RANGE"):
        return {"type": "string"}
    if name in _AS_JSON:
        return {"type": "json"}
    for entity_type, prefixes in _TYPE_GROUPS:
        if any(name == p or name.startswith(p) or name.endswith(p) for p in prefixes):
            return {"type": entity_type}
    return {"type": "string"}


def _struct_field(item: exp.ColumnDef, enums: dict[str, list[str]], dialect: str | None) -> dict[str, Any]:
    kind = item.args.get("kind")
    model = field_type(kind if isinstance(kind, exp.DataType) else None, enums, dialect)
    type_ = model.pop("type")
    source = kind.sql(dialect=dialect) if isinstance(kind, exp.DataType) else None
    return field_model(item.name, type_, nullable=True, primary_key=False, source_type=source, **model)


def table_entity(
    table: Table, references: dict[tuple[Table, str], str], enums: dict[str, list[str]], dialect: str | None
) -> dict[str, Any]:
    fields = []
    checks: dict[str, list[tuple[str, Any]]] = {}
    for name, key, value in table.checks:
        checks.setdefault(name.lower(), []).append((key, value))
    uniques = {name.lower() for name in table.uniques}
    for col in table.columns:
        ref = references.get((table, col.name.lower()))
        if ref is not None:  # a key's width or length is the target's business
            model: dict[str, Any] = {"type": "reference", "ref": ref, **said(default=col.keys.get("default"))}
        else:
            model = {**field_type(col.data_type, enums, dialect), **col.keys}
            model = apply_checks(model, checks.get(col.name.lower(), []))
        if col.name.lower() in uniques:
            model["unique"] = True
        model.update(said(line=col.line, column=col.column))
        type_ = model.pop("type")
        fields.append(
            field_model(
                col.name,
                type_,
                nullable=col.nullable,
                primary_key=col.primary_key,
                source_type=col.source_type or None,
                **model,
            )
        )
    return entity_model(table.name, fields, namespace=table.namespace, line=table.line, column=table.column)
