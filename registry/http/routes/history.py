"""History endpoints: project and group history, versions, diffs, restore, tags.

Registered before the project routes: ``/project/{project_id}/history`` must win over
``/project/{group}/{name}``; ids start with ``_``, which no group name can, so they never clash.
"""

from __future__ import annotations

from typing import Any, TypedDict

from aiohttp import web

from registry.core.errors import InvalidInput
from registry.core.keys import Role
from registry.core.metadata import timestamp_text
from registry.http.auth import caller
from registry.http.bodies import field, forced, json_object, required
from registry.http.context import CATALOG, COMPAT, OFFLOADER, TIMELINE
from registry.http.representations import ProjectDetailJson, if_match, project_detail, versioned
from registry.http.routes.paths import PROJECT_BY_ID, PROJECT_BY_NAME
from registry.http.routes.scope import project_of_path, visible_group
from repo_store import TagInfo

routes = web.RouteTableDef()
# Each route also by group and project name; there a name also finds a deleted project (the
# one most recently deleted under it), whose history and restore matter most.


def _limit(request: web.Request) -> int | None:
    raw = request.query.get("limit")
    if raw is None:
        return None
    if not (raw.isascii() and raw.isdigit()):  # "²".isdigit() is true, and int() refuses it
        raise InvalidInput("limit must be a positive integer")
    return int(raw)


@routes.get(PROJECT_BY_ID + "/history")
@routes.get(PROJECT_BY_NAME + "/history")
async def project_history(request: web.Request) -> web.Response:
    pid, _ = await project_of_path(request)
    timeline, service = request.app[TIMELINE], request.app[COMPAT]

    def page_with_summaries() -> tuple[list[dict[str, Any]], str | None, str]:
        page = timeline.project_history(pid, limit=_limit(request), cursor=request.query.get("cursor"))
        return service.summarize(pid, page.items), page.next_cursor, page.newest

    items, next_cursor, newest = await request.app[OFFLOADER].run(page_with_summaries)
    return versioned({"versions": items, "next_cursor": next_cursor}, newest)


@routes.get(PROJECT_BY_ID + "/versions/{version}")
@routes.get(PROJECT_BY_NAME + "/versions/{version}")
async def project_version(request: web.Request) -> web.Response:
    pid, _ = await project_of_path(request)
    project = await request.app[OFFLOADER].run(
        request.app[TIMELINE].project_at, pid, request.match_info["version"]
    )
    return versioned(_with_timestamp(project_detail(project)), project.version)


@routes.get(PROJECT_BY_ID + "/diff")
@routes.get(PROJECT_BY_NAME + "/diff")
async def project_diff(request: web.Request) -> web.Response:
    pid, _ = await project_of_path(request)
    diff = await request.app[OFFLOADER].run(
        request.app[TIMELINE].diff, pid, from_=request.query.get("from"), to=request.query.get("to")
    )
    if "application/json" in request.headers.get("Accept", ""):
        return web.json_response(
            {
                "from": diff.from_version,
                "to": diff.to_version,
                "from_file": diff.from_file,
                "to_file": diff.to_file,
                "diff": diff.text,
            }
        )
    return web.Response(text=diff.text, content_type="text/x-diff")


# Any id-shaped or not, so that a non-id answers 404 rather than 405.
@routes.post("/project/{project_id}/restore")
@routes.post(PROJECT_BY_NAME + "/restore")
async def restore_project(request: web.Request) -> web.Response:
    pid, author = await project_of_path(request, "write")
    body = await json_object(request)
    version = required(body, "version", str)
    force = forced(request, body)
    run = request.app[OFFLOADER]
    state = await run.run(request.app[TIMELINE].project_at, pid, version)
    project = await run.write(
        state.group_id,
        request.app[CATALOG].restore_project,
        state,
        author=author,
        message=field(body, "message", str),
        if_match=if_match(request),
        force=force,
    )
    return versioned(project_detail(project), project.version)


@routes.get("/project-group/{group}/history")
async def group_history(request: web.Request) -> web.Response:
    group_id = await _group_id(request, "read")
    page = await request.app[OFFLOADER].run(
        request.app[TIMELINE].group_history,
        group_id,
        limit=_limit(request),
        cursor=request.query.get("cursor"),
    )
    return versioned({"versions": page.items, "next_cursor": page.next_cursor}, page.newest)


@routes.get("/project-group/{group}/tags")
async def list_tags(request: web.Request) -> web.Response:
    group_id = await _group_id(request, "read")
    tags = await request.app[OFFLOADER].run(request.app[TIMELINE].tags, group_id)
    return web.json_response({"tags": [_tag_json(t) for t in tags]})


@routes.post("/project-group/{group}/tags")
async def create_tag(request: web.Request) -> web.Response:
    group_id = await _group_id(request, "write")
    key = caller(request)  # visible_group checked the role on this group
    body = await json_object(request)
    name = required(body, "name", str)
    run = request.app[OFFLOADER]
    history, index = await run.run(request.app[TIMELINE].position, group_id, field(body, "version", str))
    tag = await run.write(
        group_id,
        request.app[CATALOG].create_tag,
        group_id,
        name,
        version=history.revisions[index].version,
        author=key.name,
        message=field(body, "message", str),
    )
    return web.json_response(_tag_json(tag), status=201)


async def _group_id(request: web.Request, role: Role) -> str:
    return (await visible_group(request, request.match_info["group"], role)).meta.id


class TagJson(TypedDict):
    name: str
    version: str
    message: str | None
    tagger: str | None
    timestamp: str | None


def _tag_json(tag: TagInfo) -> TagJson:
    return {
        "name": tag.name,
        "version": tag.target,
        "message": tag.message,
        "tagger": tag.tagger,
        "timestamp": timestamp_text(tag.timestamp) if tag.timestamp is not None else None,
    }


def _with_timestamp(body: ProjectDetailJson) -> dict[str, Any]:
    return {**body, "timestamp": body["updated_at"]}
