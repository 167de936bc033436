"""Named personas shared by every app's tests.

- alice: owner of the "Chambre de commerce de Lyon" workspace
- camille: its community manager
- theo: a contributor there (drafts only)
- nadia: an analyst there (reads, never writes)
- oscar: an outsider, owner of another workspace
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from parvis.core.models import Membership, Role, Workspace
from parvis.core.tests.factories import MembershipFactory, UserFactory, WorkspaceFactory
from parvis.networks.connectors.fake.connector import FakeConnector


@pytest.fixture
def workspace(db: None) -> Workspace:
    return WorkspaceFactory(name="Chambre de commerce de Lyon", slug="cci-lyon")


def _member(workspace: Workspace, username: str, role: str) -> Membership:
    membership: Membership = MembershipFactory(workspace=workspace, user=UserFactory(username=username), role=role)
    return membership


@pytest.fixture
def alice(workspace: Workspace) -> Membership:
    return _member(workspace, "alice", Role.OWNER)


@pytest.fixture
def camille(workspace: Workspace) -> Membership:
    return _member(workspace, "camille", Role.COMMUNITY_MANAGER)


@pytest.fixture
def theo(workspace: Workspace) -> Membership:
    return _member(workspace, "theo", Role.CONTRIBUTOR)


@pytest.fixture
def nadia(workspace: Workspace) -> Membership:
    return _member(workspace, "nadia", Role.ANALYST)


@pytest.fixture
def oscar(db: None) -> Membership:
    other = WorkspaceFactory(name="Brasserie du Parc", slug="brasserie-du-parc")
    return _member(other, "oscar", Role.OWNER)


@pytest.fixture(autouse=True)
def _fake_network() -> Iterator[None]:
    FakeConnector.reset()
    yield
    FakeConnector.reset()


@pytest.fixture(autouse=True)
def _immediate_tasks(settings: pytest.FixtureRequest) -> None:
    """Unit tests run tasks in-process, at enqueue time; worker tests override this."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def _local_servers_allowed(settings: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Tests talk to network servers on loopback; uploads go to a temporary folder."""
    settings.PARVIS_PRIVATE_HOSTS_ALLOWED = ["127.0.0.1", "localhost"]  # type: ignore[attr-defined]
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def _english_outside_requests() -> Iterator[None]:
    """Service messages are translated; tests read them in English. Requests still pick their own language."""
    from django.utils import translation

    with translation.override("en"):
        yield
