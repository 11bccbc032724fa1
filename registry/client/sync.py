"""The blocking client: :class:`RegistryClient`."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
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

T = TypeVar("T")
DEFAULT_TIMEOUT = 30.0


def client_options(url: str, key: str | None, timeout: float | httpx.Timeout) -> dict[str, Any]:
    # JSON unless a call asks otherwise: a project also has its schema text as a representation.
    headers = {"User-Agent": "schema-registry-client", "Accept": calls.JSON}
    if key:
        headers["Authorization"] = f"Bearer {key}"
    return {"base_url": url.rstrip("/"), "headers": headers, "timeout": timeout}


class RegistryClient:
    """A typed client for every route of the registry's API (docs/client.md).

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
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.retry = retry or Retry()
        self._http = httpx.Client(transport=transport, **client_options(url, key, timeout))

    @classmethod
    def from_env(cls, **options: Any) -> RegistryClient:
        """A client for ``REGISTRY_URL`` (default http://127.0.0.1:8080) with ``REGISTRY_KEY``."""
        url = os.environ.get("REGISTRY_URL", "http://127.0.0.1:8080")
        return cls(url, os.environ.get("REGISTRY_KEY"), **options)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> RegistryClient:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _run(self, call: Call[T]) -> T:
        attempt = 1
        while True:
            try:
                response = self._http.send(call.request(self._http))
            except httpx.TransportError as exc:
                if attempt >= self.retry.attempts or not calls.should_retry(call, exc):
                    raise RegistryConnectionError(f"{call.method} {call.path}: {exc!r}") from exc
                time.sleep(self.retry.delay(attempt))
            else:
                if attempt >= self.retry.attempts or not calls.should_retry(call, response):
                    return calls.answer(call, response)
                response.close()
                time.sleep(self.retry.delay(attempt, response.headers.get("Retry-After")))
            attempt += 1

    def _id(self, ref: str) -> str:
        return ref if calls.is_id(ref) else self._run(calls.project_id(ref))

    # -- service ---------------------------------------------------------------------------

    def healthz(self) -> dict[str, Any]:
        return self._run(calls.healthz())

    def readyz(self) -> dict[str, Any]:
        return self._run(calls.readyz())

    def openapi(self) -> dict[str, Any]:
        return self._run(calls.openapi())

    def metrics(self) -> str:
        return self._run(calls.metrics())

    # -- groups ----------------------------------------------------------------------------

    def list_groups(self) -> list[GroupSummary]:
        return self._run(calls.list_groups())

    def create_group(self, name: str, *, message: str | None = None) -> GroupSummary:
        return self._run(calls.create_group(name, message))

    def get_group(self, group: str, *, at: str | None = None, deleted: bool = False) -> GroupDetail:
        """The group and its projects; ``deleted`` adds ``deleted_projects`` (those a restore can
        bring back, by id or by name)."""
        return self._run(calls.get_group(group, at, deleted))

    def sample(
        self,
        project: str,
        *,
        rows: int = 10,
        seed: int = 0,
        entity: str | None = None,
        at: str | None = None,
    ) -> dict[str, list[dict[str, Any]]]:
        """Sample records of every entity (or ``entity``), by name: ``{"Name": [records]}``."""
        body = self._run(calls.sample(project, rows, seed, "json", entity, None, at))
        records: dict[str, list[dict[str, Any]]] = json.loads(body)["entities"]
        return records

    def sample_as(
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
        return self._run(calls.sample(project, rows, seed, as_, entity, dialect, at))

    def rename_group(
        self, group: str, name: str, *, message: str | None = None, if_match: str | None = None
    ) -> GroupSummary:
        return self._run(calls.rename_group(group, name, message, if_match))

    def delete_group(self, group: str, *, message: str | None = None, if_match: str | None = None) -> None:
        self._run(calls.delete_group(group, message, if_match))

    # -- projects --------------------------------------------------------------------------

    def create_project(
        self,
        group: str,
        name: str,
        data: str | None = None,
        *,
        format: str | None = None,
        dialect: str | None = None,
        message: str | None = None,
    ) -> Project:
        return self._run(calls.create_project(group, name, data, format, dialect, message))

    def get_project(self, project: str, *, at: str | None = None) -> Project:
        return self._run(calls.get_project(project, at))

    def update_project(
        self,
        project: str,
        data: str,
        *,
        format: str | None = None,
        dialect: str | None = None,
        message: str | None = None,
        if_match: str | None = None,
    ) -> Project:
        return self._run(calls.update_project(project, data, format, dialect, message, if_match))

    def rename_project(
        self, project: str, name: str, *, message: str | None = None, if_match: str | None = None
    ) -> Project:
        return self._run(calls.rename_project(project, name, message, if_match))

    def delete_project(
        self, project: str, *, message: str | None = None, if_match: str | None = None
    ) -> None:
        self._run(calls.delete_project(project, message, if_match))

    # -- history ---------------------------------------------------------------------------

    def project_history(
        self, project: str, *, limit: int | None = None, cursor: str | None = None
    ) -> ProjectHistoryPage:
        return self._run(calls.project_history(project, limit, cursor))

    def iter_project_history(self, project: str, *, page_size: int | None = None) -> Iterator[ProjectVersion]:
        """Every version of the project, newest first, one page request at a time."""
        pid, cursor = project, None
        while True:
            page = self._run(calls.project_history(pid, page_size, cursor))
            yield from page["versions"]
            cursor = page["next_cursor"]
            if cursor is None:
                return

    def group_history(
        self, group: str, *, limit: int | None = None, cursor: str | None = None
    ) -> GroupHistoryPage:
        return self._run(calls.group_history(group, limit, cursor))

    def iter_group_history(self, group: str, *, page_size: int | None = None) -> Iterator[GroupVersion]:
        """Every change of the group, newest first, one page request at a time."""
        cursor = None
        while True:
            page = self._run(calls.group_history(group, page_size, cursor))
            yield from page["versions"]
            cursor = page["next_cursor"]
            if cursor is None:
                return

    def project_version(self, project: str, version: str) -> ProjectAtVersion:
        return self._run(calls.project_version(project, version))

    def diff(self, project: str, *, from_: str | None = None, to: str | None = None) -> Diff:
        return self._run(calls.diff(project, from_, to))

    def restore(
        self, project: str, version: str, *, message: str | None = None, if_match: str | None = None
    ) -> Project:
        return self._run(calls.restore(project, version, message, if_match))

    def tags(self, group: str) -> list[Tag]:
        return self._run(calls.tags(group))

    def create_tag(
        self, group: str, name: str, *, version: str | None = None, message: str | None = None
    ) -> Tag:
        return self._run(calls.create_tag(group, name, version, message))

    # -- validation and batches ------------------------------------------------------------

    def validate(self, format: str, data: str, *, dialect: str | None = None) -> ValidationResult:
        return self._run(calls.validate(format, data, dialect))

    def entities(self, project: str) -> Entities:
        return self._run(calls.entities(self._id(project)))

    def batch(
        self,
        group: str,
        operations: list[BatchOperation],
        *,
        message: str | None = None,
        if_match: str | None = None,
    ) -> BatchResult:
        """Apply every operation in one commit, or none (docs/api.md#batches)."""
        return self._run(calls.batch(group, operations, message, if_match))
