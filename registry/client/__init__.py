"""A typed Python client for the schema registry's HTTP API, sync and async (docs/client.md).

It talks HTTP only (on httpx) and imports nothing of the server: no aiohttp, dulwich or sqlglot.
"""

from registry.client.aio import AsyncRegistryClient
from registry.client.calls import NO_RETRY, Retry
from registry.client.errors import (
    ConflictError,
    ForbiddenError,
    InvalidInputError,
    InvalidSchemaError,
    NotFoundError,
    PayloadTooLargeError,
    ProblemError,
    RegistryClientError,
    RegistryConnectionError,
    UnauthenticatedError,
    UnavailableError,
    VersionMismatchError,
)
from registry.client.models import (
    BatchOperation,
    BatchResult,
    DeletedProject,
    Diff,
    GroupDetail,
    Project,
    ProjectVersion,
    SchemaProblem,
    ValidationResult,
)
from registry.client.sync import RegistryClient

__all__ = [
    "NO_RETRY",
    "AsyncRegistryClient",
    "BatchOperation",
    "BatchResult",
    "ConflictError",
    "DeletedProject",
    "Diff",
    "ForbiddenError",
    "GroupDetail",
    "InvalidInputError",
    "InvalidSchemaError",
    "NotFoundError",
    "PayloadTooLargeError",
    "ProblemError",
    "Project",
    "ProjectVersion",
    "RegistryClient",
    "RegistryClientError",
    "RegistryConnectionError",
    "Retry",
    "SchemaProblem",
    "UnauthenticatedError",
    "UnavailableError",
    "ValidationResult",
    "VersionMismatchError",
]
