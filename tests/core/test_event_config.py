"""The event and webhook settings: flags, variables, defaults, and what is refused."""

from __future__ import annotations

import pytest

from registry.core.config import config_from
from registry.core.errors import InvalidInput


def test_defaults() -> None:
    config = config_from(env={})
    assert config.public_url is None
    assert config.webhooks_allow_private is False
    assert config.webhook_timeout_seconds == 10
    assert config.webhook_retry_base_seconds == 1
    assert config.webhook_retry_max_seconds == 3600
    assert config.webhook_give_up_seconds == 3 * 24 * 3600


def test_flags_win_over_variables() -> None:
    env = {"REGISTRY_PUBLIC_URL": "https://env.example/", "REGISTRY_WEBHOOKS_ALLOW_PRIVATE": "0"}
    config = config_from(public_url="https://flag.example/base/", webhooks_allow_private=True, env=env)
    assert config.public_url == "https://flag.example/base"
    assert config.webhooks_allow_private is True
    assert config_from(env=env).public_url == "https://env.example"
    assert config_from(env={"REGISTRY_WEBHOOKS_ALLOW_PRIVATE": "1"}).webhooks_allow_private is True


@pytest.mark.parametrize("url", ["ftp://x.example", "registry.example", "https://x.example/?a=1", "http://"])
def test_a_bad_public_url_is_refused(url: str) -> None:
    with pytest.raises(InvalidInput, match="REGISTRY_PUBLIC_URL"):
        config_from(public_url=url, env={})


@pytest.mark.parametrize("name", ["WEBHOOK_TIMEOUT", "WEBHOOK_RETRY_BASE_SECONDS", "WEBHOOK_GIVE_UP_SECONDS"])
def test_bad_webhook_times_are_refused(name: str) -> None:
    for value in ("0", "-1", "soon", "inf"):
        with pytest.raises(InvalidInput, match=f"REGISTRY_{name}"):
            config_from(env={f"REGISTRY_{name}": value})
