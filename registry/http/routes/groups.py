"""/project-group: create, read, rename, delete and list project groups."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiohttp import web

from registry.core.deleted_projects import DeletedProject, deleted_projects
from registry.core.errors import Forbidden, InvalidInput
from registry.http.auth import caller, require
from registry.http.bodies import field, json_object, required
from registry.http.context import CATALOG, OFFLOADER, TIMELINE
from registry.http.representations import (
    GroupDetailJson,
    group_at_detail,
    group_detail,
    group_summary,
    if_match,
    versioned,
)
from registry.http.routes.scope import visible_group

routes = web.RouteTableDef()
NAMES_LOCK = "\0group-names"  # group create and rename serialize on one lock: names are global


@routes.post("/project-group")
async def create_group(request: web.Request) -> web.Response:
    key = require(request, "admin")
    if key.groups:
        raise Forbidden(
            f"key {key.name!r} is limited to some project groups and cannot create new ones: use an "
            "admin key not limited to groups"
        )
    body = await json_object(request)
    name = required(body, "name", str)
    catalog = request.app[CATALOG]
    view = await request.app[OFFLOADER].write(
        NAMES_LOCK, catalog.create_group, name, author=key.name, message=field(body, "message", str)
    )
    response = versioned(group_summary(view), view.version, status=201)
    response.headers["Location"] = f"/project-group/{view.meta.id}"
    return response


@routes.get("/project-group")
async def list_groups(request: web.Request) -> web.Response:
    key = require(request, "read")
    groups = await request.app[OFFLOADER].run(request.app[CATALOG].list_groups)
    return web.json_response({"project_groups": [g.to_json() for g in groups if key.covers(g.id)]})


@routes.get("/project-group/{group}")
async def get_group(request: web.Request) -> web.Response:
    view = await visible_group(request, request.match_info["group"], "read")
    at = request.query.get("at")
    with_deleted = _flag(request, "deleted")
    deleted = await _deleted(request, view.meta.id, at) if with_deleted else None
    if at is not None:  # time travel: the group as it was then
        past = await request.app[OFFLOADER].run(request.app[TIMELINE].group_at, view.meta.id, at)
        return web.json_response(_with_deleted(group_at_detail(past), deleted))
    return versioned(_with_deleted(group_detail(view), deleted), view.version)


def _flag(request: web.Request, name: str) -> bool:
    value = request.query.get(name, "false")
    if value not in ("true", "false"):
        raise InvalidInput(f"{name} must be true or false")
    return value == "true"


async def _deleted(request: web.Request, group_id: str, at: str | None) -> list[DeletedProject]:
    """The group's deleted projects (as of ``at``), from its history in the read pool."""
    timeline = request.app[TIMELINE]

    def find() -> list[DeletedProject]:
        return deleted_projects(*timeline.position(group_id, at))

    return await request.app[OFFLOADER].run(find)


def _with_deleted(body: GroupDetailJson, deleted: list[DeletedProject] | None) -> Mapping[str, Any]:
    return body if deleted is None else {**body, "deleted_projects": [d.to_json() for d in deleted]}


@routes.put("/project-group/{group}")
async def rename_group(request: web.Request) -> web.Response:
    group_id = (await visible_group(request, request.match_info["group"], "admin")).meta.id
    key = caller(request)  # visible_group checked the role on this group
    body = await json_object(request)
    name = required(body, "name", str)
    view = await request.app[OFFLOADER].write(
        NAMES_LOCK,
        request.app[CATALOG].rename_group,
        group_id,
        name,
        author=key.name,
        message=field(body, "message", str),
        if_match=if_match(request),
    )
    return versioned(group_summary(view), view.version)


@routes.delete("/project-group/{group}")
async def delete_group(request: web.Request) -> web.Response:
    group_id = (await visible_group(request, request.match_info["group"], "admin")).meta.id
    key = caller(request)  # visible_group checked the role on this group
    body = await json_object(request) if request.can_read_body else {}
    await request.app[OFFLOADER].write(
        NAMES_LOCK,
        request.app[CATALOG].delete_group,
        group_id,
        author=key.name,
        message=field(body, "message", str),
        if_match=if_match(request),
    )
    return web.json_response({"message": "Project group deleted"})
