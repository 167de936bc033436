"""Small fixtures for the networks tests: one connected account, and a task queue that only records."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django_tasks import task_backends
from django_tasks.backends.dummy import DummyBackend
from django_tasks.base import Task

from parvis.core.models import Workspace
from parvis.networks.models import ConnectedAccount
from parvis.networks.tests.factories import ConnectedAccountFactory

EnqueuedArgs = Callable[[Task], list[int]]


@pytest.fixture(autouse=True)
def _fast_passwords(settings: pytest.FixtureRequest) -> None:
    """Personas get a password; hashing it with the real hasher would dominate the suite's time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def account(workspace: Workspace) -> ConnectedAccount:
    created: ConnectedAccount = ConnectedAccountFactory(workspace=workspace)
    return created


@pytest.fixture
def queue(settings: pytest.FixtureRequest) -> DummyBackend:
    """Tasks are recorded, not run: tests see what was enqueued."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    backend = task_backends["default"]
    assert isinstance(backend, DummyBackend)
    backend.clear()
    return backend


@pytest.fixture
def enqueued(queue: DummyBackend) -> EnqueuedArgs:
    """The first argument (an id) of each enqueued call of one task, in order."""

    def args_of(task: Task) -> list[int]:
        return [result.args[0] for result in queue.results if result.task.module_path == task.module_path]

    return args_of
