"""The read baseline: a minimal aiohttp app serving a fixed JSON body behind the same key check.

``python -m bench.baseline_app --port P --body-file F --key-sha256 HEX``. The check is what the
registry does per request: hash the Bearer secret with SHA-256 and compare in constant time.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
from pathlib import Path

from aiohttp import web


def create_app(body: bytes, key_sha256: str) -> web.Application:
    async def project(request: web.Request) -> web.Response:
        scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
        digest = hashlib.sha256(secret.strip().encode()).hexdigest()
        if scheme.lower() != "bearer" or not hmac.compare_digest(digest, key_sha256):
            return web.Response(status=401)
        return web.Response(body=body, content_type="application/json")

    async def healthz(request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    app = web.Application()
    app.router.add_get("/project/{project_id}", project)
    app.router.add_get("/healthz", healthz)
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--body-file", type=Path, required=True)
    parser.add_argument("--key-sha256", required=True)
    args = parser.parse_args()
    app = create_app(args.body_file.read_bytes(), args.key_sha256)
    web.run_app(app, host="127.0.0.1", port=args.port, access_log=None, print=None)


if __name__ == "__main__":
    main()
