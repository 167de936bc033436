"""Threads and first comments: a child action waits for its parent, then answers the parent's post."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from parvis.core.models import Membership
from parvis.networks.connectors.fake.connector import FakeConnector
from parvis.networks.errors import PermanentError
from parvis.networks.models import Action, ActionStatus, ConnectedAccount
from parvis.networks.protocol import ActionKind
from parvis.networks.services import action_claim, action_create, action_execute, action_retry, scheduler_tick


def _thread(account: ConnectedAccount, *texts: str, late_after: object = None) -> list[Action]:
    """A thread as publishing writes it: the first post, then each next post answering the one before."""
    actions: list[Action] = []
    for index, text in enumerate(texts):
        parent = actions[-1] if actions else None
        actions.append(
            action_create(
                workspace=account.workspace,
                account=account,
                kind=ActionKind.PUBLISH if parent is None else ActionKind.REPLY,
                payload={"text": text, "reply_to_parent": parent is not None},
                parent=parent,
                late_after=late_after,  # type: ignore[arg-type]
                summary=f"post {index + 1}",
            )
        )
    return actions


def test_a_child_cannot_be_claimed_before_its_parent_is_done(account: ConnectedAccount) -> None:
    _first, second = _thread(account, "1/2 Le salon ouvre demain.", "2/2 Entrée libre.")

    assert action_claim(action_id=second.pk) is None
    second.refresh_from_db()
    assert second.status == ActionStatus.PENDING


def test_a_child_created_with_its_parent_is_not_enqueued_on_commit(
    account: ConnectedAccount, django_capture_on_commit_callbacks: pytest.FixtureRequest
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:  # type: ignore[operator]
        _thread(account, "1/2 Le salon ouvre demain.", "2/2 Entrée libre.")

    assert len(callbacks) == 1  # the first post only


def test_the_scheduler_leaves_a_child_alone_while_its_parent_waits(account: ConnectedAccount) -> None:
    _first, second = _thread(account, "1/2 Le salon ouvre demain.", "2/2 Entrée libre.")
    FakeConnector.fail_next.append(PermanentError("Refused"))  # the parent fails when the tick sends it

    scheduler_tick()

    second.refresh_from_db()
    assert second.attempts == 0
    assert [request.text for request in FakeConnector.published] == []


def test_a_thread_goes_out_in_order_once_the_first_post_is_done(
    account: ConnectedAccount, django_capture_on_commit_callbacks: pytest.FixtureRequest
) -> None:
    first, second, third = _thread(account, "1/3 Salon.", "2/3 Programme.", "3/3 Inscriptions.")

    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        action_execute(action_id=first.pk)

    assert [request.text for request in FakeConnector.published] == [
        "1/3 Salon.",
        "2/3 Programme.",
        "3/3 Inscriptions.",
    ]
    for action in (first, second, third):
        action.refresh_from_db()
        assert action.status == ActionStatus.DONE


def test_each_next_post_answers_the_one_before_under_the_first(
    account: ConnectedAccount, django_capture_on_commit_callbacks: pytest.FixtureRequest
) -> None:
    first, second, _third = _thread(account, "1/3 Salon.", "2/3 Programme.", "3/3 Inscriptions.")

    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        action_execute(action_id=first.pk)

    first.refresh_from_db()
    second.refresh_from_db()
    _, second_request, third_request = FakeConnector.published
    assert second_request.in_reply_to_id == first.external_id
    assert second_request.thread_root_id == first.external_id
    assert third_request.in_reply_to_id == second.external_id
    assert third_request.thread_root_id == first.external_id


def test_the_rest_of_a_thread_is_held_when_its_first_post_fails(account: ConnectedAccount) -> None:
    first, second = _thread(account, "1/2 Salon.", "2/2 Programme.")
    FakeConnector.fail_next.append(PermanentError("The server refuses this text."))

    action_execute(action_id=first.pk)

    second.refresh_from_db()
    assert second.status == ActionStatus.HELD
    assert "failed" in second.last_error


def test_a_held_rest_of_thread_follows_once_its_first_post_is_retried(
    camille: Membership, account: ConnectedAccount, django_capture_on_commit_callbacks: pytest.FixtureRequest
) -> None:
    first, second = _thread(account, "1/2 Salon.", "2/2 Programme.")
    FakeConnector.fail_next.append(PermanentError("The server refuses this text."))
    action_execute(action_id=first.pk)

    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        action_retry(membership=camille, action=first)

    second.refresh_from_db()
    assert second.status == ActionStatus.DONE
    assert [request.text for request in FakeConnector.published] == ["1/2 Salon.", "2/2 Programme."]


def test_the_rest_of_a_thread_follows_its_first_post_whatever_its_own_cutoff(
    account: ConnectedAccount, django_capture_on_commit_callbacks: pytest.FixtureRequest
) -> None:
    cutoff = timezone.now() + timedelta(minutes=5)
    first, second = _thread(account, "1/2 Salon.", "2/2 Programme.", late_after=cutoff)
    Action.objects.filter(pk=second.pk).update(late_after=timezone.now() - timedelta(minutes=1))

    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        action_execute(action_id=first.pk)

    second.refresh_from_db()
    assert second.status == ActionStatus.DONE
    assert second.late_after is None


def test_a_parent_of_another_workspace_is_refused(account: ConnectedAccount, oscar: Membership) -> None:
    from parvis.networks.tests.factories import ConnectedAccountFactory

    other = ConnectedAccountFactory(workspace=oscar.workspace)
    parent = action_create(workspace=other.workspace, account=other, kind=ActionKind.PUBLISH, payload={"text": "x"})

    with pytest.raises(ValueError, match="workspace"):
        action_create(
            workspace=account.workspace, account=account, kind=ActionKind.REPLY, payload={"text": "y"}, parent=parent
        )
