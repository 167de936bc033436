"""Re-checked when the action runs: whoever asked for it must still be allowed to (or the post approved)."""

from __future__ import annotations

import pytest

from parvis.core.models import Membership, Role
from parvis.networks.connectors.fake.connector import FakeConnector
from parvis.networks.models import ActionStatus, ConnectedAccount
from parvis.networks.protocol import ActionKind
from parvis.networks.services import action_execute, action_retry
from parvis.networks.tests.factories import ActionFactory


def _publish(account: ConnectedAccount, membership: Membership, **fields: object) -> object:
    return ActionFactory(account=account, created_by=membership.user, source="publishing.delivery", **fields)


def test_a_post_asked_for_by_a_member_who_left_is_held(account: ConnectedAccount, camille: Membership) -> None:
    action = _publish(account, camille)
    Membership.objects.filter(pk=camille.pk).delete()

    action_execute(action_id=action.pk)  # type: ignore[attr-defined]

    action.refresh_from_db()  # type: ignore[attr-defined]
    assert action.status == ActionStatus.HELD  # type: ignore[attr-defined]
    assert "camille, who asked for it, is no longer a member" in action.last_error  # type: ignore[attr-defined]
    assert FakeConnector.published == []


def test_a_post_asked_for_by_a_member_who_may_no_longer_publish_is_held(
    account: ConnectedAccount, camille: Membership
) -> None:
    action = _publish(account, camille)
    Membership.objects.filter(pk=camille.pk).update(role=Role.CONTRIBUTOR)

    action_execute(action_id=action.pk)  # type: ignore[attr-defined]

    action.refresh_from_db()  # type: ignore[attr-defined]
    assert action.status == ActionStatus.HELD  # type: ignore[attr-defined]
    assert "may no longer" in action.last_error  # type: ignore[attr-defined]


def test_a_deactivated_user_counts_as_gone(account: ConnectedAccount, camille: Membership) -> None:
    action = _publish(account, camille)
    type(camille.user).objects.filter(pk=camille.user.pk).update(is_active=False)

    action_execute(action_id=action.pk)  # type: ignore[attr-defined]

    action.refresh_from_db()  # type: ignore[attr-defined]
    assert action.status == ActionStatus.HELD  # type: ignore[attr-defined]


def test_an_approved_post_goes_out_even_when_its_author_left(account: ConnectedAccount, theo: Membership) -> None:
    action = _publish(account, theo, payload={"text": "Bonjour", "approved": True})
    Membership.objects.filter(pk=theo.pk).delete()

    action_execute(action_id=action.pk)  # type: ignore[attr-defined]

    action.refresh_from_db()  # type: ignore[attr-defined]
    assert action.status == ActionStatus.DONE  # type: ignore[attr-defined]


def test_a_member_who_still_may_publish_gets_the_post_out(account: ConnectedAccount, camille: Membership) -> None:
    action = _publish(account, camille)

    action_execute(action_id=action.pk)  # type: ignore[attr-defined]

    action.refresh_from_db()  # type: ignore[attr-defined]
    assert action.status == ActionStatus.DONE  # type: ignore[attr-defined]


def test_an_inbox_reply_needs_the_reply_permission_only(account: ConnectedAccount, camille: Membership) -> None:
    action = ActionFactory(
        account=account,
        created_by=camille.user,
        source="inbox.reply",
        kind=ActionKind.REPLY.value,
        payload={"text": "Merci !", "in_reply_to_id": "42"},
    )
    Membership.objects.filter(pk=camille.pk).update(role=Role.CONTRIBUTOR)  # contributors do not answer

    action_execute(action_id=action.pk)

    action.refresh_from_db()
    assert action.status == ActionStatus.HELD


def test_an_action_nobody_asked_for_is_not_checked(account: ConnectedAccount) -> None:
    action = ActionFactory(account=account, created_by=None)

    action_execute(action_id=action.pk)

    action.refresh_from_db()
    assert action.status == ActionStatus.DONE


def test_a_publisher_who_publishes_it_now_takes_it_over(
    account: ConnectedAccount,
    camille: Membership,
    alice: Membership,
    django_capture_on_commit_callbacks: pytest.FixtureRequest,
) -> None:
    action = _publish(account, camille)
    Membership.objects.filter(pk=camille.pk).delete()
    action_execute(action_id=action.pk)  # type: ignore[attr-defined]

    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        action_retry(membership=alice, action=action)  # type: ignore[arg-type]

    action.refresh_from_db()  # type: ignore[attr-defined]
    assert action.status == ActionStatus.DONE  # type: ignore[attr-defined]
    assert action.created_by == alice.user  # type: ignore[attr-defined]
