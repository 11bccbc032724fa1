"""Service endpoints: liveness, the OpenAPI document and its page, the yaml language's JSON Schema."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

import yaml
from aiohttp import web

from registry.http import reference_page
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


@cache
def _openapi_json() -> str:
    return json.dumps(openapi_document())


@cache
def _page() -> str:
    return reference_page.render(openapi_document())


# The API description is public information, so these three need no key (auth.PUBLIC_PATHS).
# The page is rendered once per process, from the document shipped with the package.
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'self'",  # no scripts, no inline styles: nothing else
    "X-Content-Type-Options": "nosniff",
}


@routes.get("/openapi.json")
async def openapi(request: web.Request) -> web.Response:
    return web.Response(text=_openapi_json(), content_type="application/json")


@routes.get("/docs")
async def reference(request: web.Request) -> web.Response:
    return web.Response(text=_page(), content_type="text/html", headers=PAGE_HEADERS)


@routes.get(reference_page.STYLESHEET)
async def stylesheet(request: web.Request) -> web.Response:
    return web.Response(text=reference_page.STYLE, content_type="text/css", headers=PAGE_HEADERS)


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
