"""Settings for the cross-app tests under tests/ (the ones under parvis/ get theirs from parvis/conftest.py)."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _local_servers_and_immediate_tasks(
    settings: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> None:
    settings.PARVIS_PRIVATE_HOSTS_ALLOWED = ["127.0.0.1", "localhost"]  # type: ignore[attr-defined]
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")  # type: ignore[attr-defined]
    # The live server runs tasks when they are enqueued, in its own thread: no worker to start.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}  # type: ignore[attr-defined]
