from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from parvis.core.models import AuditEntry, Membership, Workspace
from parvis.core.permissions import PermissionDenied
from parvis.core.tests.factories import WorkspaceFactory
from parvis.networks.connectors.fake.connector import FakeConnector
from parvis.networks.models import AccountStatus, Action, ActionStatus, ConnectedAccount
from parvis.networks.protocol import ActionKind
from parvis.networks.services import scheduler_tick
from parvis.networks.tests.factories import ConnectedAccountFactory
from parvis.publishing.models import Delivery, Post
from parvis.publishing.services import CompositionError, post_create
from parvis.publishing.tests.factories import MediaItemFactory
from parvis.publishing.timeparse import local_to_utc

TEXT = "Le salon des entreprises ouvre ses portes jeudi à 9 h."


@pytest.fixture
def accounts(workspace: Workspace) -> list[ConnectedAccount]:
    return [ConnectedAccountFactory(workspace=workspace), ConnectedAccountFactory(workspace=workspace)]


def _nothing_written() -> bool:
    return not (Post.objects.exists() or Delivery.objects.exists() or Action.objects.exists())


# --- deliveries ------------------------------------------------------------------------------


def test_it_makes_one_delivery_per_account(camille: Membership, accounts: list[ConnectedAccount]) -> None:
    post = post_create(membership=camille, text=TEXT, accounts=accounts)

    assert sorted(post.deliveries.values_list("account_id", flat=True)) == sorted(a.pk for a in accounts)


def test_each_delivery_is_carried_by_its_own_publish_action(
    camille: Membership, accounts: list[ConnectedAccount]
) -> None:
    post = post_create(membership=camille, text=TEXT, accounts=accounts)

    actions = Action.objects.filter(delivery__post=post)
    assert actions.count() == 2
    assert {(a.account_id, a.kind, a.payload["text"]) for a in actions} == {
        (account.pk, ActionKind.PUBLISH, TEXT) for account in accounts
    }
    assert {a.source for a in actions} == {"publishing.delivery"}


def test_an_account_chosen_twice_gets_one_delivery(camille: Membership, account: ConnectedAccount) -> None:
    post = post_create(membership=camille, text=TEXT, accounts=[account, account])

    assert post.deliveries.count() == 1
    assert Action.objects.count() == 1


def test_a_post_for_now_reaches_every_network_once_committed(
    camille: Membership, accounts: list[ConnectedAccount], django_capture_on_commit_callbacks: pytest.FixtureRequest
) -> None:
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        post = post_create(membership=camille, text=TEXT, accounts=accounts)

    assert [request.text for request in FakeConnector.published] == [TEXT, TEXT]
    assert set(Action.objects.filter(delivery__post=post).values_list("status", flat=True)) == {ActionStatus.DONE}


def test_the_images_go_with_the_post(camille: Membership, account: ConnectedAccount) -> None:
    image = MediaItemFactory(workspace=camille.workspace)

    post = post_create(membership=camille, text=TEXT, accounts=[account], media=[image])

    [action] = Action.objects.filter(delivery__post=post)
    assert action.payload["media"] == [
        {"path": image.file.name, "mime_type": "image/png", "alt_text": "L'affiche du salon des entreprises"}
    ]
    assert list(post.media.all()) == [image]


def test_the_post_is_written_to_the_audit_log(camille: Membership, account: ConnectedAccount) -> None:
    post = post_create(membership=camille, text=TEXT, accounts=[account])

    entry = AuditEntry.objects.get(verb="post.publish")
    assert (entry.actor, entry.target_id) == (camille.user, str(post.pk))


# --- scheduling ------------------------------------------------------------------------------


def test_a_scheduled_post_is_due_at_its_scheduled_time(camille: Membership, account: ConnectedAccount) -> None:
    at = timezone.now() + timedelta(days=2)

    post = post_create(membership=camille, text=TEXT, accounts=[account], scheduled_at=at)

    action = Action.objects.get(delivery__post=post)
    assert (post.scheduled_at, action.due_at, action.next_attempt_at) == (at, at, at)
    assert AuditEntry.objects.filter(verb="post.schedule").exists()


def test_a_scheduled_post_is_not_sent_before_its_time(
    camille: Membership, account: ConnectedAccount, django_capture_on_commit_callbacks: pytest.FixtureRequest
) -> None:
    at = timezone.now() + timedelta(days=2)

    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        post = post_create(membership=camille, text=TEXT, accounts=[account], scheduled_at=at)
    scheduler_tick(now=at - timedelta(seconds=1))

    assert FakeConnector.published == []
    assert Action.objects.get(delivery__post=post).status == ActionStatus.PENDING


def test_a_time_in_the_past_means_now(camille: Membership, account: ConnectedAccount) -> None:
    before = timezone.now()

    post = post_create(membership=camille, text=TEXT, accounts=[account], scheduled_at=before - timedelta(hours=1))

    assert post.scheduled_at >= before


def test_a_time_without_time_zone_is_refused(camille: Membership, account: ConnectedAccount) -> None:
    naive = (timezone.now() + timedelta(days=1)).replace(tzinfo=None)

    with pytest.raises(ValueError, match="timezone-aware"):
        post_create(membership=camille, text=TEXT, accounts=[account], scheduled_at=naive)

    assert _nothing_written()


# --- refusals --------------------------------------------------------------------------------


def test_a_contributor_cannot_publish(theo: Membership, account: ConnectedAccount) -> None:
    with pytest.raises(PermissionDenied):
        post_create(membership=theo, text=TEXT, accounts=[account])

    assert _nothing_written()


def test_an_account_of_another_workspace_is_refused(camille: Membership) -> None:
    foreign = ConnectedAccountFactory(workspace=WorkspaceFactory())

    with pytest.raises(PermissionError):
        post_create(membership=camille, text=TEXT, accounts=[foreign])

    assert _nothing_written()


def test_an_image_of_another_workspace_is_refused(camille: Membership, account: ConnectedAccount) -> None:
    foreign = MediaItemFactory(workspace=WorkspaceFactory())

    with pytest.raises(PermissionError):
        post_create(membership=camille, text=TEXT, accounts=[account], media=[foreign])

    assert _nothing_written()


def test_a_text_too_long_for_a_network_is_refused_before_anything_is_written(
    camille: Membership, account: ConnectedAccount
) -> None:
    with pytest.raises(CompositionError) as refused:
        post_create(membership=camille, text="a" * 281, accounts=[account])

    assert refused.value.problems == [f"{account.handle}: 281 characters, 280 allowed."]
    assert _nothing_written()


def test_too_many_images_are_refused_before_anything_is_written(camille: Membership, account: ConnectedAccount) -> None:
    images = MediaItemFactory.create_batch(5, workspace=camille.workspace)

    with pytest.raises(CompositionError) as refused:
        post_create(membership=camille, text=TEXT, accounts=[account], media=images)

    assert refused.value.problems == [f"{account.handle}: 5 images, 4 allowed."]
    assert _nothing_written()


def test_an_empty_post_is_refused(camille: Membership, account: ConnectedAccount) -> None:
    with pytest.raises(CompositionError, match="empty"):
        post_create(membership=camille, text="  \n", accounts=[account])

    assert _nothing_written()


def test_a_post_without_account_is_refused(camille: Membership) -> None:
    with pytest.raises(CompositionError, match="at least one account"):
        post_create(membership=camille, text=TEXT, accounts=[])

    assert _nothing_written()


def test_a_post_to_a_disconnected_account_is_refused(camille: Membership, account: ConnectedAccount) -> None:
    ConnectedAccount.objects.filter(pk=account.pk).update(status=AccountStatus.DISABLED)
    account.refresh_from_db()

    with pytest.raises(CompositionError, match="disconnected"):
        post_create(membership=camille, text=TEXT, accounts=[account])

    assert _nothing_written()


def test_one_network_refusing_stops_the_whole_post(camille: Membership, accounts: list[ConnectedAccount]) -> None:
    ConnectedAccount.objects.filter(pk=accounts[1].pk).update(status=AccountStatus.DISABLED)
    accounts[1].refresh_from_db()

    with pytest.raises(CompositionError):
        post_create(membership=camille, text=TEXT, accounts=accounts)

    assert _nothing_written()


def test_posts_at_nine_local_before_and_after_a_clock_change_both_go_out_at_nine(
    camille: Membership, account: ConnectedAccount
) -> None:
    zone = camille.workspace.zone  # Europe/Paris; summer time starts on 31 March 2030
    week_before = local_to_utc(datetime(2030, 3, 24, 9, 0), zone)  # noqa: DTZ001 - a wall-clock time
    week_after = local_to_utc(datetime(2030, 4, 7, 9, 0), zone)  # noqa: DTZ001 - a wall-clock time

    posts = [
        post_create(membership=camille, text=TEXT, accounts=[account], scheduled_at=at)
        for at in (week_before, week_after)
    ]

    for post in posts:
        due = Action.objects.get(delivery__post=post).due_at.astimezone(zone)
        assert (due.hour, due.minute) == (9, 0)
    assert week_after - week_before == timedelta(days=14, hours=-1)
