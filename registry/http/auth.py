"""Who is calling: Bearer keys (API) and HTTP Basic with the key as password (git clients)."""

from __future__ import annotations

import base64
import binascii

from aiohttp import web

from registry.core.errors import Forbidden, Unauthenticated
from registry.core.keys import ApiKey, KeyStore, Role
from registry.http.context import API_KEY
from registry.http.problems import problem_for

# The probes, the API description (public information: it says what the routes are, not what
# any group holds) and the yaml language's JSON Schema (editors cannot send a key). /metrics
# needs a key (docs/operations.md).
PUBLIC_PATHS = frozenset(
    {"/healthz", "/readyz", "/openapi.json", "/docs", "/docs/style.css", "/formats/yaml.schema.json"}
)


def secret_from_header(header: str) -> str | None:
    scheme, _, value = header.strip().partition(" ")
    scheme = scheme.lower()
    if scheme == "bearer":
        return value.strip() or None
    if scheme == "basic":
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        return decoded.partition(":")[2] or None
    return None


def authenticate(request: web.Request, keys: KeyStore) -> web.Response | None:
    """Put the caller's key on the request; or, without a known key, the 401 to answer with."""
    if request.path in PUBLIC_PATHS:
        return None
    secret = secret_from_header(request.headers.get("Authorization", ""))
    key = keys.authenticate(secret) if secret else None
    if key is None:
        error = Unauthenticated("missing or unknown API key" if secret is None else "unknown API key")
        response = problem_for(error)
        if request.path.startswith("/git/"):  # git only retries with credentials after a Basic challenge
            response.headers["WWW-Authenticate"] = 'Basic realm="schema-registry"'
        return response
    request[API_KEY] = key
    return None


def caller(request: web.Request) -> ApiKey:
    return request[API_KEY]


def require(request: web.Request, role: Role, group_id: str | None = None) -> ApiKey:
    """The caller's key, if its role is at least ``role`` and it covers ``group_id``."""
    return permit(caller(request), role, group_id)


def permit(key: ApiKey, role: Role, group_id: str | None = None) -> ApiKey:
    """``key``, if its role is at least ``role`` and it covers ``group_id`` (else 403)."""
    if not key.allows(role):
        raise Forbidden(role_refused(key, role))
    if group_id is not None and not key.covers(group_id):
        raise Forbidden(scope_refused(key))
    return key


# A 403 says which of the two checks refused and what to do instead: the role, or the groups the
# key is limited to (git shows these lines to the user as ``remote: ...``).


def role_refused(key: ApiKey, role: str) -> str:
    return (
        f"key {key.name!r} has role {key.role!r}; this needs {role!r}: use a key with role "
        f"{role!r} or higher (an operator makes one with `schema-registry keys create --role {role}`)"
    )


def scope_refused(key: ApiKey) -> str:
    return (
        f"key {key.name!r} does not cover this project group (it is limited to other groups): use a "
        "key that covers it (`schema-registry keys create --group GROUP`) or one not limited to groups"
    )
