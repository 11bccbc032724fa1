"""What each call sends and how its answer is read, shared by the sync and the async client.

A :class:`Call` is a plain description (method, path, query, body, headers, whether a repeat is
safe, how to read the answer); the two clients differ only in how they send it and wait.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar
from urllib.parse import quote

import httpx

from registry.client.errors import problem_error
from registry.client.models import (
    BatchOperation,
    BatchResult,
    Diff,
    Entities,
    GroupDetail,
    GroupHistoryPage,
    GroupSummary,
    Project,
    ProjectAtVersion,
    ProjectHistoryPage,
    Tag,
    ValidationResult,
)

T = TypeVar("T")
JSON = "application/json"


@dataclass(frozen=True)
class Retry:
    """How often and how patiently a call is repeated after a ``503`` or a connection error.

    Only calls whose repeat is safe are repeated: reads, ``POST /validate`` (it writes nothing),
    and ``PUT``/``DELETE`` sent with ``If-Match`` (a repeat of one that landed is refused with
    ``412``, never applied twice). A connection that could not be made at all is retried for
    every call, since nothing was sent. ``Retry-After`` is honoured up to ``max_delay``.
    """

    attempts: int = 4  # tries in all, the first included
    backoff: float = 0.25  # seconds before the second try, doubled for each one after
    max_delay: float = 10.0

    def delay(self, attempt: int, retry_after: str | None = None) -> float:
        """Seconds to wait before try ``attempt + 1`` (``attempt`` counts from 1)."""
        wanted = self.backoff * 2 ** (attempt - 1)
        if retry_after is not None and retry_after.strip().isdigit():
            wanted = max(wanted, float(retry_after))
        # Jitter, so that clients refused together do not come back together (not a secret).
        return float(min(self.max_delay, wanted) * random.uniform(0.5, 1.0))  # noqa: S311


NO_RETRY = Retry(attempts=1)


@dataclass(frozen=True)
class Call(Generic[T]):
    method: str
    path: str
    read: Callable[[httpx.Response], T]
    params: Mapping[str, str] = field(default_factory=dict)
    body: Any = None
    headers: Mapping[str, str] = field(default_factory=dict)
    repeatable: bool = False  # may be sent again after a 503 or a lost connection

    def request(self, client: httpx.Client | httpx.AsyncClient) -> httpx.Request:
        params = {k: v for k, v in self.params.items() if v is not None}
        return client.build_request(
            self.method, self.path, params=params, json=self.body, headers=dict(self.headers)
        )


def should_retry(call: Call[Any], outcome: httpx.Response | httpx.TransportError) -> bool:
    if isinstance(outcome, httpx.ConnectError):
        return True  # never reached the server: nothing to repeat twice
    if not call.repeatable:
        return False
    return isinstance(outcome, httpx.TransportError) or outcome.status_code == 503


def answer(call: Call[T], response: httpx.Response) -> T:
    """The call's result, or the problem the server answered raised as an exception."""
    if response.status_code >= 400:
        try:
            body: object = response.json()
        except ValueError:
            body = None
        raise problem_error(response.status_code, response.reason_phrase, body)
    return call.read(response)


def _json(response: httpx.Response) -> Any:
    return response.json()


def _field(name: str) -> Callable[[httpx.Response], Any]:
    return lambda response: response.json()[name]


def _nothing(response: httpx.Response) -> None:
    return None


def _text(response: httpx.Response) -> str:
    return response.text


def _versioned(if_match: str | None) -> dict[str, str]:
    return {} if if_match is None else {"If-Match": f'"{if_match.strip(chr(34))}"'}


def _body(**fields: Any) -> dict[str, Any]:
    """A JSON body without the fields left out (None), so server defaults apply."""
    return {k: v for k, v in fields.items() if v is not None}


def seg(text: str) -> str:
    """One path segment: names may hold characters a URL path cannot."""
    return quote(text, safe="")


def is_id(ref: str) -> bool:
    return ref.startswith("_")


def split_ref(ref: str) -> tuple[str, str]:
    """``GROUP/NAME`` as (group, name); refuses anything else with :class:`ValueError`."""
    group, slash, name = ref.partition("/")
    if not slash or not group or not name or "/" in name:
        raise ValueError(f"a project is named GROUP/NAME or by its id (_p...), not {ref!r}")
    return group, name


def project_path(ref: str) -> str:
    if is_id(ref):
        return f"/project/{seg(ref)}"
    group, name = split_ref(ref)
    return f"/project/{seg(group)}/{seg(name)}"


# -- the calls, one per operation of docs/openapi.yaml ----------------------------------------


def healthz() -> Call[dict[str, Any]]:
    return Call("GET", "/healthz", _json, repeatable=True)


def readyz() -> Call[dict[str, Any]]:
    return Call("GET", "/readyz", _json, repeatable=True)


def openapi() -> Call[dict[str, Any]]:
    return Call("GET", "/openapi.json", _json, repeatable=True)


def metrics() -> Call[str]:
    return Call("GET", "/metrics", _text, headers={"Accept": "text/plain"}, repeatable=True)


def list_groups() -> Call[list[GroupSummary]]:
    return Call("GET", "/project-group", _field("project_groups"), repeatable=True)


def create_group(name: str, message: str | None) -> Call[GroupSummary]:
    return Call("POST", "/project-group", _json, body=_body(name=name, message=message))


def get_group(group: str, at: str | None, deleted: bool = False) -> Call[GroupDetail]:
    params = _body(at=at, deleted="true" if deleted else None)
    return Call("GET", f"/project-group/{seg(group)}", _json, params=params, repeatable=True)


def rename_group(group: str, name: str, message: str | None, if_match: str | None) -> Call[GroupSummary]:
    return Call(
        "PUT",
        f"/project-group/{seg(group)}",
        _json,
        body=_body(name=name, message=message),
        headers=_versioned(if_match),
        repeatable=if_match is not None,
    )


def delete_group(group: str, message: str | None, if_match: str | None) -> Call[None]:
    return Call(
        "DELETE",
        f"/project-group/{seg(group)}",
        _nothing,
        body=_body(message=message),
        headers=_versioned(if_match),
        repeatable=if_match is not None,
    )


def create_project(
    group: str, name: str, data: str | None, fmt: str | None, dialect: str | None, message: str | None
) -> Call[Project]:
    body = _body(project_group_id=group, name=name, data=data, format=fmt, dialect=dialect, message=message)
    return Call("POST", "/project", _json, body=body)


def get_project(ref: str, at: str | None) -> Call[Project]:
    return Call("GET", project_path(ref), _json, params=_body(at=at), repeatable=True)


def project_id(ref: str) -> Call[str]:
    """The id of the live project ``GROUP/NAME`` (for the routes that take ids only: entities)."""
    return Call("GET", project_path(ref), _field("id"), repeatable=True)


def update_project(
    ref: str,
    data: str,
    fmt: str | None,
    dialect: str | None,
    message: str | None,
    if_match: str | None,
) -> Call[Project]:
    return Call(
        "PUT",
        project_path(ref),
        _json,
        body=_body(data=data, format=fmt, dialect=dialect, message=message),
        headers=_versioned(if_match),
        repeatable=if_match is not None,
    )


def rename_project(ref: str, name: str, message: str | None, if_match: str | None) -> Call[Project]:
    body = _body(name=name, message=message)
    return Call("PATCH", project_path(ref), _json, body=body, headers=_versioned(if_match))


def delete_project(ref: str, message: str | None, if_match: str | None) -> Call[None]:
    return Call(
        "DELETE",
        project_path(ref),
        _nothing,
        body=_body(message=message),
        headers=_versioned(if_match),
        repeatable=if_match is not None,
    )


def project_history(ref: str, limit: int | None, cursor: str | None) -> Call[ProjectHistoryPage]:
    params = _body(limit=None if limit is None else str(limit), cursor=cursor)
    return Call("GET", f"{project_path(ref)}/history", _json, params=params, repeatable=True)


def group_history(group: str, limit: int | None, cursor: str | None) -> Call[GroupHistoryPage]:
    params = _body(limit=None if limit is None else str(limit), cursor=cursor)
    return Call("GET", f"/project-group/{seg(group)}/history", _json, params=params, repeatable=True)


def project_version(ref: str, version: str) -> Call[ProjectAtVersion]:
    return Call("GET", f"{project_path(ref)}/versions/{seg(version)}", _json, repeatable=True)


def diff(ref: str, from_: str | None, to: str | None) -> Call[Diff]:
    params = _body(**{"from": from_, "to": to})
    headers = {"Accept": JSON}
    return Call("GET", f"{project_path(ref)}/diff", _json, params=params, headers=headers, repeatable=True)


def restore(ref: str, version: str, message: str | None, if_match: str | None) -> Call[Project]:
    """By id or by ``GROUP/NAME``: a name no live project has finds the one last deleted under it."""
    body = _body(version=version, message=message)
    return Call("POST", f"{project_path(ref)}/restore", _json, body=body, headers=_versioned(if_match))


def tags(group: str) -> Call[list[Tag]]:
    return Call("GET", f"/project-group/{seg(group)}/tags", _field("tags"), repeatable=True)


def create_tag(group: str, name: str, version: str | None, message: str | None) -> Call[Tag]:
    body = _body(name=name, version=version, message=message)
    return Call("POST", f"/project-group/{seg(group)}/tags", _json, body=body)


def validate(fmt: str, data: str, dialect: str | None) -> Call[ValidationResult]:
    body = _body(format=fmt, data=data, dialect=dialect)
    return Call("POST", "/validate", _json, body=body, repeatable=True)  # writes nothing


def sample(
    ref: str, rows: int, seed: int, as_: str, entity: str | None, dialect: str | None, at: str | None
) -> Call[bytes]:
    """Sample records (docs/samples.md), as the body the server answers in the ``as_`` form."""
    params = _body(rows=str(rows), seed=str(seed), entity=entity, dialect=dialect, at=at)
    params["as"] = as_
    return Call("GET", f"{project_path(ref)}/sample", _bytes, params=params, repeatable=True)


def _bytes(response: httpx.Response) -> bytes:
    return response.content


def entities(pid: str) -> Call[Entities]:
    return Call("GET", f"/project/{seg(pid)}/entities", _json, repeatable=True)


def batch(
    group: str, operations: list[BatchOperation], message: str | None, if_match: str | None
) -> Call[BatchResult]:
    body = _body(operations=operations, message=message)
    return Call("POST", f"/project-group/{seg(group)}/batch", _json, body=body, headers=_versioned(if_match))
