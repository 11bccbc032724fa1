"""Operations endpoints: ``/metrics`` (Prometheus, needs a key) and ``/readyz`` (public probe)."""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

from aiohttp import web

from registry.core.layout import GROUPS_DIR
from registry.http.auth import require
from registry.http.context import CONFIG, METRICS, OFFLOADER, VALIDATION_POOL
from registry.http.metrics import CONTENT_TYPE

routes = web.RouteTableDef()


@routes.get("/metrics")
async def metrics(request: web.Request) -> web.Response:
    require(request, "read")
    body = await request.app[OFFLOADER].run(request.app[METRICS].exposition)
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE})


@routes.get("/readyz")
async def readyz(request: web.Request) -> web.Response:
    problem = await request.app[OFFLOADER].run(data_dir_problem, request.app[CONFIG].data_dir)
    if problem is None and not request.app[VALIDATION_POOL].ready():
        problem = "the validation workers are starting"
    if problem is not None:
        return web.json_response({"status": "not-ready", "detail": problem}, status=503)
    return web.json_response({"status": "ready"})


def data_dir_problem(data_dir: Path) -> str | None:
    """Why the data folder cannot serve reads and writes, or None if it can.

    Writes a small file and removes it: a read-only or full disk, or a folder that lost its
    permissions, shows here before a commit fails. The reason never names the path (public).
    """
    probe = data_dir / f".readyz-{os.getpid()}-{secrets.token_hex(4)}"
    try:
        os.listdir(data_dir / GROUPS_DIR)
        fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, b"ok\n")
        finally:
            os.close(fd)
        if probe.read_bytes() != b"ok\n":
            return "the data folder does not read back what was written"
    except OSError as exc:
        return f"the data folder is not readable and writable: {exc.strerror or type(exc).__name__}"
    finally:
        with contextlib.suppress(OSError):
            probe.unlink()
    return None
