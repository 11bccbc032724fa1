"""``POST /project-group/{group}/batch``: several project changes in one commit, all or nothing."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from registry.core.batch import ACTIONS, Batch, Operation
from registry.core.errors import InvalidInput
from registry.http.auth import caller
from registry.http.bodies import field, json_object, required
from registry.http.context import CATALOG, OFFLOADER
from registry.http.representations import if_match, versioned
from registry.http.routes.scope import visible_group

routes = web.RouteTableDef()


@routes.post("/project-group/{group}/batch")
async def apply_batch(request: web.Request) -> web.Response:
    group_id = (await visible_group(request, request.match_info["group"], "write")).meta.id
    key = caller(request)  # visible_group checked the role on this group
    body = await json_object(request)
    operations = _operations(body)
    catalog = request.app[CATALOG]
    result = await request.app[OFFLOADER].write(
        group_id,
        Batch(catalog.snapshots, catalog.writer, catalog.validator).apply,
        group_id,
        operations,
        author=key.name,
        message=field(body, "message", str),
        if_match=if_match(request),
    )
    changes = [
        {"action": t.action, "id": t.project_id, "name": t.name, "format": t.format, "dialect": t.dialect}
        for t in result.touches
    ]
    return versioned({"version": result.view.version, "changes": changes}, result.view.version)


def _operations(body: dict[str, Any]) -> list[Operation]:
    raw = required(body, "operations", list)
    operations = []
    for index, item in enumerate(raw):
        if not isinstance(item, dict):
            raise InvalidInput(f"operation {index} must be a JSON object")
        named = required(item, "action", str)
        action = next((a for a in ACTIONS if a == named), None)
        if action is None:
            raise InvalidInput(
                f"operation {index}: action must be one of {', '.join(ACTIONS)}, not {named!r}"
            )
        for name, value in item.items():
            if isinstance(value, str) and not _encodable(value):  # lone surrogates such as "\ud800"
                raise InvalidInput(f"operation {index}: field {name!r} holds an unpaired surrogate")
        operations.append(
            Operation(
                action=action,
                project=field(item, "project", str),
                name=field(item, "name", str),
                data=field(item, "data", str),
                format=field(item, "format", str),
                dialect=field(item, "dialect", str),
            )
        )
    return operations


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
