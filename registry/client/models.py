"""The JSON shapes the registry answers with (docs/openapi.yaml), as ``TypedDict``s."""

from __future__ import annotations

from typing import Any, Literal, NotRequired, TypedDict

Format = Literal["yaml", "json_schema", "json_parquet", "sql"]
FORMATS: tuple[Format, ...] = ("yaml", "json_schema", "json_parquet", "sql")
BatchAction = Literal["create", "update", "rename", "delete"]


class SchemaProblem(TypedDict):
    message: str
    line: int | None
    column: int | None
    path: str


class ProblemDocument(TypedDict):
    """An RFC 9457 problem; ``errors`` only for schema problems."""

    type: str
    title: str
    status: int
    detail: str
    code: str
    errors: NotRequired[list[SchemaProblem]]


class GroupSummary(TypedDict):
    id: str
    name: str
    created_at: str
    version: str


class GroupProject(TypedDict):
    id: str
    name: str
    format: Format
    dialect: str | None
    created_at: str
    updated_at: str


class DeletedProject(TypedDict):
    id: str
    name: str
    format: Format
    dialect: str | None
    created_at: str
    deleted_at: str
    deleted_in: str
    last_version: str | None  # the version a restore takes


class GroupDetail(GroupSummary):
    projects: list[GroupProject]
    deleted_projects: NotRequired[list[DeletedProject]]  # with get_group(..., deleted=True)


class Project(TypedDict):
    id: str
    project_group_id: str
    name: str
    data: str | None
    format: Format
    dialect: str | None
    created_at: str
    updated_at: str
    version: str


class ProjectAtVersion(Project):
    timestamp: str


class ProjectVersion(TypedDict):
    version: str
    action: str
    name: str
    format: Format
    dialect: NotRequired[str | None]
    author: str
    message: str | None
    summary: NotRequired[str]
    timestamp: str


class ProjectHistoryPage(TypedDict):
    versions: list[ProjectVersion]
    next_cursor: str | None


class TouchedProject(TypedDict):
    id: str
    name: str
    action: str


class GroupVersion(TypedDict):
    version: str
    action: str
    author: str
    message: str | None
    summary: NotRequired[str]
    timestamp: str
    projects: list[TouchedProject]


class GroupHistoryPage(TypedDict):
    versions: list[GroupVersion]
    next_cursor: str | None


Diff = TypedDict(
    "Diff",
    {"from": str | None, "to": str, "from_file": str | None, "to_file": str | None, "diff": str},
)


class Tag(TypedDict):
    name: str
    version: str
    message: str | None
    tagger: str | None
    timestamp: str | None


class ValidationResult(TypedDict):
    valid: bool
    errors: list[SchemaProblem]
    warnings: list[SchemaProblem]
    entities: list[dict[str, Any]]


class Entities(TypedDict):
    project_id: str
    version: str
    format: Format
    entities: list[dict[str, Any]]
    warnings: list[SchemaProblem]


class BatchOperation(TypedDict, total=False):
    """One operation of :meth:`RegistryClient.batch` (docs/api.md#batches)."""

    action: BatchAction  # required
    project: str
    name: str
    data: str | None
    format: Format
    dialect: str | None


class BatchChange(TypedDict):
    action: BatchAction
    id: str
    name: str
    format: Format
    dialect: str | None


class BatchResult(TypedDict):
    version: str
    changes: list[BatchChange]
