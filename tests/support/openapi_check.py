"""Checks every response a test receives against docs/openapi.yaml (OpenAPI 3.1).

The operation is found by method and path template; the status must be documented (or covered
by ``default``), the content type must match, and a JSON body must validate against the schema.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jsonschema
import yaml
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from tests.support.client import Response

OPENAPI_PATH = Path(__file__).resolve().parents[2] / "docs" / "openapi.yaml"
UNCHECKED_PREFIXES = ("/git/",)  # git's own protocol, documented in docs/api.md, not JSON


@cache
def document() -> dict[str, Any]:
    doc: dict[str, Any] = yaml.safe_load(OPENAPI_PATH.read_text("utf-8"))
    return doc


@cache
def _templates() -> list[tuple[re.Pattern[str], str]]:
    out = []
    for template in document()["paths"]:
        patterns = _parameter_patterns(template)

        def segment(match: re.Match[str], patterns: dict[str, str] = patterns) -> str:
            return patterns.get(match.group(1), "[^/]+")

        pattern = re.sub(r"\\\{([^/]+?)\\\}", segment, re.escape(template))
        out.append((re.compile(pattern + "$"), template))
    # Literal segments win over parameters (/project/{id}/history before /project/{group}/{name}).
    out.sort(key=lambda item: item[1].count("{"))
    return out


def _parameter_patterns(template: str) -> dict[str, str]:
    """The regex of each path parameter that documents one (``/project/{project_id}/config`` takes
    ids only, so ``/project/dev/config`` is the project named config, as the server routes it)."""
    found = {}
    for parameter in document()["paths"][template].get("parameters", []):
        if "$ref" in parameter:
            parameter = _at(str(parameter["$ref"]).removeprefix("#"))
        pattern = parameter.get("schema", {}).get("pattern")
        if parameter.get("in") == "path" and pattern:
            found[parameter["name"]] = pattern.removeprefix("^").removesuffix("$")
    return found


def _escape(part: str) -> str:
    return part.replace("~", "~0").replace("/", "~1")


def _at(pointer: str) -> Any:
    node: Any = document()
    for part in pointer.removeprefix("/").split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def _follow(pointer: str) -> str:
    """The pointer of the node at ``pointer``, after following local ``$ref``s."""
    while isinstance(_at(pointer), dict) and "$ref" in _at(pointer):
        pointer = str(_at(pointer)["$ref"]).removeprefix("#")
    return pointer


def find_operation(method: str, path: str) -> str:
    """The JSON pointer of the documented operation that ``method path`` calls."""
    for pattern, template in _templates():
        if pattern.match(path):
            assert method.lower() in document()["paths"][template], f"{method} {template} is not documented"
            return f"/paths/{_escape(template)}/{method.lower()}"
    raise AssertionError(f"path {path} is not documented in openapi.yaml")


@cache
def _registry() -> Registry[Any]:
    registry: Registry[Any] = Registry().with_resource("urn:openapi", DRAFT202012.create_resource(document()))
    return registry


def check_response(method: str, path: str, response: Response) -> None:
    path = urlsplit(path).path
    if path.startswith(UNCHECKED_PREFIXES):
        return
    operation = find_operation(method, path)
    responses = _at(operation + "/responses")
    status = str(response.status) if str(response.status) in responses else "default"
    assert status in responses, f"{method} {path} answered {response.status}, not documented: {response}"
    spec = _follow(f"{operation}/responses/{status}")
    content = _at(spec).get("content")
    if not content:
        return
    assert response.content_type in content, (
        f"{method} {path} {response.status}: content type {response.content_type!r} not documented"
    )
    if "schema" not in content[response.content_type] or not response.content_type.endswith("json"):
        return
    schema_pointer = f"{spec}/content/{_escape(response.content_type)}/schema"
    validator = jsonschema.Draft202012Validator(
        {"$ref": "urn:openapi#" + schema_pointer}, registry=_registry()
    )
    errors = sorted(validator.iter_errors(response.json), key=lambda e: list(e.path))
    assert not errors, (
        f"{method} {path} {response.status} breaks the documented schema: "
        f"{errors[0].message} at {list(errors[0].path)}"
    )
