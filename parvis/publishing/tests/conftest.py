from __future__ import annotations

import pytest

from parvis.core.models import Workspace
from parvis.networks.models import ConnectedAccount
from parvis.networks.tests.factories import ConnectedAccountFactory


@pytest.fixture(autouse=True)
def _fast_passwords(settings: pytest.FixtureRequest) -> None:
    """Personas get a password; hashing it with the real hasher would dominate the suite's time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def account(workspace: Workspace) -> ConnectedAccount:
    created: ConnectedAccount = ConnectedAccountFactory(workspace=workspace)
    return created
