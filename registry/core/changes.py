"""What a write is made of: the project shape, the change a write commits, and their checks.

Shared by the catalog (API writes), the group writer (commits) and pushes.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field

from registry.core.errors import InvalidInput, InvalidSchema, NotFound, VersionMismatch
from registry.core.history import Touch, commit_message
from registry.core.metadata import GroupMeta, ProjectMeta
from registry.core.snapshots import GroupSnapshot
from registry.formats import FORMATS, Problem, ValidationResult, check_dialect, validate
from registry.formats.sql_dialects import canonical_dialect
from repo_store import Signature

COMMITTER = Signature("schema-registry", "schema-registry@localhost")


@dataclass(frozen=True)
class Project:
    id: str
    group_id: str
    name: str
    format: str
    dialect: str | None
    data: str | None
    created_at: str
    updated_at: str
    version: str  # id of the commit that last changed this project
    # What validating the schema of the write that returned this project warned about (nothing
    # for a project read back: warnings are not stored, today's validator gives them again).
    warnings: tuple[Problem, ...] = field(default=(), compare=False)


@dataclass(frozen=True)
class Change:
    """What one write commits: new metadata, changed files, and what the commit message says."""

    meta: GroupMeta
    summary: str
    action: str
    touch: Touch | None = None
    files: dict[str, bytes | None] = field(default_factory=dict)
    batch: tuple[Touch, ...] = ()  # a batch's commit touches several projects (no ``touch``)
    trailers: tuple[tuple[str, str], ...] = ()  # more trailers after the registry's own

    @property
    def project_id(self) -> str | None:
        return self.touch.project_id if self.touch else None

    @property
    def touched_ids(self) -> tuple[str, ...]:
        """Every project this change touches."""
        return (self.touch.project_id,) if self.touch else tuple(t.project_id for t in self.batch)

    def message(self, message: str | None) -> str:
        return commit_message(
            self.summary,
            message,
            action=self.action,
            group_id=self.meta.id,
            group_name=self.meta.name,
            touch=self.touch,
            batch=self.batch,
            extra=self.trailers,
        )


class Unchanged(Exception):  # an outcome, not an error
    """A write that would change nothing (the same schema again, a rename to the same name).

    A change's ``build`` raises it instead of returning a change. No commit is made, and the
    group writer answers the write with the group's view once its batch is published and no
    change. An empty commit would only make every other client's ``If-Match`` stale.
    """


def author_signature(name: str) -> Signature:
    return Signature(name, f"{name}@schema-registry")


def touch(project: ProjectMeta, action: str) -> Touch:
    return Touch(project.id, action, project.name, project.format, project.dialect)


def check_if_match(if_match: Collection[str] | None, current: str) -> None:
    """``If-Match`` semantics: None means no precondition, ``*`` matches any version."""
    if if_match is not None and "*" not in if_match and current not in if_match:
        raise VersionMismatch(
            f"the current version is {current}, not {', '.join(if_match) or 'none'}", current
        )


def check_project_version(if_match: Collection[str] | None, view: GroupSnapshot, pid: str) -> None:
    if if_match is not None:  # a project's version may need history: only work it out when asked
        check_if_match(if_match, view.last_change[pid])


def project_from(
    view: GroupSnapshot, meta: ProjectMeta, data: str | None, version: str | None = None
) -> Project:
    return Project(
        id=meta.id,
        group_id=view.meta.id,
        name=meta.name,
        format=meta.format,
        dialect=meta.dialect,
        data=data,
        created_at=meta.created_at,
        updated_at=meta.updated_at,
        version=version or view.last_change[meta.id],
    )


def live_project(view: GroupSnapshot, pid: str) -> ProjectMeta:
    project = view.meta.projects.get(pid)
    if project is None:
        raise NotFound(f"no project with id {pid!r}")
    return project


def check_format(fmt: str, dialect: str | None) -> str | None:
    """Refuse an unknown format or dialect, or a dialect on a format other than sql.

    Returns the dialect's canonical sqlglot name (``postgresql`` is stored as ``postgres``).
    """
    if fmt not in FORMATS:
        raise InvalidInput(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    if dialect is not None and fmt != "sql":
        raise InvalidInput("dialect applies to the sql format only")
    if dialect is not None and not check_dialect(dialect):
        raise InvalidInput(f"unknown SQL dialect {dialect!r}; use a sqlglot dialect name such as postgres")
    return canonical_dialect(dialect)


SchemaValidator = Callable[..., ValidationResult]  # (fmt, text, *, dialect) like registry.formats.validate


def validate_schema(
    fmt: str, data: str, dialect: str | None, validator: SchemaValidator = validate
) -> ValidationResult:
    """Refuse ``data`` with every problem found unless it is a valid ``fmt`` document; its result
    (the writer tells its warnings to whoever stored it)."""
    result = validator(fmt, data, dialect=dialect)
    if not result.valid:
        shown = f" (the first {len(result.errors) - 1} are listed)" if result.errors_not_shown else ""
        raise InvalidSchema(f"the {fmt} schema has {result.error_count} error(s){shown}", result.errors)
    return result
