"""Generation hints: what a string value is, drawn from pools of realistic values.

A hint names a Faker provider (docs/samples.md lists them). Calling Faker for every value costs
about 200-300 microseconds, so each hint's values are made once per process, into a pool of
:data:`POOL_SIZE` values with a fixed seed, and a request's own seed only picks from the pools.
That keeps answers the same for the same seed, and 10,000 records fast.
"""

from __future__ import annotations

import threading
from functools import cache
from typing import Any

POOL_SIZE = 1_000
POOL_SEED = 20261208  # fixed: pools are the same in every process, so samples are reproducible

# The hints a schema may give (JSON Schema `format`, yaml `string(email)`), and the Faker provider
# each draws from. Aliases people write for the same thing map to one provider.
HINTS: dict[str, str] = {
    "email": "email",
    "idn-email": "email",
    "person_name": "name",
    "name": "name",
    "first_name": "first_name",
    "last_name": "last_name",
    "user_name": "user_name",
    "phone": "phone_number",
    "phone_number": "phone_number",
    "address": "address",
    "street_address": "street_address",
    "city": "city",
    "country": "country",
    "country_code": "country_code",
    "postcode": "postcode",
    "company": "company",
    "job": "job",
    "url": "url",
    "uri": "url",
    "iri": "url",
    "hostname": "hostname",
    "idn-hostname": "hostname",
    "domain_name": "domain_name",
    "ipv4": "ipv4",
    "ipv6": "ipv6",
    "mac_address": "mac_address",
    "iban": "iban",
    "swift": "swift",
    "credit_card_number": "credit_card_number",
    "currency_code": "currency_code",
    "isbn13": "isbn13",
    "ean13": "ean13",
    "license_plate": "license_plate",
    "language_code": "language_code",
    "timezone": "timezone",
    "user_agent": "user_agent",
    "color_name": "color_name",
    "file_name": "file_name",
    "slug": "slug",
    "word": "word",
    "sentence": "sentence",
    "paragraph": "paragraph",
    "text": "text",
    "catch_phrase": "catch_phrase",
}

_lock = threading.Lock()


def known_hint(hint: str) -> bool:
    return hint in HINTS


@cache
def pool(hint: str) -> tuple[str, ...]:
    """The pool of values for ``hint`` (made on first use; Faker is imported then, too)."""
    from faker import Faker  # heavy: only when a sample is asked for

    with _lock:  # a Faker instance is not safe to share between threads
        fake = Faker("en_US")
        fake.seed_instance(POOL_SEED)
        provider: Any = getattr(fake, HINTS[hint])
        values = {str(provider()) for _ in range(POOL_SIZE)}
    return tuple(sorted(values))
