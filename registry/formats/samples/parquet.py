"""One entity's sample records as a Parquet file (needs pyarrow: ``schema-registry[parquet]``)."""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import io
import json
from collections.abc import Mapping, Sequence
from typing import Any


def as_parquet(entity: Mapping[str, Any], rows: Sequence[Mapping[str, Any]]) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    fields = list(entity.get("fields", ()))
    schema = pa.schema([pa.field(f["name"], _arrow_type(pa, f), nullable=_may_be_empty(f)) for f in fields])
    columns = {f["name"]: [_arrow_value(f, row.get(f["name"])) for row in rows] for f in fields}
    table = pa.Table.from_pydict(columns, schema=schema)
    out = io.BytesIO()
    pq.write_table(table, out)
    return out.getvalue()


def _arrow_type(pa: Any, field: Mapping[str, Any]) -> Any:
    kind = field.get("type")
    if kind == "integer":
        return {8: pa.int8(), 16: pa.int16(), 32: pa.int32()}.get(field.get("bits") or 64, pa.int64())
    if kind == "decimal" and field.get("precision"):
        return pa.decimal128(int(field["precision"]), int(field.get("scale") or 0))
    if kind == "array":
        return pa.list_(_arrow_type(pa, field.get("items") or {"type": "string"}))
    if kind == "object":
        return pa.struct([pa.field(f["name"], _arrow_type(pa, f)) for f in field.get("fields", ())])
    simple = {
        "number": pa.float64(),
        "decimal": pa.float64(),
        "boolean": pa.bool_(),
        "date": pa.date32(),
        "time": pa.time32("s"),
        "timestamp": pa.timestamp("s", tz="UTC"),
        "binary": pa.binary(),
    }
    return simple.get(str(kind), pa.string())


def _arrow_value(field: Mapping[str, Any], value: Any) -> Any:
    if value is None:
        return None
    kind = field.get("type")
    if kind == "decimal" and field.get("precision"):
        return decimal.Decimal(str(value)).quantize(decimal.Decimal(1).scaleb(-int(field.get("scale") or 0)))
    if kind == "date":
        return dt.date.fromisoformat(value)
    if kind == "time":
        return dt.time.fromisoformat(value)
    if kind == "timestamp":
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    if kind == "binary":
        return base64.b64decode(value)
    if kind == "array":
        return [_arrow_value(field.get("items") or {}, v) for v in value]
    if kind == "object":
        return {f["name"]: _arrow_value(f, value.get(f["name"])) for f in field.get("fields", ())}
    if kind in ("json", "reference", "enum", "uuid") and not isinstance(value, (str, int, float)):
        return json.dumps(value)
    if kind in ("json", "reference", "enum", "uuid"):
        return str(value)
    return value


def _may_be_empty(field: Mapping[str, Any]) -> bool:
    """Null in the file: a nullable field, or a JSON Schema property records may leave out."""
    return bool(field.get("nullable", True) or field.get("required") is False)
