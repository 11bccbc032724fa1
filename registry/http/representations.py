"""JSON shapes of groups and projects, the schema text as stored, and the version headers that go
with them."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any, TypedDict

from aiohttp import web

from registry.core.changes import Project
from registry.core.errors import InvalidInput, NotFound
from registry.core.lru import SizedLRU
from registry.core.metadata import ProjectMeta
from registry.core.names import fold
from registry.core.snapshots import GroupSnapshot
from registry.core.timeline import GroupAt, ProjectAt


class GroupSummaryJson(TypedDict):
    """A group in a list, and the answer to a group create or rename (docs/openapi.yaml)."""

    id: str
    name: str
    created_at: str
    version: str


class ProjectSummaryJson(TypedDict):
    """A project in a group's list."""

    id: str
    name: str
    format: str
    dialect: str | None
    created_at: str
    updated_at: str


class GroupDetailJson(GroupSummaryJson):
    """A group with its projects, now or at a version."""

    projects: list[ProjectSummaryJson]


class ProjectDetailJson(TypedDict):
    """A project with its schema text, now or at a version."""

    id: str
    project_group_id: str
    name: str
    format: str
    dialect: str | None
    data: str | None  # None: a version with no schema text
    created_at: str
    updated_at: str
    version: str


def group_summary(view: GroupSnapshot) -> GroupSummaryJson:
    return {
        "id": view.meta.id,
        "name": view.meta.name,
        "created_at": view.meta.created_at,
        "version": view.version,
    }


def group_detail(view: GroupSnapshot) -> GroupDetailJson:
    return {**group_summary(view), "projects": project_list(view.meta.projects.values())}


def group_at_detail(past: GroupAt) -> GroupDetailJson:
    """A group as it was at a version (``?at=``): the same shape as :func:`group_detail`."""
    return {
        "id": past.id,
        "name": past.name,
        "created_at": past.created_at,
        "version": past.version,
        "projects": project_list(past.projects),
    }


def project_list(projects: Iterable[ProjectMeta | ProjectAt]) -> list[ProjectSummaryJson]:
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
        for p in sorted(projects, key=lambda p: fold(p.name))
    ]


def project_detail(project: Project) -> ProjectDetailJson:
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
    """The JSON bodies of current projects, so a repeated read does no ``json.dumps``.

    Keyed by the group's head and the project id: one head is one tree, so an entry can never be
    stale, only unused (after a write moves the head) until the LRU drops it. Looking one up
    hashes two strings, where a key of the whole :class:`Project` hashed nine fields per read.
    """

    def __init__(self, max_bytes: int = 8 << 20) -> None:
        self._bodies: SizedLRU[tuple[str, str], tuple[bytes, str]] = SizedLRU(max_bytes, _body_size)

    def current(self, head: str, project_id: str) -> web.Response | None:
        """The answer for the project as of the group's ``head``, if it was rendered before."""
        entry = self._bodies.get((head, project_id))
        return None if entry is None else _answer(*entry, status=200)

    def response(self, project: Project, *, status: int = 200, head: str | None = None) -> web.Response:
        """Like ``versioned(project_detail(project), project.version)``, byte for byte.

        With ``head`` (the group head ``project`` was read at) the body is kept for :meth:`current`.
        """
        entry = json.dumps(project_detail(project)).encode(), f'"{project.version}"'  # as json_response
        if head is not None:
            self._bodies.put((head, project.id), entry)
        return _answer(*entry, status=status)


def _body_size(entry: tuple[bytes, str]) -> int:
    return len(entry[0])


def _answer(body: bytes, etag: str, *, status: int) -> web.Response:
    return web.Response(body=body, status=status, headers={"ETag": etag, "Content-Type": JSON_CONTENT_TYPE})


JSON_CONTENT_TYPE = "application/json; charset=utf-8"  # what web.json_response sends


def versioned(body: Mapping[str, Any], version: str, *, status: int = 200) -> web.Response:
    """A JSON response whose ETag is the version a client can send back in If-Match."""
    return web.json_response(body, status=status, headers={"ETag": f'"{version}"'})


def if_match(request: web.Request) -> tuple[str, ...] | None:
    """The versions named by ``If-Match`` (quotes, weak markers and the raw suffix removed), or None.

    The raw text's ETag names the same version as the JSON one: a client that downloaded the
    schema as stored may send its ETag back with the update.
    """
    header = request.headers.get("If-Match")
    if header is None:
        return None
    tags = (part.strip().removeprefix("W/").strip('"') for part in header.split(",") if part.strip())
    return tuple(tag.removesuffix(RAW_ETAG_SUFFIX) for tag in tags)


# -- the schema text as stored (another representation of a project) ------------------------------

# The media type each format's text is served as. Parquet schemas are JSON documents, so their
# type is the JSON representation's too: Accept cannot tell the two apart, and names the text.
MEDIA_TYPES: dict[str, str] = {
    "yaml": "application/yaml",
    "json_schema": "application/schema+json",
    "json_parquet": "application/json",
    "sql": "application/sql",
}
RAW_ETAG_SUFFIX = "-raw"
VARY = {"Vary": "Accept"}


JSON_MEDIA_TYPE = "application/json"


def wants_raw(request: web.Request, fmt: str) -> bool:
    """Whether a read of a project in format ``fmt`` asks for its text as stored.

    ``?raw=1`` asks for it and ``?raw=0`` for the JSON; without either, an ``Accept`` that names
    the format's media type (not by a wildcard) with a quality at least that of
    ``application/json``. No ``Accept``, ``*/*`` and anything else get the JSON.
    """
    raw = request.query.get("raw") if request.query_string else None
    if raw is not None:
        if raw not in ("0", "1"):
            raise InvalidInput("raw must be 0 or 1")
        return raw == "1"
    accept = request.headers.get("Accept")
    if accept is None or MEDIA_TYPES[fmt] == JSON_MEDIA_TYPE:
        # A Parquet schema's media type is the API's own: Accept cannot tell the two apart, and
        # every JSON client (ours included) sends it for the description. Only ?raw=1 asks.
        return False
    qualities = _qualities(accept)
    wanted = qualities.get(MEDIA_TYPES[fmt], 0.0)
    return wanted > 0 and wanted >= qualities.get(JSON_MEDIA_TYPE, 0.0)


def _qualities(accept: str) -> dict[str, float]:
    """The media types ``accept`` names, each with its quality (RFC 9110 section 12.5.1)."""
    out: dict[str, float] = {}
    for item in accept.split(","):
        media, *params = (part.strip() for part in item.split(";"))
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    quality = 0.0  # a quality that cannot be read accepts nothing
        media = media.lower()
        out[media] = max(out.get(media, 0.0), quality)
    return out


def raw_response(project: Project) -> web.Response:
    """The project's schema text alone, as stored, with an ETag of its own."""
    if project.data is None:
        raise NotFound(f"project {project.name!r} has no schema yet; there is no text to download")
    return web.Response(
        text=project.data,
        content_type=MEDIA_TYPES[project.format],
        headers={"ETag": f'"{project.version}{RAW_ETAG_SUFFIX}"', **VARY},
    )
