"""Converting between our JSON Parquet schemas and pyarrow, to prove the format matches real Parquet."""

from __future__ import annotations

import re
from typing import Any

import pyarrow as pa

UNITS = {"MILLIS": "ms", "MICROS": "us", "NANOS": "ns"}
UNIT_NAMES = {"milliseconds": "MILLIS", "microseconds": "MICROS", "nanoseconds": "NANOS"}


def to_arrow(doc: dict[str, Any]) -> pa.Schema:
    return pa.schema([_arrow_field(f) for f in doc["fields"]])


def _arrow_field(field: dict[str, Any]) -> pa.Field:
    repetition = field.get("repetition", "OPTIONAL")
    arrow_type = _group_type(field) if "fields" in field else _primitive_type(field)
    if repetition == "REPEATED":
        return pa.field(
            field["name"], pa.list_(pa.field("element", arrow_type, nullable=False)), nullable=False
        )
    return pa.field(field["name"], arrow_type, nullable=repetition == "OPTIONAL")


def _logical(field: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
    logical = field.get("logical_type")
    if isinstance(logical, dict):
        return logical["type"], logical
    return logical, {}


def _group_type(field: dict[str, Any]) -> pa.DataType:
    name, _ = _logical(field)
    if name == "LIST":
        element = field["fields"][0]["fields"][0]
        return pa.list_(_arrow_field(element))
    if name == "MAP":
        kv = {f["name"]: f for f in field["fields"][0]["fields"]}
        return pa.map_(_arrow_field(kv["key"]).type, _arrow_field(kv["value"]))
    return pa.struct([_arrow_field(f) for f in field["fields"]])


def _primitive_type(field: dict[str, Any]) -> pa.DataType:
    physical = field["type"]
    name, params = _logical(field)
    if name == "DECIMAL":
        precision, scale = params["precision"], params.get("scale", 0)
        return pa.decimal128(precision, scale) if precision <= 38 else pa.decimal256(precision, scale)
    if name == "INTEGER":
        bits, signed = params["bit_width"], params["is_signed"]
        return getattr(pa, f"{'int' if signed else 'uint'}{bits}")()
    if name == "TIME":
        unit = UNITS[params["unit"]]
        return pa.time32(unit) if unit == "ms" else pa.time64(unit)
    if name == "TIMESTAMP":
        return pa.timestamp(UNITS[params["unit"]], tz="UTC" if params["is_adjusted_to_utc"] else None)
    simple = {"STRING": pa.string(), "ENUM": pa.string(), "JSON": pa.json_(), "BSON": pa.binary(),
              "DATE": pa.date32(), "UUID": pa.uuid(), "FLOAT16": pa.float16()}  # fmt: skip
    if name in simple:
        return simple[name]
    by_physical = {"BOOLEAN": pa.bool_(), "INT32": pa.int32(), "INT64": pa.int64(),
                   "INT96": pa.timestamp("ns"),
                   "FLOAT": pa.float32(), "DOUBLE": pa.float64(), "BYTE_ARRAY": pa.binary()}  # fmt: skip
    if physical == "FIXED_LEN_BYTE_ARRAY":
        return pa.binary(field["length"])
    return by_physical[physical]


_NODE = re.compile(
    r"^\s*(?P<rep>required|optional|repeated) (?P<kind>group|\w+)(?:\((?P<len>\d+)\))? "
    r"field_id=(?P<id>-?\d+) "
    r"(?P<name>\S+?)(?: \((?P<logical>.*)\))?(?P<open> \{)?;?$"
)
_PARAMS = re.compile(r"(\w+)=([\w-]+)")


def from_parquet_schema(printed: str) -> dict[str, Any]:
    """Our JSON for a schema as pyarrow prints it (``str(ParquetFile.schema)``)."""
    stack: list[list[dict[str, Any]]] = [[]]
    for line in printed.strip().splitlines()[2:-1]:  # skip the repr line and the root group
        if line.strip() == "}":
            children = stack.pop()
            stack[-1][-1]["fields"] = children
            continue
        match = _NODE.match(line)
        assert match, line
        node: dict[str, Any] = {"name": match["name"], "repetition": match["rep"].upper()}
        if int(match["id"]) >= 0:
            node["field_id"] = int(match["id"])
        if match["kind"] != "group":
            node["type"] = {"binary": "BYTE_ARRAY"}.get(match["kind"], match["kind"].upper())
            if match["len"]:
                node["length"] = int(match["len"])
        if match["logical"]:
            node["logical_type"] = _logical_json(match["logical"])
        stack[-1].append(node)
        if match["open"]:
            stack.append([])
    return {"fields": stack[0]}


def _logical_json(text: str) -> Any:
    name, _, rest = text.partition("(")
    params = dict(_PARAMS.findall(rest))
    if name == "Decimal":
        return {"type": "DECIMAL", "precision": int(params["precision"]), "scale": int(params["scale"])}
    if name == "Int":
        return {
            "type": "INTEGER",
            "bit_width": int(params["bitWidth"]),
            "is_signed": params["isSigned"] == "true",
        }
    if name in ("Time", "Timestamp"):
        return {
            "type": name.upper(),
            "unit": UNIT_NAMES[params["timeUnit"]],
            "is_adjusted_to_utc": params["isAdjustedToUTC"] == "true",
        }
    return name.upper()
