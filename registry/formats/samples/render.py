"""Sample records as text: JSON, JSON lines, CSV and SQL (INSERTs, and CREATE TABLEs for a
project that is not SQL), in the order foreign keys need."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from typing import Any

from registry.formats.samples.generate import Entity, Records, insert_order

SQL_TYPES = {
    "string": "TEXT",
    "integer": "BIGINT",
    "number": "DOUBLE",
    "decimal": "DECIMAL",
    "boolean": "BOOLEAN",
    "date": "DATE",
    "time": "TIME",
    "timestamp": "TIMESTAMP",
    "uuid": "UUID",
    "binary": "TEXT",  # base64, as the JSON answers carry it
    "json": "JSON",
    "enum": "TEXT",
    "array": "JSON",
    "object": "JSON",
}


def as_json(records: Records) -> str:
    return json.dumps({"entities": records}, ensure_ascii=False)


def as_jsonl(records: Records) -> str:
    """One line per record: ``{"entity": name, "record": {...}}``."""
    lines = [
        json.dumps({"entity": name, "record": record}, ensure_ascii=False)
        for name, rows in records.items()
        for record in rows
    ]
    return "".join(line + "\n" for line in lines)


def as_csv(entity: Entity, rows: Sequence[Mapping[str, Any]]) -> str:
    """One entity's records; nested values as JSON, an absent or null value as an empty cell."""
    out = io.StringIO()
    names = [f["name"] for f in entity.get("fields", ())]
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(names)
    for row in rows:
        writer.writerow([_cell(row.get(name)) for name in names])
    return out.getvalue()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def as_sql(entities: Sequence[Entity], records: Records, *, dialect: str, create: bool) -> str:
    """``INSERT`` statements (after ``CREATE TABLE`` statements when ``create``), targets first."""
    from sqlglot import exp  # the SQL validator's parser; imported on use

    statements: list[str] = []
    ordered = [e for e in insert_order(entities) if e["name"] in records]
    if create:
        statements.extend(_create_table(entity, entities, dialect) for entity in ordered)
    for entity in ordered:
        table = _table(entity)
        names = [f["name"] for f in entity.get("fields", ())]
        columns = [exp.to_identifier(name, quoted=True) for name in names]
        for row in records[entity["name"]]:
            values = exp.values([tuple(_literal(row.get(name)) for name in names)])
            statements.append(exp.insert(values, table, columns=columns).sql(dialect=dialect))
    return "".join(f"{statement};\n" for statement in statements)


def _table(entity: Entity) -> Any:
    from sqlglot import exp

    name = exp.to_identifier(entity["name"], quoted=True)
    schema = entity.get("namespace")
    return exp.Table(this=name, db=exp.to_identifier(schema, quoted=True) if schema else None)


def _literal(value: Any) -> Any:
    from sqlglot import exp

    if value is None:
        return exp.null()
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, (int, float)):
        return exp.Literal.number(value)
    if isinstance(value, (dict, list)):
        return exp.Literal.string(json.dumps(value, ensure_ascii=False))
    return exp.Literal.string(str(value))


def _create_table(entity: Entity, entities: Sequence[Entity], dialect: str) -> str:
    from sqlglot import exp

    by_name = {e["name"]: e for e in entities}
    parts: list[str] = []
    keys: list[str] = []
    for field in entity.get("fields", ()):
        column = exp.to_identifier(field["name"], quoted=True).sql(dialect=dialect)
        column_type = _column_type(field, by_name).sql(dialect=dialect)
        parts.append(f"{column} {column_type}{'' if field.get('nullable', True) else ' NOT NULL'}")
        if field.get("primary_key"):
            keys.append(column)
    if keys:
        parts.append(f"PRIMARY KEY ({', '.join(keys)})")
    return f"CREATE TABLE {_table(entity).sql(dialect=dialect)} ({', '.join(parts)})"


def _column_type(field: Mapping[str, Any], by_name: Mapping[str, Entity]) -> Any:
    from sqlglot import exp

    kind = field.get("type")
    if kind == "reference":
        head, _, column = str(field.get("ref", "")).rpartition(".")
        target = by_name.get(head) or by_name.get(str(field.get("ref")))
        target_field = next(
            (f for f in (target or {}).get("fields", ()) if f["name"] == column),
            next((f for f in (target or {}).get("fields", ()) if f.get("primary_key")), None),
        )
        return _column_type(target_field, by_name) if target_field else exp.DataType.build("BIGINT")
    if kind == "decimal" and field.get("precision"):
        return exp.DataType.build(f"DECIMAL({int(field['precision'])}, {int(field.get('scale') or 0)})")
    if kind == "string" and field.get("max_length"):
        return exp.DataType.build(f"VARCHAR({int(field['max_length'])})")
    return exp.DataType.build(SQL_TYPES.get(str(kind), "TEXT"))
