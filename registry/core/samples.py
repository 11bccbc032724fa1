"""Sample records of a project's schema, as an answer body (docs/samples.md).

The entity model comes from the validator (as ``/entities`` has it); :mod:`registry.formats.samples`
makes and renders the records. Blocking: callers run it in the read pool, bounded in rows and
in time.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, get_args

from registry.core.changes import Project, SchemaValidator
from registry.core.errors import InvalidInput, InvalidSchema, TooMuchWork, UnsatisfiableSchema
from registry.formats import samples
from registry.formats.samples import render

SampleFormat = Literal["json", "jsonl", "csv", "sql", "parquet"]
SAMPLE_FORMATS: tuple[SampleFormat, ...] = get_args(SampleFormat)
MEDIA_TYPES: dict[SampleFormat, str] = {
    "json": "application/json",
    "jsonl": "application/jsonl",
    "csv": "text/csv",
    "sql": "application/sql",
    "parquet": "application/vnd.apache.parquet",
}
DEFAULT_SQL_DIALECT = "postgres"
MAX_CELLS = 2_000_000  # rows x fields in one answer: bounds its memory


@dataclass(frozen=True)
class SampleRequest:
    rows: int = 10
    seed: int = 0
    as_: SampleFormat = "json"
    entity: str | None = None
    dialect: str | None = None
    seconds: float = 10.0


@dataclass(frozen=True)
class Sample:
    body: bytes
    media_type: str


def sample(project: Project, validator: SchemaValidator, request: SampleRequest) -> Sample:
    """The records of ``project`` as ``request`` asks; raises the domain's errors for bad asks."""
    if project.data is None:
        raise InvalidInput("this version of the project has no schema to sample")
    result = validator(project.format, project.data, dialect=project.dialect)
    if not result.valid:
        raise InvalidSchema(f"the stored {project.format} schema no longer validates", result.errors)
    entities = list(result.entities)
    names = ", ".join(e["name"] for e in entities)
    if request.entity is not None and all(e["name"] != request.entity for e in entities):
        raise InvalidInput(f"the schema has no entity {request.entity!r}; its entities: {names}")
    if request.as_ in ("csv", "parquet") and request.entity is None and len(entities) > 1:
        raise InvalidInput(f"as={request.as_} holds one entity: name it with entity= (one of {names})")
    cells = request.rows * sum(len(e.get("fields", ())) for e in entities)
    if cells > MAX_CELLS:
        raise TooMuchWork(f"{request.rows} rows of every entity are {cells:,} values; at most {MAX_CELLS:,}")
    try:
        records = samples.generate(
            entities, rows=request.rows, seed=request.seed, only=request.entity, seconds=request.seconds
        )
    except samples.Unsatisfiable as exc:
        raise UnsatisfiableSchema("no record can meet this schema's constraints", exc.problems) from exc
    except samples.TooMuchWork as exc:
        raise TooMuchWork(f"{exc}; ask for fewer rows") from exc
    return Sample(_rendered(project, entities, records, request), MEDIA_TYPES[request.as_])


def _rendered(
    project: Project, entities: Sequence[Mapping[str, Any]], records: samples.Records, request: SampleRequest
) -> bytes:
    if request.as_ == "json":
        return render.as_json(records).encode()
    if request.as_ == "jsonl":
        return render.as_jsonl(records).encode()
    if request.as_ == "sql":
        dialect = project.dialect if project.format == "sql" else request.dialect or DEFAULT_SQL_DIALECT
        create = project.format != "sql"  # a SQL project has its own DDL
        return render.as_sql(
            entities, records, dialect=dialect or DEFAULT_SQL_DIALECT, create=create
        ).encode()
    [(name, rows)] = records.items()  # one entity: checked above
    entity = next(e for e in entities if e["name"] == name)
    if request.as_ == "csv":
        return render.as_csv(entity, rows).encode()
    from registry.formats.samples.parquet import as_parquet  # pyarrow: only for Parquet answers

    try:
        return as_parquet(entity, rows)
    except ImportError as exc:
        raise InvalidInput(
            "as=parquet needs pyarrow on the server: pip install 'schema-registry[parquet]'"
        ) from exc
