"""The pages people read: groups, a group, a project and its history, diff, blame and restore.

Addresses use names (``/ui/{group}/{project}/history``) or, as permalinks that survive renames,
ids (``/ui/{project_id}/history``); ids start with ``_``, which no name can, so they never clash.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

from aiohttp import web

from registry.core.errors import InvalidInput, NotFound
from registry.core.metadata import file_name
from registry.core.names import PROJECT_ID_RE
from registry.http.auth import permit
from registry.http.context import CATALOG, COMPAT, OFFLOADER, TIMELINE, VALIDATION_POOL
from registry.http.pages.access import check_csrf, page_key
from registry.http.pages.render import page, public_base
from registry.http.pages.session_routes import read_form
from registry.http.pages.views import Reader

routes = web.RouteTableDef()
SUBPAGES = ("history", "diff", "blame", "raw", "restore")
MAX_QUERY_CHARS = 200  # a version, tag or time; a name filter


async def _reader(request: web.Request) -> Reader:
    key = await page_key(request)
    app = request.app
    return Reader(app[CATALOG], app[TIMELINE], key, app[VALIDATION_POOL].validate, app[COMPAT])


def _query(request: web.Request, name: str) -> str | None:
    value = request.query.get(name)
    if value is None or value == "":
        return None
    if len(value) > MAX_QUERY_CHARS:
        raise InvalidInput(f"{name} is longer than {MAX_QUERY_CHARS} characters")
    return value


@routes.get("/ui/")
async def groups_page(request: web.Request) -> web.Response:
    reader = await _reader(request)
    query = _query(request, "q") or ""
    groups = await request.app[OFFLOADER].run(reader.groups, query)
    return page(request, "groups.html", {"groups": groups, "query": query})


@routes.get("/ui")
async def pages_root(request: web.Request) -> web.Response:
    raise web.HTTPSeeOther("/ui/")


@routes.get("/ui/{ref}")
async def one_segment(request: web.Request) -> web.Response:
    ref = request.match_info["ref"]
    if PROJECT_ID_RE.fullmatch(ref):
        return await _project_page(request, ref, None, None)
    reader = await _reader(request)
    found = await request.app[OFFLOADER].run(reader.group, ref, _query(request, "cursor"))
    group = found["group"]
    clone = f"{public_base(request)}/git/{quote(group.name)}.git"
    more = f"/ui/{quote(ref)}?{urlencode({'cursor': found['next_cursor']})}" if found["next_cursor"] else None
    return page(
        request,
        "group.html",
        {**found, "clone_url": clone, "permalink": f"{public_base(request)}/ui/{group.id}", "more": more},
    )


@routes.get("/ui/{ref}/{name}")
async def two_segments(request: web.Request) -> web.Response:
    ref, name = request.match_info["ref"], request.match_info["name"]
    if PROJECT_ID_RE.fullmatch(ref):
        if name not in SUBPAGES:
            raise web.HTTPNotFound()
        return await _project_page(request, ref, None, name)
    return await _project_page(request, ref, name, None)


@routes.get("/ui/{ref}/{name}/{sub}")
async def three_segments(request: web.Request) -> web.Response:
    sub = request.match_info["sub"]
    if sub not in SUBPAGES or PROJECT_ID_RE.fullmatch(request.match_info["ref"]):
        raise web.HTTPNotFound()
    return await _project_page(request, request.match_info["ref"], request.match_info["name"], sub)


@routes.post("/ui/{ref}/{name}")
async def restore_by_id(request: web.Request) -> web.Response:
    if request.match_info["name"] != "restore" or not PROJECT_ID_RE.fullmatch(request.match_info["ref"]):
        raise web.HTTPNotFound()
    return await _restore(request, request.match_info["ref"], None)


@routes.post("/ui/{ref}/{name}/{sub}")
async def restore_by_name(request: web.Request) -> web.Response:
    if request.match_info["sub"] != "restore" or PROJECT_ID_RE.fullmatch(request.match_info["ref"]):
        raise web.HTTPNotFound()
    return await _restore(request, request.match_info["ref"], request.match_info["name"])


async def _project_page(request: web.Request, ref: str, name: str | None, sub: str | None) -> web.Response:
    reader = await _reader(request)
    run = request.app[OFFLOADER].run
    pid = await run(reader.project_id, ref, name)
    here = f"/ui/{quote(ref)}" + (f"/{quote(name)}" if name is not None else "")
    heading = await run(reader.heading, pid)
    context: dict[str, Any] = {
        "head": heading,
        "here": here,
        "tab": sub or "schema",
        "permalink": f"{public_base(request)}/ui/{pid}" + (f"/{sub}" if sub else ""),
        "may_write": reader.key.allows("write"),
    }
    at = _query(request, "at")
    if sub is None:
        context.update(await run(reader.project, pid, at))
        context["at"] = at
        _pin(context, at=context["project"].version if at else None)
        return page(request, "project.html", context)
    if sub == "raw":
        project = await run(reader.raw, pid, at)
        return _raw(project.data, project.name, project.format)
    if sub == "history":
        found = await run(reader.history, pid, _query(request, "cursor"))
        cursor = found["next_cursor"]
        more = f"{here}/history?{urlencode({'cursor': cursor})}" if cursor else None
        return page(request, "history.html", {**context, **found, "more": more})
    if sub == "diff":
        found = await run(reader.diff, pid, _query(request, "from"), _query(request, "to"))
        view = "unified" if request.query.get("view") == "unified" else "split"
        _pin(context, **{"from": found["from_version"], "to": found["to_version"]})
        return page(request, "diff.html", {**context, **found, "view": view})
    if sub == "blame":
        context["blame"] = await run(reader.blame, pid, at)
        context["at"] = at
        _pin(context, at=context["blame"].version if at else None)
        return page(request, "blame.html", context)
    return await _restore_preview(request, reader, pid, context)


def _pin(context: dict[str, Any], **versions: str | None) -> None:
    """Make the permalink name the versions shown by their ids: a tag can move, a time can mean
    another version once a pushed history lands, a default changes with the next write."""
    chosen = {name: version for name, version in versions.items() if version is not None}
    if chosen:
        context["permalink"] += "?" + urlencode(chosen)


async def _restore_preview(
    request: web.Request, reader: Reader, pid: str, context: dict[str, Any]
) -> web.Response:
    version = _query(request, "version")
    if version is None:
        raise InvalidInput("say which version to restore: ?version=")
    permit(reader.key, "write", context["head"]["group_id"])
    found = await request.app[OFFLOADER].run(reader.restore_preview, pid, version)
    _pin(context, version=found["target"].version)
    return page(request, "restore.html", {**context, **found})


async def _restore(request: web.Request, ref: str, name: str | None) -> web.Response:
    reader = await _reader(request)
    form = await read_form(request)
    check_csrf(request, form.get("csrf"))
    run = request.app[OFFLOADER]
    pid = await run.run(reader.project_id, ref, name, "write")
    version = form.get("version") or ""
    if not version or len(version) > MAX_QUERY_CHARS:
        raise InvalidInput("the form names no version to restore")
    state = await run.run(request.app[TIMELINE].project_at, pid, version)
    await run.write(
        state.group_id,
        request.app[CATALOG].restore_project,
        state,
        author=reader.key.name,
        message=(form.get("message") or "").strip()[:2000] or None,
    )
    raise web.HTTPSeeOther(f"/ui/{pid}/history")  # by id: a restore may bring back another name


def _raw(data: str | None, name: str, fmt: str) -> web.Response:
    if data is None:
        raise NotFound("this version of the project has no schema text")
    filename = file_name(name, fmt)  # names are [A-Za-z0-9_.-]: nothing to quote in the header
    return web.Response(
        text=data,
        content_type="text/plain",
        charset="utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'",
            "Cache-Control": "no-store",
        },
    )
