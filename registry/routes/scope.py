"""The group a request names, as far as the caller's key may know of it."""

from __future__ import annotations

from aiohttp import web

from registry.auth import permit, require
from registry.catalog import Catalog
from registry.context import CATALOG, OFFLOADER
from registry.errors import Forbidden, NotFound
from registry.keys import ApiKey
from registry.snapshots import GroupSnapshot


def visible(catalog: Catalog, key: ApiKey, ref: str, role: str) -> GroupSnapshot:
    """The group ``ref`` (id or name) names, if ``key`` has ``role`` on it (blocking: a thread).

    A key limited to some groups gets 403 for every other reference, whether or not a group of
    that name exists: a 404 for one name and a 403 for another would tell it which names exist
    in groups it cannot see. Look a project up only after this, for the same reason.
    """
    try:
        view = catalog.group(ref)
    except NotFound:
        if key.groups:
            raise Forbidden(f"key {key.name!r} does not cover this project group") from None
        raise
    permit(key, role, view.meta.id)
    return view


async def visible_group(request: web.Request, ref: str, role: str) -> GroupSnapshot:
    """:func:`visible` for the caller's key, in the read pool."""
    key = require(request, role)
    return await request.app[OFFLOADER].run(visible, request.app[CATALOG], key, ref, role)
