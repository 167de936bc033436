"""Drill: the account's token is revoked in the middle of a burst. Nothing is lost, nothing doubled."""

from __future__ import annotations

import pytest

from parvis.core.models import Membership, Notification
from parvis.networks.models import AccountStatus, Action, ActionStatus, AttemptOutcome
from parvis.networks.services import account_connect, action_execute
from parvis.networks.tests.drills.conftest import BURST, Burst, drain, statuses_by_text
from parvis.testing.fixtures import ConnectMastodon
from parvis.testing.mastodon import MastodonMockServer

pytestmark = pytest.mark.network


def test_a_token_revoked_mid_burst_holds_the_rest_until_reconnection(
    mastodon_server: MastodonMockServer,
    mastodon_connect: ConnectMastodon,
    camille: Membership,
    burst: Burst,
    django_capture_on_commit_callbacks: pytest.FixtureRequest,
) -> None:
    account, org = mastodon_connect(camille)
    with django_capture_on_commit_callbacks(execute=False):  # type: ignore[operator]
        actions = burst(account)  # enqueued by the workers below, not at commit
    for action in actions[:10]:
        action_execute(action_id=action.pk)

    mastodon_server._control("POST", "/oauth/revoke", data={"token": org.access_token})
    for action in actions[10:]:
        action_execute(action_id=action.pk)

    account.refresh_from_db()
    assert account.status == AccountStatus.NEEDS_REAUTH
    held = Action.objects.filter(pk__in=[a.pk for a in actions], status=ActionStatus.HELD)
    assert held.count() == BURST - 10
    assert held.first().attempt_log.get().outcome == AttemptOutcome.AUTH_EXPIRED  # type: ignore[union-attr]
    assert Notification.objects.filter(kind="account.needs_reauth", recipient=camille.user).exists()

    fresh = mastodon_server._control("POST", "/api/v1/_mock/login", json={"username": org.username})
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        account_connect(
            membership=camille,
            network="mastodon",
            instance_url=mastodon_server.base_url,
            credentials={"access_token": fresh["access_token"]},
        )
    drain(actions)

    assert not Action.objects.filter(pk__in=[a.pk for a in actions]).exclude(status=ActionStatus.DONE).exists()
    counts = statuses_by_text(mastodon_server, org)
    assert len(counts) == BURST
    assert set(counts.values()) == {1}
