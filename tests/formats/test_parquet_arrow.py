"""The json_parquet format matches real Parquet, as pyarrow reads and writes it."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from registry.formats import validate
from tests.formats.conftest import CASES, corpus_dir
from tests.formats.parquet_arrow import from_parquet_schema, to_arrow


def _accepted() -> list[Path]:
    paths = sorted((CASES / "json_parquet" / "valid").glob("*.json"))
    return paths + sorted((corpus_dir() / "json_parquet" / "accept").glob("*.json"))


@pytest.mark.parametrize("path", _accepted(), ids=lambda p: p.name)
def test_accepted_schema_round_trips_through_parquet(path: Path, tmp_path: Path) -> None:
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert validate("json_parquet", json.dumps(doc)).valid
    schema = to_arrow(doc)
    pq.write_table(schema.empty_table(), tmp_path / "t.parquet")
    assert pq.read_schema(tmp_path / "t.parquet").remove_metadata() == schema


ARROW_SCHEMAS = {
    "scalars": pa.schema(
        [("b", pa.bool_()), ("i8", pa.int8()), ("u64", pa.uint64()), ("f", pa.float32()), ("s", pa.string()),
         ("bin", pa.binary()), ("fixed", pa.binary(3)), ("d", pa.date32()), ("t", pa.time64("ns")),
         ("ts", pa.timestamp("ms")), ("tz", pa.timestamp("us", "UTC")), ("dec", pa.decimal128(20, 4)),
         ("big", pa.decimal256(50, 1)), ("h", pa.float16())]
    ),
    "nested": pa.schema(
        [pa.field("id", pa.int64(), nullable=False), ("l", pa.list_(pa.string())),
         ("m", pa.map_(pa.string(), pa.int64())),
         ("s", pa.struct([("x", pa.int32()), ("y", pa.list_(pa.struct([("z", pa.bool_())])))]))]
    ),
}  # fmt: skip


@pytest.mark.parametrize("name", ARROW_SCHEMAS)
def test_schemas_pyarrow_writes_are_accepted(name: str, tmp_path: Path) -> None:
    pq.write_table(ARROW_SCHEMAS[name].empty_table(), tmp_path / "t.parquet")
    doc = from_parquet_schema(str(pq.ParquetFile(tmp_path / "t.parquet").schema))
    result = validate("json_parquet", json.dumps(doc))
    assert result.valid, [e.to_json() for e in result.errors]
    assert [f["name"] for f in result.entities[0]["fields"]] == ARROW_SCHEMAS[name].names


def test_shipped_json_schema_agrees_with_the_validator() -> None:
    """docs/formats/json_parquet.schema.json is a valid schema that accepts every accepted case."""
    schema_text = (CASES.parent.parent / "docs" / "formats" / "json_parquet.schema.json").read_text(
        encoding="utf-8"
    )
    assert validate("json_schema", schema_text).valid
    checker = jsonschema.Draft202012Validator(json.loads(schema_text))
    for path in _accepted():
        errors = [e.message for e in checker.iter_errors(json.loads(path.read_text(encoding="utf-8")))]
        assert not errors, (path.name, errors)
