"""/project/.../sample: records made from a project's schema (docs/samples.md)."""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata

from aiohttp import web

from registry.core.catalog import Catalog
from registry.core.changes import Project
from registry.core.errors import InvalidInput
from registry.core.keys import ApiKey
from registry.core.names import group_of_known_project
from registry.core.samples import SAMPLE_FORMATS, Sample, SampleRequest, sample
from registry.core.timeline import Timeline
from registry.formats import check_dialect
from registry.formats.samples import GENERATOR_RELEASE, MAX_ROWS
from registry.formats.sql_dialects import canonical_dialect
from registry.http.auth import caller, require
from registry.http.context import CATALOG, OFFLOADER, TIMELINE, VALIDATION_POOL, VALIDATION_SLOTS
from registry.http.routes.paths import PROJECT_BY_ID, PROJECT_BY_NAME
from registry.http.routes.scope import visible

routes = web.RouteTableDef()


@routes.get(PROJECT_BY_ID + "/sample")
async def project_sample(request: web.Request) -> web.Response:
    project_id = request.match_info["project_id"]
    require(request, "read", group_of_known_project(project_id))
    asked, at, app = sample_request(request), request.query.get("at"), request.app
    project = await app[OFFLOADER].run(_project, app[CATALOG], app[TIMELINE], project_id, at)
    return await _answer(request, project, asked)


@routes.get(PROJECT_BY_NAME + "/sample")
async def project_sample_by_name(request: web.Request) -> web.Response:
    require(request, "read")
    group, name, app = request.match_info["group"], request.match_info["name"], request.app
    asked, at = sample_request(request), request.query.get("at")
    project = await app[OFFLOADER].run(_named, app[CATALOG], app[TIMELINE], caller(request), group, name, at)
    return await _answer(request, project, asked)


OPTIONS = frozenset({"rows", "seed", "as", "entity", "dialect", "at"})


def sample_request(request: web.Request) -> SampleRequest:
    """The query's sampling options, checked; a bad or unknown one is a 400 naming it."""
    query = request.query
    unknown = sorted(set(query) - OPTIONS)
    if unknown:
        raise InvalidInput(f"unknown option {unknown[0]!r}; the options are {', '.join(sorted(OPTIONS))}")
    rows = _integer(query.get("rows", "10"), "rows", 1, MAX_ROWS)
    seed = _integer(query.get("seed", "0"), "seed", 0, 2**63 - 1)
    as_ = query.get("as", "json")
    if as_ not in SAMPLE_FORMATS:
        raise InvalidInput(f"as must be one of {', '.join(SAMPLE_FORMATS)}, not {as_!r}")
    entity, dialect = query.get("entity"), query.get("dialect")
    if dialect is not None and not check_dialect(dialect):  # sqlglot would fail deep in rendering
        raise InvalidInput(
            f"dialect {dialect!r} is not a SQL dialect this registry knows (docs/formats/sql.md)"
        )
    dialect = canonical_dialect(dialect)
    return SampleRequest(rows=rows, seed=seed, as_=as_, entity=entity, dialect=dialect)


def _integer(text: str, name: str, low: int, high: int) -> int:
    if not text.isdigit() or not low <= int(text) <= high:
        raise InvalidInput(f"{name} must be a whole number from {low} to {high:,}, not {text!r}")
    return int(text)


async def _answer(request: web.Request, project: Project, asked: SampleRequest) -> web.Response:
    app = request.app
    # One validation and its records at a time per validation worker.
    async with app[VALIDATION_SLOTS].held(app[VALIDATION_POOL], project.data or ""):
        made: Sample = await app[OFFLOADER].run(sample, project, app[CATALOG].validator, asked)
    headers = {"ETag": f'"{project.version}-sample-{_options_tag(asked)}"'}
    return web.Response(body=made.body, content_type=made.media_type, headers=headers)


def _options_tag(asked: SampleRequest) -> str:
    """What besides the version decides the records: the options, and the generator's release."""
    parts = (asked.rows, asked.seed, asked.as_, asked.entity, asked.dialect)
    options = ":".join(str(part) for part in (GENERATOR_RELEASE, _faker_version(), *parts))
    return hashlib.sha256(options.encode()).hexdigest()[:16]


@functools.cache
def _faker_version() -> str:
    return importlib.metadata.version("faker")  # its data decides hinted values


def _project(catalog: Catalog, timeline: Timeline, project_id: str, at: str | None) -> Project:
    return catalog.project(project_id) if at is None else timeline.project_at(project_id, at)


def _named(
    catalog: Catalog, timeline: Timeline, key: ApiKey, group: str, name: str, at: str | None
) -> Project:
    view = visible(catalog, key, group, "read")
    if at is None:
        return catalog.project_in(view, name)
    return timeline.project_by_name_at(view.meta.id, name, at)
