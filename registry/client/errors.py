"""What the client raises: one root, and the problem document of every refusal.

Every error answer of the registry is an RFC 9457 problem with a stable ``code``; a
:class:`ProblemError` carries it whole, with a subclass per status so callers can catch what they
handle (``except NotFoundError``) and read the rest (``exc.code``, ``exc.errors``).
"""

from __future__ import annotations

from typing import cast

from registry.client.models import ProblemDocument, SchemaProblem


class RegistryClientError(Exception):
    """Root of everything :mod:`registry.client` raises."""


class RegistryConnectionError(RegistryClientError):
    """The server could not be reached, or did not answer in time (after the retries)."""


class ProblemError(RegistryClientError):
    """The server refused the request; ``document`` is its problem document."""

    def __init__(self, document: ProblemDocument) -> None:
        self.document = document
        self.status: int = document["status"]
        self.code: str = document["code"]
        self.title: str = document["title"]
        self.detail: str = document["detail"]
        self.errors: list[SchemaProblem] = list(document.get("errors", []))
        super().__init__(f"{self.status} {self.code}: {self.detail}")


class InvalidInputError(ProblemError):
    """400: malformed request, bad name, version or cursor."""


class UnauthenticatedError(ProblemError):
    """401: no key, or an unknown one."""


class ForbiddenError(ProblemError):
    """403: the key's role or group scope does not allow this."""


class NotFoundError(ProblemError):
    """404: no such group, project, version or route."""


class ConflictError(ProblemError):
    """409: the name is taken, the group is not empty, or a concurrent write won."""


class VersionMismatchError(ProblemError):
    """412: ``If-Match`` named another version than the current one; nothing was written."""


class PayloadTooLargeError(ProblemError):
    """413: the request body is over the server's limit."""


class InvalidSchemaError(ProblemError):
    """422: the schema failed validation; ``errors`` says where (line, column, path) and why."""


class UnavailableError(ProblemError):
    """503: the server is shutting down or too busy (after the retries)."""


_BY_STATUS: dict[int, type[ProblemError]] = {
    400: InvalidInputError,
    401: UnauthenticatedError,
    403: ForbiddenError,
    404: NotFoundError,
    409: ConflictError,
    412: VersionMismatchError,
    413: PayloadTooLargeError,
    422: InvalidSchemaError,
    503: UnavailableError,
}


def problem_error(status: int, reason: str, body: object) -> ProblemError:
    """The exception for an error answer; a body that is no problem document (a proxy's HTML
    page) becomes one with code ``http-error``, so callers see one shape."""
    if isinstance(body, dict) and isinstance(body.get("code"), str) and isinstance(body.get("detail"), str):
        document = cast(ProblemDocument, {"type": "about:blank", "title": reason, "status": status, **body})
    else:
        document = ProblemDocument(
            type="about:blank",
            title=reason,
            status=status,
            detail=f"HTTP {status} {reason}",
            code="http-error",
        )
    return _BY_STATUS.get(status, ProblemError)(document)
