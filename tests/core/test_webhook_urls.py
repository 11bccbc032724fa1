"""Which addresses and URLs a webhook may have (server-side request forgery checks)."""

from __future__ import annotations

from pathlib import Path

import pytest

from registry.core.errors import InvalidInput
from registry.core.webhook_urls import check_destination, check_url, refused_address

CASES = [
    line.split()
    for line in (Path(__file__).parent / "webhook_addresses.txt").read_text().splitlines()
    if line.strip() and not line.startswith("#")
]


@pytest.mark.parametrize(("address", "verdict"), CASES)
def test_addresses(address: str, verdict: str) -> None:
    reason = refused_address(address)
    assert (reason is None) == (verdict == "allowed"), reason


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/hook",
        "http://localhost/hook",
        "https://[::1]/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::ffff:192.168.0.1]/",
        "http://0/",
    ],
)
def test_internal_destinations_are_refused_unless_allowed(url: str) -> None:
    with pytest.raises(InvalidInput, match="refused"):
        check_destination(check_url(url), allow_private=False)
    check_destination(check_url(url), allow_private=True)


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/",
        "file:///etc/passwd",
        "http://",
        "//example.com/x",
        "http://u:p@example.com/",
        "x" * 3000,
    ],
)
def test_malformed_urls_are_refused(url: str) -> None:
    with pytest.raises(InvalidInput):
        check_url(url)


def test_an_unresolvable_host_is_refused() -> None:
    with pytest.raises(InvalidInput, match="does not resolve"):
        check_destination("http://no-such-host.invalid/", allow_private=False)
