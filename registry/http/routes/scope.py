"""The group a request names, as far as the caller's key may know of it."""

from __future__ import annotations

from aiohttp import web

from registry.core.catalog import Catalog
from registry.core.deleted_projects import project_id_named
from registry.core.errors import Forbidden, NotFound
from registry.core.keys import ApiKey, Role
from registry.core.names import group_of_known_project
from registry.core.snapshots import GroupSnapshot
from registry.http.auth import caller, permit, require, scope_refused
from registry.http.context import CATALOG, OFFLOADER


def visible(catalog: Catalog, key: ApiKey, ref: str, role: Role) -> GroupSnapshot:
    """The group ``ref`` (id or name) names, if ``key`` has ``role`` on it (blocking: a thread).

    A key limited to some groups gets 403 for every other reference, whether or not a group of
    that name exists: a 404 for one name and a 403 for another would tell it which names exist
    in groups it cannot see. Look a project up only after this, for the same reason.
    """
    try:
        view = catalog.group(ref)
    except NotFound:
        if key.groups:
            raise Forbidden(scope_refused(key)) from None
        raise
    permit(key, role, view.meta.id)
    return view


def visible_in_memory(request: web.Request, ref: str, role: Role) -> GroupSnapshot | None:
    """:func:`visible` from memory alone (event-loop safe), or None if that needs disk."""
    key = require(request, role)
    view = request.app[CATALOG].fresh_group(ref)
    if view is not None:
        permit(key, role, view.meta.id)
    return view


async def visible_group(request: web.Request, ref: str, role: Role) -> GroupSnapshot:
    """:func:`visible` for the caller's key: from memory while the group's view is fresh, else
    in the read pool."""
    view = visible_in_memory(request, ref, role)
    if view is not None:
        return view
    return await request.app[OFFLOADER].run(visible, request.app[CATALOG], caller(request), ref, role)


async def project_of_path(request: web.Request, role: Role = "read") -> tuple[str, str]:
    """The id of the project the path names (by id, or by group and name) and the key's name."""
    if "project_id" not in request.match_info:
        return await _project_by_name(request, role)
    pid = request.match_info["project_id"]
    return pid, require(request, role, group_of_known_project(pid)).name


async def _project_by_name(request: web.Request, role: Role) -> tuple[str, str]:
    key, catalog = require(request, role), request.app[CATALOG]
    group, name = request.match_info["group"], request.match_info["name"]

    def find() -> str:  # the group's scope is checked before the name is looked up
        view = visible(catalog, key, group, role)
        return project_id_named(view, lambda: catalog.snapshots.history(view.meta.id), name)

    return await request.app[OFFLOADER].run(find), key.name
