"""The webhook client connects only to addresses that pass the checks, at every delivery."""

from __future__ import annotations

import asyncio

from registry.core.events import CloudEvent
from registry.http.webhook_client import client_session, deliver
from tests.support.client import Client
from tests.support.receiver import Receiver

EVENT: CloudEvent = {
    "specversion": "1.0",
    "id": "_g0000000000000000:" + "0" * 40,
    "source": "http://registry.test/project-group/_g0000000000000000",
    "type": "dev.schema-registry.group.created",
    "subject": "_g0000000000000000",
    "time": "2026-01-01T00:00:00Z",
    "datacontenttype": "application/json",
    "data": {
        "group_id": "_g0000000000000000",
        "group_name": "g",
        "project_id": None,
        "project_name": None,
        "action": "created",
        "version": "0" * 40,
        "previous_version": None,
        "format": None,
        "author": "a",
        "message": None,
        "change_summary": None,
        "url": "http://registry.test/project-group/_g0000000000000000?at=" + "0" * 40,
    },
}
SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


async def _send(url: str, *, allow_private: bool) -> tuple[int | None, str | None]:
    async with client_session(allow_private=allow_private, timeout_seconds=5) as session:
        attempt = await deliver(session, url, SECRET, EVENT, allow_private=allow_private)
    return attempt.status, attempt.error


def test_a_name_resolving_to_loopback_is_refused_at_delivery() -> None:
    with Receiver() as receiver:
        status, error = asyncio.run(_send(f"http://localhost:{receiver.port}/hook", allow_private=False))
        assert status is None
        assert error is not None
        assert "refused addresses" in error
        status, error = asyncio.run(_send(f"http://127.0.0.1:{receiver.port}/hook", allow_private=False))
        assert status is None
        assert error is not None
        assert "loopback" in error
        assert receiver.received == []  # no request ever reached it
        assert asyncio.run(_send(receiver.url, allow_private=True)) == (204, None)
        assert len(receiver.accepted) == 1


def test_redirects_are_not_followed() -> None:
    with Receiver(failures=1, fail_status=307) as receiver:
        status, error = asyncio.run(_send(receiver.url, allow_private=True))
    assert (status, error) == (307, "answered 307")


def test_making_a_webhook_to_an_internal_address_is_refused(api: Client) -> None:
    for url in ("http://127.0.0.1:9/hook", "http://localhost/", "http://[::1]/", "http://10.0.0.1/"):
        response = api.post("/webhooks", {"url": url})
        assert response.status == 400, (url, response)
        assert "refused" in response.json["detail"]
    assert api.get("/webhooks").status == 200
