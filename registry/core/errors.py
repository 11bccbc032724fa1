"""The registry's domain errors: one root, data on the subclasses, no HTTP status codes.

The error middleware (:mod:`registry.http.problems`) maps each class to a status and a stable
``code``; the same classes serve the CLI.
"""

from __future__ import annotations

from collections.abc import Sequence

from registry.formats import Problem


class RegistryError(Exception):
    """Root of every error the registry reports to a client."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class InvalidInput(RegistryError):
    """The request is malformed: bad JSON, a wrong field type, a bad name or id."""


class Unauthenticated(RegistryError):
    """No key, or a key the registry does not know."""


class Forbidden(RegistryError):
    """The key is valid but its role or group scope does not allow this."""


class NotFound(RegistryError):
    """The group, project, version or route does not exist."""


class NameTaken(RegistryError):
    """Another group or project in the same scope already has that name (ignoring case)."""


class GroupNotEmpty(RegistryError):
    """A group that still has projects cannot be deleted."""


class VersionMismatch(RegistryError):
    """``If-Match`` named another version than the current one; nothing was written.

    ``current`` is the version that is current, so a client can re-read or retry against it
    without parsing the prose of ``detail``.
    """

    def __init__(self, detail: str, current: str) -> None:
        super().__init__(detail)
        self.current = current


class WriteConflict(RegistryError):
    """Another writer moved the repository while this change was being made; retry it."""


class PayloadTooLarge(RegistryError):
    """The request body is over the configured limit."""


class InvalidSchema(RegistryError):
    """The schema document failed validation; ``problems`` says where and why."""

    def __init__(self, detail: str, problems: Sequence[Problem]) -> None:
        super().__init__(detail)
        self.problems = tuple(problems)


class UnsatisfiableSchema(InvalidSchema):
    """The schema is valid, but no record can meet a constraint of it; ``problems`` say which."""


class TooMuchWork(RegistryError):
    """The request would take more work than the server allows for one answer (ask for less)."""


class InvalidLevel(InvalidInput):
    """A compatibility level that is not one of the registry's levels."""


class IncompatibleSchema(RegistryError):
    """The new schema breaks the project's compatibility level; nothing was written.

    ``changes`` are the breaking changes as JSON (``Change.to_json`` of the engine, each with the
    version it was found against), ``against`` the versions checked.
    """

    def __init__(
        self, detail: str, *, level: str, against: Sequence[str], changes: Sequence[dict[str, object]]
    ) -> None:
        super().__init__(detail)
        self.level = level
        self.against = tuple(against)
        self.changes = tuple(changes)


class ValidationBusy(RegistryError):
    """The server could not validate the document in time (load, not the document): retry it
    after ``retry_after`` seconds. Nothing was judged or written."""

    def __init__(self, detail: str, *, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = retry_after
