"""The read baseline: a minimal aiohttp app serving a fixed JSON body behind the same key check.

``python -m bench.baseline_app --port P --body-file F --key-sha256 HEX``. The check is what the
registry does per request: hash the Bearer secret with SHA-256 and compare in constant time.
"""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from bench.loopback_app import arguments, key_matches, serve


def create_app(body: bytes, key_sha256: str) -> web.Application:
    async def project(request: web.Request) -> web.Response:
        scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not key_matches(secret.strip(), key_sha256):
            return web.Response(status=401)
        return web.Response(body=body, content_type="application/json")

    app = web.Application()
    app.router.add_get("/project/{project_id}", project)
    return app


def main() -> None:
    parser = arguments(__doc__)
    parser.add_argument("--body-file", type=Path, required=True)
    args = parser.parse_args()
    serve(create_app(args.body_file.read_bytes(), args.key_sha256), args.port)


if __name__ == "__main__":
    main()
