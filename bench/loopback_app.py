"""What the bench's stand-in servers share: the registry's key check, ``/healthz``, and serving
on loopback without an access log. Each runs as ``python -m bench.<name> --port P --key-sha256 HEX ...``.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac

from aiohttp import web


def key_matches(secret: str, key_sha256: str) -> bool:
    """What the registry does per request: SHA-256 of the secret, compared in constant time."""
    return hmac.compare_digest(hashlib.sha256(secret.encode()).hexdigest(), key_sha256)


def arguments(doc: str | None) -> argparse.ArgumentParser:
    """A parser with the options every stand-in takes; add your own."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0] if doc else None)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--key-sha256", required=True)
    return parser


def serve(app: web.Application, port: int) -> None:
    """Serve ``app`` on 127.0.0.1:``port``, with ``GET /healthz`` for the bench to wait on."""

    async def healthz(request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    app.router.add_get("/healthz", healthz)
    web.run_app(app, host="127.0.0.1", port=port, access_log=None, print=None)
