"""Who is calling: Bearer keys (API) and HTTP Basic with the key as password (git clients)."""

from __future__ import annotations

import base64
import binascii

from aiohttp import web

from registry.core.errors import Forbidden, Unauthenticated
from registry.core.keys import ApiKey, KeyStore
from registry.http.problems import problem_for

KEYSTORE = web.AppKey("keystore", KeyStore)
API_KEY = "api_key"  # request slot holding the caller's ApiKey
# Probes, and the yaml language's JSON Schema (editors cannot send a key); /metrics needs a key
# (docs/operations.md).
PUBLIC_PATHS = frozenset({"/healthz", "/readyz", "/formats/yaml.schema.json"})


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
    key: ApiKey = request[API_KEY]
    return key


def require(request: web.Request, role: str, group_id: str | None = None) -> ApiKey:
    """The caller's key, if its role is at least ``role`` and it covers ``group_id``."""
    return permit(caller(request), role, group_id)


def permit(key: ApiKey, role: str, group_id: str | None = None) -> ApiKey:
    """``key``, if its role is at least ``role`` and it covers ``group_id`` (else 403)."""
    if not key.allows(role):
        raise Forbidden(f"key {key.name!r} has role {key.role!r}; this needs {role!r}")
    if group_id is not None and not key.covers(group_id):
        raise Forbidden(f"key {key.name!r} does not cover this project group")
    return key
