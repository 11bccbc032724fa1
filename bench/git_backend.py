"""The clone baseline: ``git http-backend`` run as a CGI program behind a tiny aiohttp app.

``python -m bench.git_backend --port P --root GROUPS_DIR --key-sha256 HEX``. It checks HTTP Basic
credentials like the registry (SHA-256 of the password, compared in constant time), then hands the
request to ``git http-backend`` with ``GIT_PROJECT_ROOT`` and ``GIT_HTTP_EXPORT_ALL`` and streams
its output back. aiohttp has already decompressed a gzip request body, so none is announced.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import os
from pathlib import Path

from aiohttp import web

from bench.loopback_app import arguments, key_matches, serve

_CHUNK = 64 << 10


def _authorized(header: str, key_sha256: str) -> bool:
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic":
        return False
    try:
        password = base64.b64decode(value.strip(), validate=True).decode().partition(":")[2]
    except (binascii.Error, UnicodeDecodeError):
        return False
    return key_matches(password, key_sha256)


def create_app(root: Path, key_sha256: str) -> web.Application:
    async def cgi(request: web.Request) -> web.StreamResponse:
        if not _authorized(request.headers.get("Authorization", ""), key_sha256):
            return web.Response(status=401, headers={"WWW-Authenticate": 'Basic realm="bench"'})
        body = await request.read()
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "GIT_PROJECT_ROOT": str(root),
            "GIT_HTTP_EXPORT_ALL": "1",
            "REQUEST_METHOD": request.method,
            "PATH_INFO": request.path,
            "QUERY_STRING": request.query_string,
            "CONTENT_TYPE": request.headers.get("Content-Type", ""),
            "CONTENT_LENGTH": str(len(body)),
            "REMOTE_USER": "bench",
            "REMOTE_ADDR": request.remote or "127.0.0.1",
        }
        if "Git-Protocol" in request.headers:
            env["GIT_PROTOCOL"] = request.headers["Git-Protocol"]
        process = await asyncio.create_subprocess_exec(
            "git",
            "http-backend",
            env=env,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        assert process.stdin is not None
        assert process.stdout is not None
        process.stdin.write(body)
        process.stdin.close()
        status, headers = 200, {}
        while (line := (await process.stdout.readline()).rstrip(b"\r\n")) != b"":
            name, _, value = line.decode("latin-1").partition(":")
            if name.lower() == "status":
                status = int(value.strip().split(" ", 1)[0])
            else:
                headers[name] = value.strip()
        response = web.StreamResponse(status=status, headers=headers)
        await response.prepare(request)
        while chunk := await process.stdout.read(_CHUNK):
            await response.write(chunk)
        await process.wait()
        await response.write_eof()
        return response

    app = web.Application(client_max_size=1 << 30)
    app.router.add_route("*", "/{path:.+}", cgi)
    return app


def main() -> None:
    parser = arguments(__doc__)
    parser.add_argument("--root", type=Path, required=True)
    args = parser.parse_args()
    serve(create_app(args.root, args.key_sha256), args.port)


if __name__ == "__main__":
    main()
