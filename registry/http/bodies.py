"""Reading JSON request bodies: anything malformed is a 400, never a 500."""

from __future__ import annotations

import json
from typing import Any, TypeVar

from aiohttp import web

from registry.core.errors import Forbidden, InvalidInput, PayloadTooLarge
from registry.http.auth import caller

T = TypeVar("T")


async def json_object(request: web.Request) -> dict[str, Any]:
    """The body as a JSON object, with every string checked to be encodable UTF-8."""
    try:
        raw = await request.read()
    except web.HTTPRequestEntityTooLarge as exc:
        raise PayloadTooLarge(f"the body is over the limit of {request.app._client_max_size} bytes") from exc
    try:
        doc = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise InvalidInput("the body is not valid UTF-8") from exc
    except RecursionError as exc:
        raise InvalidInput("the body is nested too deeply") from exc
    except ValueError as exc:  # JSONDecodeError, and integers too long to convert
        raise InvalidInput(f"the body is not valid JSON: {exc}") from exc
    if not isinstance(doc, dict):
        raise InvalidInput("the body must be a JSON object")
    for name, value in doc.items():
        if isinstance(value, str):
            _check_encodable(name, value)
    return doc


def _check_encodable(name: str, value: str) -> None:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:  # lone surrogates such as "\ud800"
        raise InvalidInput(f"field {name!r} holds an unpaired surrogate") from exc


def field(doc: dict[str, Any], name: str, kind: type[T], *, required: bool = False) -> T | None:
    """``doc[name]`` if it has type ``kind``; missing (or null) gives None unless required."""
    value = doc.get(name)
    if value is None:
        if required:
            raise InvalidInput(f"field {name!r} is required")
        return None
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise InvalidInput(f"field {name!r} must be a {_type_name(kind)}")
    return value


def forced(request: web.Request, doc: dict[str, Any]) -> bool:
    """The body's ``force`` (override the compatibility level): an admin's alone to send."""
    force = field(doc, "force", bool) or False
    key = caller(request)
    if force and not key.allows("admin"):
        raise Forbidden(f"key {key.name!r} has role {key.role!r}; \"force\" needs 'admin'")
    return force


def required(doc: dict[str, Any], name: str, kind: type[T]) -> T:
    value = field(doc, name, kind, required=True)
    assert value is not None
    return value


def _type_name(kind: type) -> str:
    return {str: "string", int: "integer", bool: "boolean", dict: "object", list: "array"}.get(
        kind, kind.__name__
    )
