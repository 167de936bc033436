"""Drill: a 429 storm in the middle of a burst. Retry-After is honoured; every post goes out once."""

from __future__ import annotations

import pytest

from parvis.core.models import Membership
from parvis.networks.models import ActionAttempt, ActionStatus, AttemptOutcome
from parvis.networks.tests.drills.conftest import BURST, Burst, drain, statuses_by_text
from parvis.testing.fixtures import ConnectMastodon
from parvis.testing.mastodon import MastodonMockServer

pytestmark = pytest.mark.network


def test_a_rate_limit_storm_delays_the_burst_without_losing_or_doubling_a_post(
    mastodon_server: MastodonMockServer, mastodon_connect: ConnectMastodon, camille: Membership, burst: Burst
) -> None:
    account, org = mastodon_connect(camille)
    mastodon_server.add_fault(
        effect="ratelimit", path="/api/v1/statuses", methods=["POST"], headers={"Retry-After": "1"}, count=20
    )

    actions = burst(account)
    drain(actions)

    assert {action.status for action in type(actions[0]).objects.filter(pk__in=[a.pk for a in actions])} == {
        ActionStatus.DONE
    }
    counts = statuses_by_text(mastodon_server, org)
    assert len(counts) == BURST
    assert set(counts.values()) == {1}
    limited = ActionAttempt.objects.filter(outcome=AttemptOutcome.RATE_LIMITED)
    assert limited.count() == 20
    for attempt in limited.select_related("action"):
        retried = attempt.action.attempt_log.filter(started_at__gt=attempt.started_at).order_by("started_at").first()
        assert retried is not None
        assert attempt.finished_at is not None
        # Retry-After: 1 is honoured: the next try waits at least a second.
        assert (retried.started_at - attempt.finished_at).total_seconds() >= 0.99
