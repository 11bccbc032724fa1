"""Service endpoints: liveness, the OpenAPI document, and the yaml language's JSON Schema."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

import yaml
from aiohttp import web

from registry.http.context import OFFLOADER

routes = web.RouteTableDef()


@cache
def openapi_document() -> dict[str, Any]:
    """docs/openapi.yaml, shipped inside the package as registry/openapi.yaml."""
    text = resources.files("registry").joinpath("openapi.yaml").read_text("utf-8")
    doc: dict[str, Any] = yaml.safe_load(text)
    return doc


@routes.get("/healthz")
async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


@routes.get("/openapi.json")
async def openapi(request: web.Request) -> web.Response:
    return web.Response(text=json.dumps(openapi_document()), content_type="application/json")


@cache
def yaml_language_schema() -> bytes:
    """docs/formats/yaml.schema.json, shipped inside the package as registry/formats/yaml.schema.json."""
    return resources.files("registry.formats").joinpath("yaml.schema.json").read_bytes()


@routes.get("/formats/yaml.schema.json")
async def yaml_schema(request: web.Request) -> web.Response:
    # Public (auth.PUBLIC_PATHS): editors fetch it by URL and cannot send a key.
    body = await request.app[OFFLOADER].run(yaml_language_schema)
    return web.Response(
        body=body, content_type="application/schema+json", headers={"Cache-Control": "public, max-age=3600"}
    )
