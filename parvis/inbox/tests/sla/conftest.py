from __future__ import annotations

from collections.abc import Iterator

import pytest

from parvis.core.models import Membership
from parvis.inbox import hooks, sla_hooks
from parvis.inbox.models import SlaPolicy, SlaPreset
from parvis.inbox.sla import sla_policy_create
from parvis.networks import periodic


@pytest.fixture(autouse=True)
def _sla_registered() -> Iterator[None]:
    """What parvis/inbox/apps.py does at start-up (wired by the lead), for these tests."""
    before_hooks = dict(hooks._HOOKS)
    before_jobs = dict(periodic._JOBS)
    sla_hooks.register()
    yield
    hooks._HOOKS.clear()
    hooks._HOOKS.update(before_hooks)
    periodic._JOBS.clear()
    periodic._JOBS.update(before_jobs)


@pytest.fixture
def btob(alice: Membership) -> SlaPolicy:
    """The BtoB preset as the workspace default: 24 h / 48 h, Mon-Fri 9-12 and 14-18, French holidays."""
    return sla_policy_create(membership=alice, preset=SlaPreset.BTOB)
