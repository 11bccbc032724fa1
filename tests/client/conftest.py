"""Fixtures for the client library: clients on the session's real server, every answer checked
against docs/openapi.yaml, and a counter of the requests a client sent."""

from __future__ import annotations

import http.client
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from registry.client import AsyncRegistryClient, RegistryClient
from tests.support.client import Response
from tests.support.openapi_check import check_response
from tests.support.server import Server


def _check(request: httpx.Request, response: httpx.Response) -> None:
    headers = http.client.HTTPMessage()
    for name, value in response.headers.multi_items():
        headers[name] = value
    answer = Response(response.status_code, headers, response.read())
    check_response(request.method, request.url.raw_path.decode(), answer)


class CheckedTransport(httpx.HTTPTransport):
    """The real transport; every answer is checked against the API document and counted."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[str] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(f"{request.method} {request.url.raw_path.decode()}")
        response = super().handle_request(request)
        _check(request, response)
        return response


class AsyncCheckedTransport(httpx.AsyncHTTPTransport):
    def __init__(self) -> None:
        super().__init__()
        self.sent: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(f"{request.method} {request.url.raw_path.decode()}")
        response = await super().handle_async_request(request)
        await response.aread()
        _check(request, response)
        return response


@pytest.fixture
def transport() -> CheckedTransport:
    return CheckedTransport()


@pytest.fixture
def client(server: Server, transport: CheckedTransport) -> Iterator[RegistryClient]:
    with RegistryClient(server.url, server.admin_key(), transport=transport) as c:
        yield c


@pytest.fixture
def async_transport() -> AsyncCheckedTransport:
    return AsyncCheckedTransport()


@pytest.fixture
async def aclient(
    server: Server, async_transport: AsyncCheckedTransport
) -> AsyncIterator[AsyncRegistryClient]:
    async with AsyncRegistryClient(server.url, server.admin_key(), transport=async_transport) as c:
        yield c
