"""One error model: every failure is an ``application/problem+json`` body (RFC 9457).

Domain errors map to a status and a stable ``code`` here and nowhere else; handlers raise, the
request middleware (:mod:`registry.http.middleware`) answers. Anything unexpected is logged with its
request id and answered with a generic 500 that leaks nothing.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from registry.core import errors
from registry.http.context import REQUEST_ID

log = logging.getLogger("registry")

PROBLEM_TYPE_BASE = "https://schema-registry.dev/problems/"
PROBLEM_CONTENT_TYPE = "application/problem+json"

# class -> (status, code, title); the codes are a public contract (docs/api.md#errors).
_PROBLEMS: dict[type[errors.RegistryError], tuple[int, str, str]] = {
    errors.InvalidLevel: (400, "invalid-compatibility-level", "Not a compatibility level"),
    errors.InvalidInput: (400, "invalid-input", "The request is malformed"),
    errors.Unauthenticated: (401, "unauthenticated", "A valid API key is required"),
    errors.Forbidden: (403, "forbidden", "The API key does not allow this"),
    errors.NotFound: (404, "not-found", "Not found"),
    errors.NameTaken: (409, "name-taken", "The name is already taken"),
    errors.GroupNotEmpty: (409, "group-not-empty", "The project group still has projects"),
    errors.WriteConflict: (409, "write-conflict", "A concurrent change won; retry"),
    errors.IncompatibleSchema: (409, "incompatible-schema", "The schema breaks the compatibility level"),
    errors.VersionMismatch: (412, "version-mismatch", "The version in If-Match is not the current one"),
    errors.PayloadTooLarge: (413, "payload-too-large", "The request body is too large"),
    errors.InvalidSchema: (422, "invalid-schema", "The schema is invalid"),
    errors.UnsatisfiableSchema: (422, "unsatisfiable-schema", "No record can meet the schema's constraints"),
    errors.TooMuchWork: (422, "too-much-work", "The request asks for more work than one answer may take"),
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


def describe(exc: errors.RegistryError) -> tuple[int, str, str]:
    """The status, code and title of a domain error (the web pages show the same)."""
    for cls in type(exc).__mro__:
        if cls in _PROBLEMS:
            return _PROBLEMS[cls]
    return 500, "internal-error", "Internal server error"  # pragma: no cover - every subclass is listed


def problem_for(exc: errors.RegistryError) -> web.Response:
    status, code, title = describe(exc)
    extra: dict[str, Any] = {}
    if isinstance(exc, errors.InvalidSchema):
        extra["errors"] = [p.to_json() for p in exc.problems]
    if isinstance(exc, errors.VersionMismatch):
        extra["current_version"] = exc.current
    if isinstance(exc, errors.IncompatibleSchema):
        extra.update(level=exc.level, against=list(exc.against), changes=list(exc.changes))
    response = problem(status, code, title, exc.detail, **extra)
    if isinstance(exc, errors.VersionMismatch):  # as a GET would send it: ready for If-Match
        response.headers["ETag"] = f'"{exc.current}"'
    if isinstance(exc, errors.Unauthenticated):
        response.headers["WWW-Authenticate"] = 'Bearer realm="schema-registry"'
    if isinstance(exc, errors.ValidationBusy):
        response.headers["Retry-After"] = str(exc.retry_after)
    return response


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def problem_for_http(exc: web.HTTPException, detail: str | None = None) -> web.Response:
    """The problem body for an aiohttp error (404 from routing, 405, 413, ...)."""
    code, title = _HTTP_CODES.get(exc.status, ("http-error", exc.reason))
    response = problem(exc.status, code, title, detail or exc.reason)
    for name in ("Allow", "WWW-Authenticate"):
        if name in exc.headers:
            response.headers[name] = exc.headers[name]
    return response


def internal_error(request: web.Request) -> web.Response:
    """Log the exception being handled with the request id; answer a 500 that leaks nothing."""
    log.exception(
        "unhandled error in %s %s [request %s]", request.method, request.path, request.get(REQUEST_ID)
    )
    return problem(500, "internal-error", "Internal server error", "An unexpected error occurred")


def for_git_client(request: web.Request, response: web.StreamResponse) -> web.StreamResponse:
    """A problem answered under ``/git/`` as plain text, unless the client asks for JSON.

    git shows the body of an error only when it is ``text/plain`` (as ``remote: ...`` lines); a
    problem document it would swallow, leaving "The requested URL returned error: 403".
    """
    if (
        not isinstance(response, web.Response)
        or response.content_type != PROBLEM_CONTENT_TYPE
        or not request.path.startswith("/git/")
        or "json" in request.headers.get("Accept", "")
        or not isinstance(response.body, bytes)
    ):
        return response
    body = json.loads(response.body)
    text = web.Response(status=response.status, text=f"{body['detail']}\n", content_type="text/plain")
    for name in ("Allow", "WWW-Authenticate", "Retry-After"):
        if name in response.headers:
            text.headers[name] = response.headers[name]
    return text
