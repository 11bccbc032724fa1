"""/validate and /project/{id}/entities: format validation over HTTP.

``POST /validate`` checks a document without storing anything (for CI pipelines and editors);
``GET /project/{id}/entities`` gives the entity model of a project's current schema.
Validation is CPU work on documents of up to megabytes, so it runs in the offloader's threads,
at most as many at once as there are validation processes: the others wait on the event loop, not
in a read thread (many slow documents sent at once would otherwise hold every read thread while
they queue for a validation process, and stall every read that needs the disk). Small documents
wait apart from large ones, as they have a validation process of their own; all the waiting
counts against the request's deadline (:mod:`registry.core.validation_pool`).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import time
from collections.abc import AsyncIterator
from typing import Any

from aiohttp import web

from registry.core.changes import Project, SchemaValidator, check_format
from registry.core.errors import InvalidSchema, NotFound
from registry.core.names import group_of_project
from registry.core.validation_pool import ValidationPool
from registry.formats import ValidationResult
from registry.http.auth import require
from registry.http.bodies import field, json_object, required
from registry.http.context import CATALOG, OFFLOADER, VALIDATION_POOL
from registry.http.representations import versioned

routes = web.RouteTableDef()


class ValidationSlots:
    """Validations in threads at once, per lane: as many as the processes that can take them."""

    def __init__(self, workers: int, small_workers: int = 1) -> None:
        self._large = asyncio.Semaphore(workers)
        self._small = asyncio.Semaphore(workers + small_workers)  # any idle process takes them

    @contextlib.asynccontextmanager
    async def held(self, pool: ValidationPool, text: str, until: float) -> AsyncIterator[None]:
        """Hold a slot for validating ``text``; :class:`ValidationBusy` if none frees by ``until``."""
        slots = self._small if pool.is_small(text) else self._large
        try:
            async with asyncio.timeout(until - time.monotonic()):
                await slots.acquire()
        except TimeoutError:
            raise pool.busy() from None
        try:
            yield
        finally:
            slots.release()


VALIDATION_SLOTS = web.AppKey("validation_slots", ValidationSlots)

# Ids only: group names cannot start with "_", so this never shadows /project/{group}/{name}.
PROJECT_ID = "{project_id:_p[0-9a-z]+}"


@routes.post("/validate")
async def validate_document(request: web.Request) -> web.Response:
    require(request, "read")
    body = await json_object(request)
    fmt = required(body, "format", str)
    data = required(body, "data", str)
    dialect = field(body, "dialect", str)
    dialect = check_format(fmt, dialect)
    pool = request.app[VALIDATION_POOL]
    until = time.monotonic() + pool.deadline
    async with request.app[VALIDATION_SLOTS].held(pool, data, until):
        result = await request.app[OFFLOADER].run(pool.validate, fmt, data, dialect=dialect, until=until)
    return web.json_response(result.to_json())


@routes.get(f"/project/{PROJECT_ID}/entities")
async def project_entities(request: web.Request) -> web.Response:
    project_id = request.match_info["project_id"]
    group_id = group_of_project(project_id)
    if group_id is None:
        raise NotFound(f"no project with id {project_id!r}")
    require(request, "read", group_id)
    project = await request.app[OFFLOADER].run(request.app[CATALOG].project, project_id)
    pool = request.app[VALIDATION_POOL]
    until = time.monotonic() + pool.deadline
    async with request.app[VALIDATION_SLOTS].held(pool, project.data or "", until):
        validator = functools.partial(pool.validate, until=until)
        body = await request.app[OFFLOADER].run(entities_of, project, validator)
    return versioned(body, project.version)


def entities_of(project: Project, validator: SchemaValidator) -> dict[str, Any]:
    """The entity model of ``project``'s current schema (none for a project without one)."""
    result = ValidationResult()
    if project.data is not None:
        result = validator(project.format, project.data, dialect=project.dialect)
    if not result.valid:  # load is never the reason: the validator raises ValidationBusy then
        # Stored under older rules than today's: say why, rather than answer with no entities.
        raise InvalidSchema(
            f"the stored {project.format} schema (version {project.version}) no longer validates",
            result.errors,
        )
    return {
        "project_id": project.id,
        "version": project.version,
        "format": project.format,
        "entities": list(result.entities),
        "warnings": [w.to_json() for w in result.warnings],
    }
