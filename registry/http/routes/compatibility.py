"""Compatibility: the ``config`` routes of groups and projects, checks and semantic diffs.

Project routes take ids only (``/project/{group}/config`` is the project named ``config``), as
``/entities`` does; they are registered before ``/project/{group}/{name}``.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from registry.core.errors import InvalidInput
from registry.core.keys import Role
from registry.core.levels import Level, check_level
from registry.core.names import group_of_known_project
from registry.http.auth import caller, require
from registry.http.bodies import field, json_object, required
from registry.http.context import COMPAT, COMPAT_SETTINGS, OFFLOADER, VALIDATION_POOL, VALIDATION_SLOTS
from registry.http.representations import if_match, versioned
from registry.http.routes.paths import PROJECT_BY_ID, PROJECT_BY_NAME
from registry.http.routes.scope import project_of_path, visible_group

routes = web.RouteTableDef()


def _at(request: web.Request) -> str | None:
    return request.query.get("at")


def _level_or_none(body: dict[str, Any]) -> Level | None:
    """The body's ``compatibility``: a level, or an explicit null (drop the level set here)."""
    if "compatibility" not in body:
        raise InvalidInput("field 'compatibility' is required (a level, or null to drop this one)")
    value = body["compatibility"]
    return None if value is None else check_level(value)


def _project_group(request: web.Request, role: Role) -> tuple[str, str]:
    pid = request.match_info["project_id"]
    return pid, require(request, role, group_of_known_project(pid)).name


@routes.get("/project-group/{group}/config")
async def group_config(request: web.Request) -> web.Response:
    group_id = (await visible_group(request, request.match_info["group"], "read")).meta.id
    settings, at = request.app[COMPAT_SETTINGS], _at(request)
    setting = await request.app[OFFLOADER].run(settings.group_setting, group_id, at)
    if at is not None:  # as a group read with ?at=: no ETag, it is no version to write on
        return web.json_response(setting.to_json())
    return versioned(setting.to_json(), setting.version)


@routes.put("/project-group/{group}/config")
async def set_group_config(request: web.Request) -> web.Response:
    group_id = (await visible_group(request, request.match_info["group"], "admin")).meta.id
    body = await json_object(request)
    level = _level_or_none(body)
    setting = await request.app[OFFLOADER].write(
        group_id,
        request.app[COMPAT_SETTINGS].set_group_level,
        group_id,
        level,
        author=caller(request).name,
        message=field(body, "message", str),
        if_match=if_match(request),
    )
    return versioned(setting.to_json(), setting.version)


@routes.get(PROJECT_BY_ID + "/config")
async def project_config(request: web.Request) -> web.Response:
    pid, _ = _project_group(request, "read")
    setting = await request.app[OFFLOADER].run(
        request.app[COMPAT_SETTINGS].project_setting, pid, _at(request)
    )
    return web.json_response(setting.to_json())


@routes.put(PROJECT_BY_ID + "/config")
async def set_project_config(request: web.Request) -> web.Response:
    pid, author = _project_group(request, "admin")
    body = await json_object(request)
    level = _level_or_none(body)
    group_id = group_of_known_project(pid)
    setting = await request.app[OFFLOADER].write(
        group_id,
        request.app[COMPAT_SETTINGS].set_project_level,
        pid,
        level,
        author=author,
        message=field(body, "message", str),
    )
    return web.json_response(setting.to_json())


# Any id-shaped or not, as restore: POST has no by-name twin, and a non-id answers 404, not 405.
@routes.post("/project/{project_id}/compatibility")
async def check_compatibility(request: web.Request) -> web.Response:
    pid, _ = _project_group(request, "read")
    body = await json_object(request)
    level = field(body, "level", str)
    data = required(body, "data", str)
    async with request.app[VALIDATION_SLOTS].held(request.app[VALIDATION_POOL], data):
        verdict = await request.app[OFFLOADER].run(
            request.app[COMPAT].check,
            pid,
            data,
            fmt=field(body, "format", str),
            dialect=field(body, "dialect", str),
            level=check_level(level) if level is not None else None,
            against=field(body, "against", str),
        )
    return web.json_response(verdict.to_json())


@routes.get(PROJECT_BY_ID + "/changes")
@routes.get(PROJECT_BY_NAME + "/changes")
async def project_changes(request: web.Request) -> web.Response:
    pid, _ = await project_of_path(request, "read")
    query = request.query
    # Old versions' models come from the cache; the slot is for those validated the first time.
    async with request.app[VALIDATION_SLOTS].held(request.app[VALIDATION_POOL], ""):
        body = await request.app[OFFLOADER].run(
            request.app[COMPAT].changes, pid, from_=query.get("from"), to=query.get("to")
        )
    return web.json_response(body)
