"""/project: create, read, update, rename and delete projects (by id, or by group and name).

Two route tables: ``routes`` (``/project`` and ``/project/{project_id}``) is registered before
every other ``/project/...`` route, so a read by id is matched first and with one pattern;
``by_name_routes`` (``/project/{group}/{name}``) comes after ``/project/{id}/history`` and the
like, which it would otherwise swallow.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from registry.core.catalog import Catalog, named_project
from registry.core.changes import Project
from registry.core.keys import ApiKey
from registry.core.names import group_of_known_project
from registry.core.snapshots import GroupSnapshot
from registry.core.timeline import Timeline
from registry.http.auth import caller, require
from registry.http.bodies import field, forced, json_object, required
from registry.http.context import CATALOG, OFFLOADER, RENDERED_PROJECTS, TIMELINE
from registry.http.representations import if_match, project_detail, raw_response, versioned, wants_raw
from registry.http.routes.scope import visible, visible_group, visible_in_memory

routes = web.RouteTableDef()
by_name_routes = web.RouteTableDef()


def _project_response(request: web.Request, project: Project, *, status: int = 200) -> web.Response:
    return request.app[RENDERED_PROJECTS].response(project, status=status)


def _read_answer(request: web.Request, project: Project) -> web.Response:
    """A read's answer: the JSON, or the schema text as stored if the request asks for it."""
    if wants_raw(request, project.format):
        return raw_response(project)
    return _vary(_project_response(request, project))


def _vary(response: web.Response) -> web.Response:
    """Reads answer by ``Accept`` (JSON or the text as stored): caches must key on it."""
    response.headers["Vary"] = "Accept"
    return response


def _written_response(project: Project, *, status: int = 200) -> web.Response:
    """A written project with what validating its schema warned about (never kept for reads)."""
    body = {**project_detail(project), "warnings": [w.to_json() for w in project.warnings]}
    return versioned(body, project.version, status=status)


@routes.get("/project/{project_id}")
async def get_project(request: web.Request) -> web.Response:
    group_id = _group_id(request)
    require(request, "read", group_id)
    pid, app = request.match_info["project_id"], request.app
    at = request.query.get("at") if request.query_string else None  # most reads have no query
    if at is not None:  # time travel: the project as it was then
        return _read_answer(request, await app[OFFLOADER].run(app[TIMELINE].project_at, pid, at))
    catalog = app[CATALOG]
    view = catalog.fresh_view(group_id)
    response = _from_memory(request, view, pid) if view is not None else None
    if response is not None:
        return response
    return _read_answer(request, await app[OFFLOADER].run(catalog.project, pid))


def _from_memory(request: web.Request, view: GroupSnapshot, project_id: str) -> web.Response | None:
    """The project's answer from memory alone, or None if that needs disk.

    While nothing changed this is a read's whole work: no thread hop, and no rendering after
    the first read. Only a read that may want the text as stored needs the format first.
    """
    app = request.app
    rendered = app[RENDERED_PROJECTS]
    may_want_raw = bool(request.query_string) or request.headers.get("Accept", "*/*") != "*/*"
    response = None if may_want_raw else rendered.current(view.version, project_id)
    if response is not None:
        return _vary(response)
    project = app[CATALOG].cached_project(view, project_id)
    if project is None:
        return None
    if may_want_raw and wants_raw(request, project.format):
        return raw_response(project)
    return _vary(rendered.response(project, head=view.version))


# After the read by id: aiohttp tries the routes under /project in the order they were added,
# and a read should not first be checked against this one.
@routes.post("/project")
async def create_project(request: web.Request) -> web.Response:
    require(request, "write")
    body = await json_object(request)
    group = await visible_group(request, required(body, "project_group_id", str), "write")
    key = caller(request)  # visible_group checked the role on this group
    project = await request.app[OFFLOADER].write(
        group.meta.id,
        request.app[CATALOG].create_project,
        group.meta.id,
        required(body, "name", str),
        fmt=field(body, "format", str) or "yaml",
        dialect=field(body, "dialect", str),
        data=field(body, "data", str),
        author=key.name,
        message=field(body, "message", str),
    )
    response = _written_response(project, status=201)
    response.headers["Location"] = f"/project/{project.id}"
    return response


@routes.put("/project/{project_id}")
async def update_project(request: web.Request) -> web.Response:
    return await _update(request, request.match_info["project_id"])


@routes.patch("/project/{project_id}")
async def rename_project(request: web.Request) -> web.Response:
    return await _rename(request, request.match_info["project_id"])


@routes.delete("/project/{project_id}")
async def delete_project(request: web.Request) -> web.Response:
    return await _delete(request, request.match_info["project_id"])


async def _rename(request: web.Request, project_id: str) -> web.Response:
    group_id = group_of_known_project(project_id)
    key = require(request, "write", group_id)
    body = await json_object(request)
    project = await request.app[OFFLOADER].write(
        group_id,
        request.app[CATALOG].rename_project,
        project_id,
        required(body, "name", str),
        **_provenance(request, key.name, body),
    )
    return _project_response(request, project)


async def _delete(request: web.Request, project_id: str) -> web.Response:
    group_id = group_of_known_project(project_id)
    key = require(request, "write", group_id)
    body = await json_object(request) if request.can_read_body else {}
    await request.app[OFFLOADER].write(
        group_id,
        request.app[CATALOG].delete_project,
        project_id,
        **_provenance(request, key.name, body),
    )
    return web.json_response({"message": "Project deleted"})


@by_name_routes.get("/project/{group}/{name}")
async def get_project_by_name(request: web.Request) -> web.Response:
    require(request, "read")
    group, name, app = request.match_info["group"], request.match_info["name"], request.app
    at = request.query.get("at")
    if at is None:
        response = _by_name_from_memory(request, group, name)
        if response is not None:
            return response
    project = await app[OFFLOADER].run(_named, app[CATALOG], app[TIMELINE], caller(request), group, name, at)
    return _read_answer(request, project)


def _named(
    catalog: Catalog, timeline: Timeline, key: ApiKey, group: str, name: str, at: str | None
) -> Project:
    """The project named ``name`` in a group the key may read (as it was ``at``, if given).

    Blocking (one read-pool hop); the group's scope is checked before the name is looked up.
    """
    view = visible(catalog, key, group, "read")
    return (
        catalog.project_in(view, name) if at is None else timeline.project_by_name_at(view.meta.id, name, at)
    )


def _by_name_from_memory(request: web.Request, group: str, name: str) -> web.Response | None:
    """:func:`_from_memory` for a read by name, once the group's view is in memory and fresh."""
    view = visible_in_memory(request, group, "read")  # the group's scope before the name
    if view is None:  # not in memory: the read pool answers
        return None
    meta = view.meta.project_named(name)
    return _from_memory(request, view, meta.id) if meta is not None else None


@by_name_routes.put("/project/{group}/{name}")
async def update_project_by_name(request: web.Request) -> web.Response:
    require(request, "write")
    return await _update(request, await _id_by_name(request))


@by_name_routes.patch("/project/{group}/{name}")
async def rename_project_by_name(request: web.Request) -> web.Response:
    require(request, "write")
    return await _rename(request, await _id_by_name(request))


@by_name_routes.delete("/project/{group}/{name}")
async def delete_project_by_name(request: web.Request) -> web.Response:
    require(request, "write")
    return await _delete(request, await _id_by_name(request))


async def _update(request: web.Request, project_id: str) -> web.Response:
    group_id = group_of_known_project(project_id)
    key = require(request, "write", group_id)
    body = await json_object(request)
    project = await request.app[OFFLOADER].write(
        group_id,
        request.app[CATALOG].update_project,
        project_id,
        data=required(body, "data", str),
        fmt=field(body, "format", str),
        dialect=field(body, "dialect", str),
        force=forced(request, body),
        **_provenance(request, key.name, body),
    )
    return _written_response(project)


def _provenance(request: web.Request, author: str, body: dict[str, Any]) -> dict[str, Any]:
    return {"author": author, "message": field(body, "message", str), "if_match": if_match(request)}


def _group_id(request: web.Request) -> str:
    return group_of_known_project(request.match_info["project_id"])


async def _id_by_name(request: web.Request) -> str:
    """The id of the project a by-name write names (its schema text is not read for that)."""
    key, catalog = require(request, "read"), request.app[CATALOG]
    group, name = request.match_info["group"], request.match_info["name"]

    def find() -> str:
        return named_project(visible(catalog, key, group, "read"), name).id

    return await request.app[OFFLOADER].run(find)
