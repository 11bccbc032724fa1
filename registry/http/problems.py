"""One error model: every failure is an ``application/problem+json`` body (RFC 9457).

Domain errors map to a status and a stable ``code`` here and nowhere else; handlers raise, the
request middleware (:mod:`registry.http.middleware`) answers. Anything unexpected is logged with its
request id and answered with a generic 500 that leaks nothing.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from registry.core import errors

log = logging.getLogger("registry")

PROBLEM_TYPE_BASE = "https://schema-registry.dev/problems/"
PROBLEM_CONTENT_TYPE = "application/problem+json"

# class -> (status, code, title); the codes are a public contract (docs/api.md#errors).
_PROBLEMS: dict[type[errors.RegistryError], tuple[int, str, str]] = {
    errors.InvalidInput: (400, "invalid-input", "The request is malformed"),
    errors.Unauthenticated: (401, "unauthenticated", "A valid API key is required"),
    errors.Forbidden: (403, "forbidden", "The API key does not allow this"),
    errors.NotFound: (404, "not-found", "Not found"),
    errors.NameTaken: (409, "name-taken", "The name is already taken"),
    errors.GroupNotEmpty: (409, "group-not-empty", "The project group still has projects"),
    errors.WriteConflict: (409, "write-conflict", "A concurrent change won; retry"),
    errors.VersionMismatch: (412, "version-mismatch", "The version in If-Match is not the current one"),
    errors.PayloadTooLarge: (413, "payload-too-large", "The request body is too large"),
    errors.InvalidSchema: (422, "invalid-schema", "The schema is invalid"),
    errors.ValidationBusy: (503, "validation-busy", "The server is too busy to validate now; retry"),
}
_HTTP_CODES = {
    400: ("invalid-input", "The request is malformed"),
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"),
    408: ("request-timeout", "The request body did not arrive in time"),
    413: ("payload-too-large", "The request body is too large"),
    503: ("shutting-down", "The server is shutting down"),
}

# Every code an answer can carry (docs/api.md#errors and the OpenAPI enum list exactly these).
PROBLEM_CODES = frozenset(
    [
        *(code for _, code, _ in _PROBLEMS.values()),
        *(code for code, _ in _HTTP_CODES.values()),
        "http-error",
        "internal-error",
    ]
)


def problem(status: int, code: str, title: str, detail: str, **extra: Any) -> web.Response:
    body = {
        "type": PROBLEM_TYPE_BASE + code,
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
    }
    body.update(extra)
    return web.Response(status=status, text=json.dumps(body), content_type=PROBLEM_CONTENT_TYPE)


def problem_for(exc: errors.RegistryError) -> web.Response:
    for cls in type(exc).__mro__:
        if cls in _PROBLEMS:
            status, code, title = _PROBLEMS[cls]
            break
    else:  # pragma: no cover - every subclass is listed above
        status, code, title = 500, "internal-error", "Internal server error"
    extra: dict[str, Any] = {}
    if isinstance(exc, errors.InvalidSchema):
        extra["errors"] = [p.to_json() for p in exc.problems]
    response = problem(status, code, title, exc.detail, **extra)
    if isinstance(exc, errors.Unauthenticated):
        response.headers["WWW-Authenticate"] = 'Bearer realm="schema-registry"'
    if isinstance(exc, errors.ValidationBusy):
        response.headers["Retry-After"] = str(exc.retry_after)
    return response


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def problem_for_http(exc: web.HTTPException, path: str = "") -> web.Response:
    """The problem body for an aiohttp error (404 from routing, 405, 413, ...) on ``path``."""
    code, title = _HTTP_CODES.get(exc.status, ("http-error", exc.reason))
    by_name = exc.status == 404 and _PER_PROJECT.fullmatch(path) is not None  # routes by id only
    response = problem(exc.status, code, title, _NOT_BY_NAME if by_name else exc.reason)
    for name in ("Allow", "WWW-Authenticate"):
        if name in exc.headers:
            response.headers[name] = exc.headers[name]
    return response


_NOT_BY_NAME = (
    "no such route: a project's history, versions, diff and restore take its id "
    "(/project/{project_id}/history); GET /project/{group}/{name} gives the id"
)
_PER_PROJECT = re.compile(r"/project/[^/]+/[^/]+/(?:history|versions|diff|restore)(?:/.*)?")


def internal_error(request: web.Request) -> web.Response:
    """Log the exception being handled with the request id; answer a 500 that leaks nothing."""
    log.exception("unhandled error in %s %s [request %s]", request.method, request.path, request.get("id"))
    return problem(500, "internal-error", "Internal server error", "An unexpected error occurred")
