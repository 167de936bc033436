"""The delivery timeouts must leave room for exactly-once: HTTP timeout < run timeout < re-delivery window."""

from __future__ import annotations

import pytest

from parvis.networks.checks import delivery_timeouts


def _ids(settings: pytest.FixtureRequest) -> list[str]:
    return [str(message.id) for message in delivery_timeouts()]


def test_the_default_settings_pass(settings: pytest.FixtureRequest) -> None:
    assert _ids(settings) == []


def test_a_redelivery_window_shorter_than_the_run_timeout_is_an_error(settings: pytest.FixtureRequest) -> None:
    settings.PARVIS_ACTION_RUN_TIMEOUT = 300  # type: ignore[attr-defined]
    settings.PARVIS_ACTION_REDELIVERY_AFTER = 300  # type: ignore[attr-defined]

    assert _ids(settings) == ["networks.E001"]


def test_an_http_timeout_longer_than_the_run_timeout_is_an_error(settings: pytest.FixtureRequest) -> None:
    settings.PARVIS_HTTP_TIMEOUT = 30  # type: ignore[attr-defined]
    settings.PARVIS_ACTION_RUN_TIMEOUT = 20  # type: ignore[attr-defined]

    assert _ids(settings) == ["networks.E003"]


def test_a_tight_run_timeout_is_a_warning(settings: pytest.FixtureRequest) -> None:
    settings.PARVIS_HTTP_TIMEOUT = 15  # type: ignore[attr-defined]
    settings.PARVIS_ACTION_RUN_TIMEOUT = 40  # type: ignore[attr-defined]

    assert _ids(settings) == ["networks.W001"]
