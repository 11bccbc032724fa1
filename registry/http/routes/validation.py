"""/validate and /project/{id}/entities: format validation over HTTP.

``POST /validate`` checks a document without storing anything (for CI pipelines and editors);
``GET /project/{id}/entities`` gives the entity model of a project's current schema (``?as=yaml``:
as a document of the yaml format, whatever the project's format).
Validation is CPU work on documents of up to megabytes, so it runs in the offloader's threads,
at most as many at once as there are validation processes (:mod:`registry.http.validation_slots`);
past the server's deadline the answer is ``503 validation-busy``, never a verdict on the document.
"""

from __future__ import annotations

import functools
from typing import Any

from aiohttp import web

from registry.core.changes import Project, SchemaValidator, check_format
from registry.core.errors import InvalidInput, InvalidSchema
from registry.core.names import group_of_known_project
from registry.formats import ValidationResult
from registry.formats.yaml_writer import to_yaml
from registry.http.auth import require
from registry.http.bodies import field, json_object, required
from registry.http.context import CATALOG, OFFLOADER, VALIDATION_POOL, VALIDATION_SLOTS
from registry.http.representations import versioned
from registry.http.routes.paths import PROJECT_BY_ID

routes = web.RouteTableDef()


@routes.post("/validate")
async def validate_document(request: web.Request) -> web.Response:
    require(request, "read")
    body = await json_object(request)
    fmt = required(body, "format", str)
    data = required(body, "data", str)
    dialect = field(body, "dialect", str)
    dialect = check_format(fmt, dialect)
    pool = request.app[VALIDATION_POOL]
    async with request.app[VALIDATION_SLOTS].held(pool, data) as until:
        result = await request.app[OFFLOADER].run(pool.validate, fmt, data, dialect=dialect, until=until)
    return web.json_response(result.to_json())


@routes.get(PROJECT_BY_ID + "/entities")
async def project_entities(request: web.Request) -> web.Response:
    project_id = request.match_info["project_id"]
    representation = request.query.get("as", "json")
    if representation not in ("json", "yaml"):
        raise InvalidInput("as must be json or yaml")
    require(request, "read", group_of_known_project(project_id))
    project = await request.app[OFFLOADER].run(request.app[CATALOG].project, project_id)
    pool = request.app[VALIDATION_POOL]
    async with request.app[VALIDATION_SLOTS].held(pool, project.data or "") as until:
        validator = functools.partial(pool.validate, until=until)
        if representation == "yaml":
            text = await request.app[OFFLOADER].run(entities_as_yaml, project, validator)
            return web.Response(
                text=text, content_type="application/yaml", headers={"ETag": f'"{project.version}"'}
            )
        body = await request.app[OFFLOADER].run(entities_of, project, validator)
    return versioned(body, project.version)


def entities_as_yaml(project: Project, validator: SchemaValidator) -> str:
    """The entities of ``project`` as a yaml document (docs/formats/yaml.md), converting CPU work."""
    entities = entities_of(project, validator)["entities"]
    source = f"project {project.id} ({project.format}) at version {project.version}"
    return to_yaml(entities, source=source)


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
