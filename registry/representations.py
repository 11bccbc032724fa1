"""JSON shapes of groups and projects, and the version headers that go with them."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from aiohttp import web

from registry.changes import Project
from registry.lru import SizedLRU
from registry.metadata import ProjectMeta
from registry.snapshots import GroupSnapshot
from registry.timeline import GroupAt


def group_summary(view: GroupSnapshot) -> dict[str, Any]:
    return {
        "id": view.meta.id,
        "name": view.meta.name,
        "created_at": view.meta.created_at,
        "version": view.version,
    }


def group_detail(view: GroupSnapshot) -> dict[str, Any]:
    return {**group_summary(view), "projects": project_list(view.meta.projects.values())}


def group_at_detail(past: GroupAt) -> dict[str, Any]:
    """A group as it was at a version (``?at=``): the same shape as :func:`group_detail`."""
    return {
        "id": past.id,
        "name": past.name,
        "created_at": past.created_at,
        "version": past.version,
        "projects": project_list(past.projects),
    }


def project_list(projects: Iterable[ProjectMeta | Project]) -> list[dict[str, Any]]:
    """The summary of each project, by name."""
    return [
        {
            "id": p.id,
            "name": p.name,
            "format": p.format,
            "dialect": p.dialect,
            "created_at": p.created_at,
            "updated_at": p.updated_at,
        }
        for p in sorted(projects, key=lambda p: p.name.casefold())
    ]


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


class RenderedProjects:
    """The JSON bodies of recently answered projects, so a repeated read does no ``json.dumps``.

    Keyed by the whole :class:`Project` value (not just its id and version): equal projects render
    to equal bytes, so an entry can never be stale, only unused until the LRU drops it.
    """

    def __init__(self, max_bytes: int = 8 << 20) -> None:
        self._bodies: SizedLRU[Project, bytes] = SizedLRU(max_bytes, len)

    def body(self, project: Project) -> bytes:
        body = self._bodies.get(project)
        if body is None:
            body = json.dumps(project_detail(project)).encode()  # as web.json_response encodes
            self._bodies.put(project, body)
        return body

    def response(self, project: Project, *, status: int = 200) -> web.Response:
        """Like ``versioned(project_detail(project), project.version)``, byte for byte."""
        headers = {"ETag": f'"{project.version}"', "Content-Type": JSON_CONTENT_TYPE}
        return web.Response(body=self.body(project), status=status, headers=headers)


JSON_CONTENT_TYPE = "application/json; charset=utf-8"  # what web.json_response sends
RENDERED_PROJECTS = web.AppKey("rendered_projects", RenderedProjects)


def versioned(body: dict[str, Any], version: str, *, status: int = 200) -> web.Response:
    """A JSON response whose ETag is the version a client can send back in If-Match."""
    return web.json_response(body, status=status, headers={"ETag": f'"{version}"'})


def if_match(request: web.Request) -> tuple[str, ...] | None:
    """The versions named by ``If-Match`` (quotes and weak markers removed), or None."""
    header = request.headers.get("If-Match")
    if header is None:
        return None
    return tuple(part.strip().removeprefix("W/").strip('"') for part in header.split(",") if part.strip())
