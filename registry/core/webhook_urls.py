"""Which webhook URLs the registry may call: server-side request forgery checks.

Only ``http`` and ``https``; by default no address that is loopback, link-local, private,
multicast, reserved or unspecified (an IPv4 address mapped into IPv6 is judged as IPv4). The
check runs when a webhook is made, on every address its host resolves to, and again at each
delivery, where the sender connects only to addresses that passed (see
:mod:`registry.http.webhook_client`), so a name that re-resolves to an internal host later
(DNS rebinding) reaches nothing.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from registry.core.errors import InvalidInput

MAX_URL_CHARS = 2048


def refused_address(address: str) -> str | None:
    """Why ``address`` (an IP literal) may not be called, or None if it may."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])  # an IPv6 zone says nothing of the address
    except ValueError:
        return f"{address!r} is not an IP address"
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    for kind, flag in (
        ("loopback", ip.is_loopback),
        ("link-local", ip.is_link_local),
        ("private", ip.is_private),
        ("multicast", ip.is_multicast),
        ("reserved", ip.is_reserved),
        ("unspecified", ip.is_unspecified),
    ):
        if flag:
            return f"{ip} is a {kind} address"
    if not ip.is_global:
        return f"{ip} is not a public address"
    return None


def check_url(url: object) -> str:
    """``url`` if it is an absolute http(s) URL with a host (no address checks)."""
    if not isinstance(url, str):
        raise InvalidInput("field 'url' must be a string")
    if len(url) > MAX_URL_CHARS:
        raise InvalidInput(f"url is longer than {MAX_URL_CHARS} characters")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise InvalidInput(f"url is not a valid URL: {exc}") from exc
    if parts.scheme not in ("http", "https"):
        raise InvalidInput("url must be an http or https URL")
    if not parts.hostname:
        raise InvalidInput("url must name a host")
    if parts.username is not None or parts.password is not None:
        raise InvalidInput("url must not carry credentials (the deliveries are signed instead)")
    del port
    return url


def check_destination(url: str, *, allow_private: bool) -> None:
    """Refuse ``url`` if its host is, or resolves to, an address webhooks may not reach
    (blocking: DNS; call from a worker thread)."""
    host = urlsplit(url).hostname or ""
    if allow_private:
        return
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    addresses = [str(literal)] if literal is not None else _resolve(host, urlsplit(url).port)
    for address in addresses:
        reason = refused_address(address)
        if reason is not None:
            raise InvalidInput(
                f"webhook url {host!r} is refused: {reason} (serve --webhooks-allow-private allows it)"
            )


def _resolve(host: str, port: int | None) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port or 443, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise InvalidInput(f"webhook url host {host!r} does not resolve: {exc}") from exc
    return sorted({str(info[4][0]) for info in infos})
