"""JSON shapes of groups and projects, and the version headers that go with them."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from registry.changes import Project
from registry.snapshots import GroupSnapshot


def group_summary(view: GroupSnapshot) -> dict[str, Any]:
    return {
        "id": view.meta.id,
        "name": view.meta.name,
        "created_at": view.meta.created_at,
        "version": view.version,
    }


def group_detail(view: GroupSnapshot) -> dict[str, Any]:
    projects = sorted(view.meta.projects.values(), key=lambda p: p.name.casefold())
    return {
        **group_summary(view),
        "projects": [
            {
                "id": p.id,
                "name": p.name,
                "format": p.format,
                "dialect": p.dialect,
                "created_at": p.created_at,
                "updated_at": p.updated_at,
            }
            for p in projects
        ],
    }


def project_detail(project: Project) -> dict[str, Any]:
    return {
        "id": project.id,
        "project_group_id": project.group_id,
        "name": project.name,
        "format": project.format,
        "dialect": project.dialect,
        "data": project.data,
        "created_at": project.created_at,
        "updated_at": project.updated_at,
        "version": project.version,
    }


def versioned(body: dict[str, Any], version: str, *, status: int = 200) -> web.Response:
    """A JSON response whose ETag is the version a client can send back in If-Match."""
    return web.json_response(body, status=status, headers={"ETag": f'"{version}"'})


def if_match(request: web.Request) -> tuple[str, ...] | None:
    """The versions named by ``If-Match`` (quotes and weak markers removed), or None."""
    header = request.headers.get("If-Match")
    if header is None:
        return None
    return tuple(part.strip().removeprefix("W/").strip('"') for part in header.split(",") if part.strip())
