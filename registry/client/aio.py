"""The asyncio client: :class:`AsyncRegistryClient`, the same calls as :class:`RegistryClient`."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import AsyncIterator
from types import TracebackType
from typing import Any, TypeVar

import httpx

from registry.client import calls
from registry.client.calls import Call, Retry
from registry.client.errors import RegistryConnectionError
from registry.client.models import (
    BatchOperation,
    BatchResult,
    Diff,
    Entities,
    GroupDetail,
    GroupHistoryPage,
    GroupSummary,
    GroupVersion,
    Project,
    ProjectAtVersion,
    ProjectHistoryPage,
    ProjectVersion,
    Tag,
    ValidationResult,
)
from registry.client.sync import DEFAULT_TIMEOUT, client_options

T = TypeVar("T")


class AsyncRegistryClient:
    """The asyncio twin of :class:`~registry.client.RegistryClient` (docs/client.md).

    Projects are named ``"GROUP/NAME"`` or by id (``"_p..."``). Every refusal raises a
    :class:`~registry.client.errors.ProblemError` carrying the server's problem document.
    """

    def __init__(
        self,
        url: str,
        key: str | None = None,
        *,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        retry: Retry | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.retry = retry or Retry()
        self._http = httpx.AsyncClient(transport=transport, **client_options(url, key, timeout))

    @classmethod
    def from_env(cls, **options: Any) -> AsyncRegistryClient:
        """A client for ``REGISTRY_URL`` (default http://127.0.0.1:8080) with ``REGISTRY_KEY``."""
        url = os.environ.get("REGISTRY_URL", "http://127.0.0.1:8080")
        return cls(url, os.environ.get("REGISTRY_KEY"), **options)

    async def close(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> AsyncRegistryClient:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    async def _run(self, call: Call[T]) -> T:
        attempt = 1
        while True:
            try:
                response = await self._http.send(call.request(self._http))
            except httpx.TransportError as exc:
                if attempt >= self.retry.attempts or not calls.should_retry(call, exc):
                    raise RegistryConnectionError(f"{call.method} {call.path}: {exc!r}") from exc
                await asyncio.sleep(self.retry.delay(attempt))
            else:
                if attempt >= self.retry.attempts or not calls.should_retry(call, response):
                    return calls.answer(call, response)
                await response.aclose()
                await asyncio.sleep(self.retry.delay(attempt, response.headers.get("Retry-After")))
            attempt += 1

    async def _id(self, ref: str) -> str:
        return ref if calls.is_id(ref) else await self._run(calls.project_id(ref))

    # -- service ---------------------------------------------------------------------------

    async def healthz(self) -> dict[str, Any]:
        return await self._run(calls.healthz())

    async def readyz(self) -> dict[str, Any]:
        return await self._run(calls.readyz())

    async def openapi(self) -> dict[str, Any]:
        return await self._run(calls.openapi())

    async def metrics(self) -> str:
        return await self._run(calls.metrics())

    # -- groups ----------------------------------------------------------------------------

    async def list_groups(self) -> list[GroupSummary]:
        return await self._run(calls.list_groups())

    async def create_group(self, name: str, *, message: str | None = None) -> GroupSummary:
        return await self._run(calls.create_group(name, message))

    async def get_group(self, group: str, *, at: str | None = None, deleted: bool = False) -> GroupDetail:
        """The group and its projects; ``deleted`` adds ``deleted_projects`` (those a restore can
        bring back, by id or by name)."""
        return await self._run(calls.get_group(group, at, deleted))

    async def sample(
        self,
        project: str,
        *,
        rows: int = 10,
        seed: int = 0,
        entity: str | None = None,
        at: str | None = None,
    ) -> dict[str, list[dict[str, Any]]]:
        """Sample records of every entity (or ``entity``), by name: ``{"Name": [records]}``."""
        body = await self._run(calls.sample(project, rows, seed, "json", entity, None, at))
        records: dict[str, list[dict[str, Any]]] = json.loads(body)["entities"]
        return records

    async def sample_as(
        self,
        project: str,
        as_: str,
        *,
        rows: int = 10,
        seed: int = 0,
        entity: str | None = None,
        dialect: str | None = None,
        at: str | None = None,
    ) -> bytes:
        """Sample records as the server writes them: ``jsonl``, ``csv``, ``sql`` or ``parquet``."""
        return await self._run(calls.sample(project, rows, seed, as_, entity, dialect, at))

    async def rename_group(
        self, group: str, name: str, *, message: str | None = None, if_match: str | None = None
    ) -> GroupSummary:
        return await self._run(calls.rename_group(group, name, message, if_match))

    async def delete_group(
        self, group: str, *, message: str | None = None, if_match: str | None = None
    ) -> None:
        await self._run(calls.delete_group(group, message, if_match))

    # -- projects --------------------------------------------------------------------------

    async def create_project(
        self,
        group: str,
        name: str,
        data: str | None = None,
        *,
        format: str | None = None,
        dialect: str | None = None,
        message: str | None = None,
    ) -> Project:
        return await self._run(calls.create_project(group, name, data, format, dialect, message))

    async def get_project(self, project: str, *, at: str | None = None) -> Project:
        return await self._run(calls.get_project(project, at))

    async def update_project(
        self,
        project: str,
        data: str,
        *,
        format: str | None = None,
        dialect: str | None = None,
        message: str | None = None,
        if_match: str | None = None,
    ) -> Project:
        return await self._run(calls.update_project(project, data, format, dialect, message, if_match))

    async def rename_project(
        self, project: str, name: str, *, message: str | None = None, if_match: str | None = None
    ) -> Project:
        return await self._run(calls.rename_project(project, name, message, if_match))

    async def delete_project(
        self, project: str, *, message: str | None = None, if_match: str | None = None
    ) -> None:
        await self._run(calls.delete_project(project, message, if_match))

    # -- history ---------------------------------------------------------------------------

    async def project_history(
        self, project: str, *, limit: int | None = None, cursor: str | None = None
    ) -> ProjectHistoryPage:
        return await self._run(calls.project_history(project, limit, cursor))

    async def iter_project_history(
        self, project: str, *, page_size: int | None = None
    ) -> AsyncIterator[ProjectVersion]:
        """Every version of the project, newest first, one page request at a time."""
        pid, cursor = project, None
        while True:
            page = await self._run(calls.project_history(pid, page_size, cursor))
            for version in page["versions"]:
                yield version
            cursor = page["next_cursor"]
            if cursor is None:
                return

    async def group_history(
        self, group: str, *, limit: int | None = None, cursor: str | None = None
    ) -> GroupHistoryPage:
        return await self._run(calls.group_history(group, limit, cursor))

    async def iter_group_history(
        self, group: str, *, page_size: int | None = None
    ) -> AsyncIterator[GroupVersion]:
        """Every change of the group, newest first, one page request at a time."""
        cursor = None
        while True:
            page = await self._run(calls.group_history(group, page_size, cursor))
            for version in page["versions"]:
                yield version
            cursor = page["next_cursor"]
            if cursor is None:
                return

    async def project_version(self, project: str, version: str) -> ProjectAtVersion:
        return await self._run(calls.project_version(project, version))

    async def diff(self, project: str, *, from_: str | None = None, to: str | None = None) -> Diff:
        return await self._run(calls.diff(project, from_, to))

    async def restore(
        self, project: str, version: str, *, message: str | None = None, if_match: str | None = None
    ) -> Project:
        return await self._run(calls.restore(project, version, message, if_match))

    async def tags(self, group: str) -> list[Tag]:
        return await self._run(calls.tags(group))

    async def create_tag(
        self, group: str, name: str, *, version: str | None = None, message: str | None = None
    ) -> Tag:
        return await self._run(calls.create_tag(group, name, version, message))

    # -- validation and batches ------------------------------------------------------------

    async def validate(self, format: str, data: str, *, dialect: str | None = None) -> ValidationResult:
        return await self._run(calls.validate(format, data, dialect))

    async def entities(self, project: str) -> Entities:
        return await self._run(calls.entities(await self._id(project)))

    async def batch(
        self,
        group: str,
        operations: list[BatchOperation],
        *,
        message: str | None = None,
        if_match: str | None = None,
    ) -> BatchResult:
        """Apply every operation in one commit, or none (docs/api.md#batches)."""
        return await self._run(calls.batch(group, operations, message, if_match))
