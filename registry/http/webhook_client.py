"""Sending one signed event to one receiver (aiohttp client), connecting only to allowed addresses.

Signatures follow Standard Webhooks (``webhook-id``, ``webhook-timestamp``,
``webhook-signature: v1,<base64 HMAC-SHA256>``), made with the ``standardwebhooks`` package, the
same that receivers verify with. Redirects are not followed (a 3xx is a failure): a redirect
must not lead a delivery past the address checks.
"""

from __future__ import annotations

import errno
import functools
import ipaddress
import json
import socket
import time
from datetime import UTC, datetime
from typing import NamedTuple
from urllib.parse import urlsplit

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import DefaultResolver
from standardwebhooks import Webhook as Signer

from registry.core.events import CloudEvent
from registry.core.webhook_urls import refused_address

CONTENT_TYPE = "application/cloudevents+json; charset=utf-8"
USER_AGENT = "schema-registry-webhooks/1"


class CheckedResolver(AbstractResolver):
    """DNS answers with the refused addresses taken out: aiohttp then connects only to an
    address that passed the check (DNS rebinding gets nowhere)."""

    def __init__(self) -> None:
        self._inner = DefaultResolver()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        answers = await self._inner.resolve(host, port, family)
        allowed = [a for a in answers if refused_address(a["host"]) is None]
        if not allowed:
            reasons = sorted({refused_address(a["host"]) or "" for a in answers})
            # (errno, text): aiohttp shows an OSError's strerror, not its plain message
            raise OSError(
                errno.EHOSTUNREACH, f"{host} resolves only to refused addresses: {'; '.join(reasons)}"
            )
        return allowed

    async def close(self) -> None:
        await self._inner.close()


def client_session(*, allow_private: bool, timeout_seconds: float) -> aiohttp.ClientSession:
    resolver: AbstractResolver = DefaultResolver() if allow_private else CheckedResolver()
    return aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(resolver=resolver, limit=64),
        timeout=aiohttp.ClientTimeout(total=timeout_seconds),
        headers={"User-Agent": USER_AGENT},
    )


class Attempt(NamedTuple):
    status: int | None  # None: no answer (refused, timed out, connection failed)
    error: str | None  # None: a 2xx
    seconds: float


def body_of(event: CloudEvent) -> bytes:
    return json.dumps(event, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


@functools.lru_cache(maxsize=1024)
def _signer(secret: str) -> Signer:
    return Signer(secret)  # decodes the secret once, not per delivery


def signed_headers(secret: str, event_id: str, body: bytes) -> dict[str, str]:
    now = datetime.now(UTC)
    return {
        "Content-Type": CONTENT_TYPE,
        "webhook-id": event_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": _signer(secret).sign(event_id, now, body),
    }


def _literal_refused(url: str, allow_private: bool) -> str | None:
    """aiohttp connects to an IP literal without asking the resolver: check it here."""
    host = urlsplit(url).hostname or ""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return None
    return None if allow_private else refused_address(host)


async def deliver(
    session: aiohttp.ClientSession, url: str, secret: str, event: CloudEvent, *, allow_private: bool
) -> Attempt:
    """POST the event; a 2xx is success, anything else (or no answer) a failure with a reason."""
    started = time.monotonic()
    refused = _literal_refused(url, allow_private)
    if refused is not None:
        return Attempt(None, f"refused: {refused}", 0.0)
    body = body_of(event)
    try:
        async with session.post(
            url, data=body, headers=signed_headers(secret, event["id"], body), allow_redirects=False
        ) as response:
            await response.read()
            status = response.status
    except TimeoutError:
        return Attempt(None, "timed out", time.monotonic() - started)
    except (aiohttp.ClientError, OSError) as exc:
        return Attempt(None, f"{type(exc).__name__}: {exc}"[:500], time.monotonic() - started)
    seconds = time.monotonic() - started
    if 200 <= status < 300:
        return Attempt(status, None, seconds)
    return Attempt(status, f"answered {status}", seconds)
