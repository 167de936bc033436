from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from parvis.core.models import AuditEntry, Membership, Notification, Workspace
from parvis.core.permissions import PermissionDenied
from parvis.core.tests.factories import WorkspaceFactory
from parvis.networks.connectors.fake.connector import FakeConnector
from parvis.networks.models import AccountStatus, Action, ActionStatus, ConnectedAccount
from parvis.networks.protocol import ActionKind
from parvis.networks.services import scheduler_tick
from parvis.networks.tests.factories import ConnectedAccountFactory
from parvis.publishing.models import Campaign, Delivery, Post, PostStage, PublishingSettings
from parvis.publishing.services import CompositionError, VariantInput, approval_needed, post_check, post_create
from parvis.publishing.tests.composer_fixtures import LONG_TEXT, threaded_fake
from parvis.publishing.tests.factories import MediaItemFactory
from parvis.publishing.timeparse import local_to_utc
from parvis.strategy.checks import DraftInfo, Finding

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


def test_a_time_less_than_a_minute_ago_means_now(camille: Membership, account: ConnectedAccount) -> None:
    before = timezone.now()

    post = post_create(membership=camille, text=TEXT, accounts=[account], scheduled_at=before - timedelta(seconds=30))

    assert post.scheduled_at >= before
    assert AuditEntry.objects.filter(verb="post.publish").exists()


def test_a_time_further_in_the_past_is_refused_in_words(camille: Membership, account: ConnectedAccount) -> None:
    with pytest.raises(CompositionError) as refused:
        post_create(membership=camille, text=TEXT, accounts=[account], scheduled_at=timezone.now() - timedelta(hours=1))

    assert refused.value.problems == ["This time has already passed. Choose a time in the future."]
    assert _nothing_written()


def test_a_time_without_time_zone_is_refused(camille: Membership, account: ConnectedAccount) -> None:
    naive = (timezone.now() + timedelta(days=1)).replace(tzinfo=None)

    with pytest.raises(ValueError, match="timezone-aware"):
        post_create(membership=camille, text=TEXT, accounts=[account], scheduled_at=naive)

    assert _nothing_written()


# --- refusals --------------------------------------------------------------------------------


def test_an_analyst_cannot_write_a_post(nadia: Membership, account: ConnectedAccount) -> None:
    with pytest.raises(PermissionDenied):
        post_create(membership=nadia, text=TEXT, accounts=[account])

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


# --- stages: drafts, approval, release -------------------------------------------------------


def test_a_contributors_post_awaits_approval_with_nothing_in_the_outbox(
    theo: Membership, camille: Membership, account: ConnectedAccount
) -> None:
    post = post_create(membership=theo, text=TEXT, accounts=[account])

    assert post.stage == PostStage.IN_REVIEW
    assert post.deliveries.get().action is None
    assert not Action.objects.exists()
    assert AuditEntry.objects.filter(verb="post.review_requested", target_id=str(post.pk)).exists()


def test_the_approvers_are_told_a_contributors_post_waits(
    theo: Membership, camille: Membership, account: ConnectedAccount
) -> None:
    post_create(membership=theo, text=TEXT, accounts=[account])

    assert Notification.objects.filter(kind="approval.requested", recipient=camille.user).exists()


def test_a_post_kept_as_draft_stays_a_draft(theo: Membership, account: ConnectedAccount) -> None:
    post = post_create(membership=theo, text=TEXT, accounts=[account], submit=False)

    assert post.stage == PostStage.DRAFT
    assert not Action.objects.exists()
    assert not AuditEntry.objects.filter(verb="post.review_requested").exists()


def test_a_publisher_can_keep_a_draft_too(camille: Membership, account: ConnectedAccount) -> None:
    post = post_create(membership=camille, text=TEXT, accounts=[account], submit=False)

    assert post.stage == PostStage.DRAFT
    assert not Action.objects.exists()


def test_a_publishers_post_is_released_at_once(camille: Membership, account: ConnectedAccount) -> None:
    post = post_create(membership=camille, text=TEXT, accounts=[account])

    assert post.stage == PostStage.RELEASED
    assert post.deliveries.get().action is not None


def test_with_approval_for_everyone_even_a_publishers_post_waits(
    alice: Membership, camille: Membership, account: ConnectedAccount
) -> None:
    PublishingSettings.objects.create(workspace=camille.workspace, approval_for_everyone=True)

    post = post_create(membership=camille, text=TEXT, accounts=[account])

    assert post.stage == PostStage.IN_REVIEW
    assert not Action.objects.exists()


def test_approval_is_needed_for_members_who_cannot_publish(theo: Membership, camille: Membership) -> None:
    assert approval_needed(membership=theo) is True
    assert approval_needed(membership=camille) is False


# --- variants ----------------------------------------------------------------------------------


def test_a_hand_edited_variant_replaces_the_text_for_its_account(
    camille: Membership, accounts: list[ConnectedAccount]
) -> None:
    custom = VariantInput(text="Version courte pour ce compte.")

    post = post_create(membership=camille, text=TEXT, accounts=accounts, variants={accounts[1].pk: custom})

    first, second = post.deliveries.order_by("account_id")
    assert (first.text, first.customised) == (TEXT, False)
    assert (second.text, second.customised) == ("Version courte pour ce compte.", True)
    assert Action.objects.get(delivery=second).payload["text"] == "Version courte pour ce compte."


def test_a_variant_can_make_a_post_fit_a_network_the_main_text_is_too_long_for(
    camille: Membership, account: ConnectedAccount
) -> None:
    post = post_create(
        membership=camille, text="a" * 300, accounts=[account], variants={account.pk: VariantInput(text="a" * 200)}
    )

    assert post.deliveries.get().text == "a" * 200


def test_a_variant_too_long_is_refused_with_its_account(camille: Membership, account: ConnectedAccount) -> None:
    with pytest.raises(CompositionError) as refused:
        post_create(membership=camille, text=TEXT, accounts=[account], variants={account.pk: VariantInput("b" * 281)})

    assert refused.value.problems == [f"{account.handle}: 281 characters, 280 allowed."]
    assert _nothing_written()


def test_a_variant_can_carry_its_own_images(camille: Membership, accounts: list[ConnectedAccount]) -> None:
    shared, own = MediaItemFactory.create_batch(2, workspace=camille.workspace)

    post = post_create(
        membership=camille,
        text=TEXT,
        accounts=accounts,
        media=[shared],
        variants={accounts[1].pk: VariantInput(text=TEXT, media=[own.pk])},
    )

    first, second = post.deliveries.order_by("account_id")
    assert list(first.media.all()) == [shared]
    assert list(second.media.all()) == [own]
    assert Action.objects.get(delivery=second).payload["media"][0]["path"] == own.file.name


def test_a_variants_image_of_another_workspace_is_refused(camille: Membership, account: ConnectedAccount) -> None:
    foreign = MediaItemFactory(workspace=WorkspaceFactory())

    with pytest.raises(PermissionError):
        post_create(
            membership=camille,
            text=TEXT,
            accounts=[account],
            variants={account.pk: VariantInput(TEXT, media=[foreign.pk])},
        )

    assert _nothing_written()


def test_a_text_too_long_is_split_into_a_thread_where_the_network_has_threads(
    camille: Membership, account: ConnectedAccount, monkeypatch: pytest.MonkeyPatch
) -> None:
    threaded_fake(monkeypatch)

    post = post_create(membership=camille, text=LONG_TEXT, accounts=[account])

    delivery = post.deliveries.get()
    assert delivery.text.endswith(" 1/2")
    assert [part[-4:] for part in delivery.thread] == [" 2/2"]
    assert post.text == LONG_TEXT


def test_the_first_comment_is_kept_only_where_the_network_has_comments(
    camille: Membership, account: ConnectedAccount, monkeypatch: pytest.MonkeyPatch
) -> None:
    post = post_create(membership=camille, text=TEXT, accounts=[account], first_comment="#Lyon #Salon")

    assert post.first_comment == "#Lyon #Salon"
    assert post.deliveries.get().first_comment == ""


def test_a_campaign_of_another_workspace_is_refused(camille: Membership, account: ConnectedAccount) -> None:
    campaign = Campaign.objects.create(workspace=WorkspaceFactory(), name="Ailleurs")

    with pytest.raises(PermissionError):
        post_create(membership=camille, text=TEXT, accounts=[account], campaign=campaign)


def test_the_campaign_is_kept_on_the_post(camille: Membership, account: ConnectedAccount) -> None:
    campaign = Campaign.objects.create(workspace=camille.workspace, name="Salon 2026")

    post = post_create(membership=camille, text=TEXT, accounts=[account], campaign=campaign)

    assert post.campaign == campaign


# --- editorial charter -----------------------------------------------------------------------


def test_a_blocking_editorial_finding_refuses_the_post(
    camille: Membership, account: ConnectedAccount, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = Finding(
        rule_id=1,
        rule_kind="forbidden_words",
        severity="blocker",
        network="fake",
        message="No “gratuit”.",
        account_id=account.pk,
    )
    monkeypatch.setattr("parvis.publishing.editorial.editorial_findings", lambda **kwargs: [blocker])

    with pytest.raises(CompositionError) as refused:
        post_create(membership=camille, text=TEXT, accounts=[account])

    assert refused.value.problems == [f"{account.handle}: No “gratuit”."]
    assert _nothing_written()


def test_an_editorial_warning_does_not_stop_the_post(
    camille: Membership, account: ConnectedAccount, monkeypatch: pytest.MonkeyPatch
) -> None:
    warning = Finding(rule_id=1, rule_kind="question", severity="warning", network="fake", message="Ask a question.")
    monkeypatch.setattr("parvis.publishing.editorial.editorial_findings", lambda **kwargs: [warning])

    report = post_check(workspace=camille.workspace, text=TEXT, accounts=[account])
    post = post_create(membership=camille, text=TEXT, accounts=[account])

    assert report.warnings == ["Ask a question."]
    assert post.stage == PostStage.RELEASED


def test_the_editorial_charter_sees_each_variant(
    camille: Membership, accounts: list[ConnectedAccount], monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[DraftInfo] = []

    def findings(*, workspace: Workspace, drafts: list[DraftInfo]) -> list[Finding]:
        seen.extend(drafts)
        return []

    monkeypatch.setattr("parvis.publishing.editorial.editorial_findings", findings)
    image = MediaItemFactory(workspace=camille.workspace)

    post_create(
        membership=camille,
        text=TEXT,
        accounts=accounts,
        media=[image],
        variants={accounts[1].pk: VariantInput("Autre texte", media=[])},
    )

    assert sorted((draft.account_id, draft.text, draft.media_count) for draft in seen) == sorted(
        [(accounts[0].pk, TEXT, 1), (accounts[1].pk, "Autre texte", 0)]
    )


# --- queue -------------------------------------------------------------------------------------


def test_a_queued_post_takes_the_next_free_slot(
    camille: Membership, account: ConnectedAccount, monkeypatch: pytest.MonkeyPatch
) -> None:
    slot = timezone.now() + timedelta(days=1)
    monkeypatch.setattr("parvis.publishing.services.calendar.queue_next_common_slot", lambda **kwargs: slot)

    post = post_create(membership=camille, text=TEXT, accounts=[account], queued=True)

    assert (post.queued, post.scheduled_at) == (True, slot)


def test_a_queued_post_without_slots_is_refused_in_words(camille: Membership, account: ConnectedAccount) -> None:
    with pytest.raises(CompositionError, match="queue slot"):
        post_create(membership=camille, text=TEXT, accounts=[account], queued=True)

    assert _nothing_written()
