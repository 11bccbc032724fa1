"""Webhook endpoints (admin keys): make, list, change, delete, deliveries and redelivery.

A key scoped to groups makes webhooks that only ever receive those groups' events, and sees and
changes only webhooks made within its groups.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from registry.core.errors import InvalidInput, NotFound
from registry.core.event_stream import parse_types
from registry.core.keys import ApiKey
from registry.core.webhook_plan import find_event, start_positions
from registry.core.webhook_urls import check_destination, check_url
from registry.core.webhooks import (
    MAX_DESCRIPTION,
    Webhook,
    new_secret,
    new_webhook_id,
    now_text,
    public,
)
from registry.http.auth import caller, require
from registry.http.bodies import field, json_object, required
from registry.http.context import CATALOG, CONFIG, EVENT_FEED, OFFLOADER, WEBHOOK_STORE
from registry.http.routes.events import base_url
from registry.http.routes.scope import visible

routes = web.RouteTableDef()
WEBHOOK = "/webhooks/{webhook_id:_w[0-9a-z]+}"


def _within(key: ApiKey, hook: Webhook) -> bool:
    """Whether ``key`` may see ``hook``: an unscoped key sees all; a scoped one those made within
    its groups."""
    return not key.groups or (bool(hook["scope"]) and set(hook["scope"]) <= set(key.groups))


def _filters(request: web.Request, body: dict[str, Any]) -> dict[str, Any]:
    """The filter fields of a body, checked (blocking: group names are looked up)."""
    out: dict[str, Any] = {}
    if "groups" in body:
        refs = field(body, "groups", list) or []
        if not all(isinstance(ref, str) for ref in refs) or len(refs) > 1000:
            raise InvalidInput("field 'groups' must be a list of group ids or names")
        catalog, key = request.app[CATALOG], caller(request)
        out["groups"] = list(dict.fromkeys(visible(catalog, key, ref, "admin").meta.id for ref in refs))
    if "types" in body:
        kinds = field(body, "types", list)
        if kinds is not None and not all(isinstance(kind, str) for kind in kinds):
            raise InvalidInput("field 'types' must be a list of event types")
        chosen = parse_types(kinds or [])
        out["types"] = sorted(chosen) if chosen is not None else None
    if "description" in body:
        description = field(body, "description", str)
        if description is not None and len(description) > MAX_DESCRIPTION:
            raise InvalidInput(f"description is longer than {MAX_DESCRIPTION} characters")
        out["description"] = description
    if "url" in body:
        url = check_url(body["url"])
        check_destination(url, allow_private=request.app[CONFIG].webhooks_allow_private)
        out["url"] = url
    return out


def _make(request: web.Request, body: dict[str, Any], base: str) -> Webhook:
    if "url" not in body:
        raise InvalidInput("field 'url' is required")
    checked = _filters(request, body)
    key = caller(request)
    hook: Webhook = {
        "id": new_webhook_id(),
        "url": checked["url"],
        "groups": checked.get("groups", []),
        "types": checked.get("types"),
        "description": checked.get("description"),
        "secret": new_secret(),
        "created_at": now_text(),
        "created_by": key.name,
        "scope": list(key.groups),
        "base_url": base,
        "paused": False,
        "generation": 0,
        "positions": {},
        "retry": None,
        "failing": None,
        "deliveries": [],
        "redeliver": [],
    }
    hook["positions"] = start_positions(request.app[EVENT_FEED], hook)
    return request.app[WEBHOOK_STORE].create(hook)


@routes.post("/webhooks")
async def create_webhook(request: web.Request) -> web.Response:
    require(request, "admin")
    body = await json_object(request)
    hook = await request.app[OFFLOADER].run(_make, request, body, base_url(request))
    return web.json_response({**public(hook), "secret": hook["secret"]}, status=201)


@routes.get("/webhooks")
async def list_webhooks(request: web.Request) -> web.Response:
    key = require(request, "admin")
    hooks = await request.app[OFFLOADER].run(request.app[WEBHOOK_STORE].all)
    shown = [public(h) for h in hooks.values() if _within(key, h)]
    return web.json_response({"webhooks": shown})


async def _visible_hook(request: web.Request) -> Webhook:
    key = require(request, "admin")
    hook = await request.app[OFFLOADER].run(request.app[WEBHOOK_STORE].get, request.match_info["webhook_id"])
    if not _within(key, hook):
        raise NotFound(f"no webhook with id {hook['id']!r}")
    return hook


@routes.get(WEBHOOK)
async def get_webhook(request: web.Request) -> web.Response:
    return web.json_response(public(await _visible_hook(request)))


def _patch(request: web.Request, hook: Webhook, body: dict[str, Any]) -> Webhook:
    checked = _filters(request, body)
    paused = field(body, "paused", bool)
    positions = field(body, "positions", dict)
    feed = request.app[EVENT_FEED]
    if positions is not None:  # moving on past events on purpose: each must be in its group
        for group_id, event_id in positions.items():
            if event_id is not None and (
                not isinstance(event_id, str) or find_event(feed, hook, event_id) is None
            ):
                raise InvalidInput(
                    f"position {event_id!r} is not an event of group {group_id} this webhook gets"
                )

    def apply(stored: Webhook) -> None:
        for name, value in checked.items():
            stored[name] = value  # type: ignore[literal-required]
        if "groups" in checked:  # newly followed groups start from now
            fresh = start_positions(feed, stored)
            for group_id, last in fresh.items():
                stored["positions"].setdefault(group_id, last)
        if paused is not None:
            stored["paused"] = paused
        if positions is not None:
            stored["positions"].update(positions)

    return request.app[WEBHOOK_STORE].update(hook["id"], apply)


@routes.patch(WEBHOOK)
async def patch_webhook(request: web.Request) -> web.Response:
    hook = await _visible_hook(request)
    body = await json_object(request)
    changed = await request.app[OFFLOADER].run(_patch, request, hook, body)
    return web.json_response(public(changed))


@routes.delete(WEBHOOK)
async def delete_webhook(request: web.Request) -> web.Response:
    hook = await _visible_hook(request)
    await request.app[OFFLOADER].run(request.app[WEBHOOK_STORE].delete, hook["id"])
    return web.Response(status=204)


@routes.get(WEBHOOK + "/deliveries")
async def list_deliveries(request: web.Request) -> web.Response:
    hook = await _visible_hook(request)
    return web.json_response({"deliveries": list(reversed(hook["deliveries"]))})


@routes.post(WEBHOOK + "/redeliver")
async def redeliver(request: web.Request) -> web.Response:
    hook = await _visible_hook(request)
    body = await json_object(request)
    event_id = required(body, "event_id", str)
    run = request.app[OFFLOADER].run
    if await run(find_event, request.app[EVENT_FEED], hook, event_id) is None:
        raise NotFound(f"no event {event_id!r} among this webhook's events")
    await run(request.app[WEBHOOK_STORE].ask_redelivery, hook["id"], event_id)
    return web.json_response({"event_id": event_id}, status=202)
