"""post_release: the outbox actions of every variant, once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from parvis.core.models import AuditEntry, Membership
from parvis.networks.connectors.fake.connector import FakeConnector
from parvis.networks.models import Action, ActionStatus, ConnectedAccount
from parvis.networks.protocol import ActionKind
from parvis.publishing.models import PostStage, PublishingSettings, ShortLink
from parvis.publishing.services import post_create, post_release
from parvis.publishing.services.links import short_link_url
from parvis.publishing.tests.composer_fixtures import LONG_TEXT, threaded_fake
from parvis.publishing.tests.factories import MediaItemFactory

TEXT = "Assemblée générale jeudi à 18 h."


def test_a_thread_becomes_a_chain_of_actions_each_answering_the_previous_one(
    camille: Membership, account: ConnectedAccount, monkeypatch: pytest.MonkeyPatch
) -> None:
    threaded_fake(monkeypatch)

    post = post_create(membership=camille, text=LONG_TEXT * 2, accounts=[account])

    delivery = post.deliveries.get()
    root = delivery.action
    assert root is not None and root.parent is None
    chain = [root]
    while (child := Action.objects.filter(parent=chain[-1]).first()) is not None:
        chain.append(child)
    assert [action.payload["text"] for action in chain] == [delivery.text, *delivery.thread]
    assert all(action.payload.get("reply_to_parent") for action in chain[1:])
    assert [action.kind for action in chain] == [ActionKind.PUBLISH] + [ActionKind.REPLY] * (len(chain) - 1)
    assert {action.payload.get("in_reply_to_author") for action in chain[1:]} == {account.handle}
    assert {action.source for action in chain[1:]} == {"publishing.thread"}


def test_a_thread_goes_out_in_order_each_post_answering_the_one_before(
    camille: Membership,
    account: ConnectedAccount,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: pytest.FixtureRequest,
) -> None:
    threaded_fake(monkeypatch)

    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        post = post_create(membership=camille, text=LONG_TEXT * 2, accounts=[account])

    delivery = post.deliveries.get()
    sent = FakeConnector.published
    assert [request.text for request in sent] == [delivery.text, *delivery.thread]
    root_id = Action.objects.get(pk=delivery.action_id).external_id
    assert sent[0].in_reply_to_id == ""
    for before, after in zip(Action.objects.filter(account=account).order_by("pk"), sent[1:], strict=False):
        assert after.in_reply_to_id == before.external_id
        assert after.thread_root_id == root_id


def test_the_first_comment_waits_under_the_first_post(
    camille: Membership, account: ConnectedAccount, monkeypatch: pytest.MonkeyPatch
) -> None:
    threaded_fake(monkeypatch)

    post = post_create(membership=camille, text=TEXT, accounts=[account], first_comment="Le programme : #Lyon")

    root = post.deliveries.get().action
    comment = Action.objects.get(parent=root)
    assert (comment.kind, comment.source) == (ActionKind.REPLY, "publishing.first_comment")
    assert comment.payload == {"text": "Le programme : #Lyon", "reply_to_parent": True}


def test_the_images_go_with_the_first_post_only(
    camille: Membership, account: ConnectedAccount, monkeypatch: pytest.MonkeyPatch
) -> None:
    threaded_fake(monkeypatch)
    image = MediaItemFactory(workspace=camille.workspace)

    post = post_create(membership=camille, text=LONG_TEXT, accounts=[account], media=[image])

    root = post.deliveries.get().action
    assert root is not None
    assert [item["path"] for item in root.payload["media"]] == [image.file.name]
    assert "media" not in Action.objects.get(parent=root).payload


def test_the_first_post_is_held_past_the_lateness_cutoff(camille: Membership, account: ConnectedAccount) -> None:
    PublishingSettings.objects.create(workspace=camille.workspace, late_cutoff_minutes=30)
    at = timezone.now() + timedelta(days=1)

    post = post_create(membership=camille, text=TEXT, accounts=[account], scheduled_at=at)

    action = post.deliveries.get().action
    assert action is not None
    assert action.late_after == at + timedelta(minutes=30)


def test_no_cutoff_when_the_workspace_sets_none(camille: Membership, account: ConnectedAccount) -> None:
    PublishingSettings.objects.create(workspace=camille.workspace, late_cutoff_minutes=0)

    post = post_create(membership=camille, text=TEXT, accounts=[account])

    action = post.deliveries.get().action
    assert action is not None and action.late_after is None


def test_links_are_replaced_by_short_links_when_released(camille: Membership, account: ConnectedAccount) -> None:
    post = post_create(membership=camille, text="Le programme : https://www.cci.fr/agenda", accounts=[account])

    link = ShortLink.objects.get(post=post, account=account)
    action = post.deliveries.get().action
    assert action is not None
    assert action.payload["text"] == f"Le programme : {short_link_url(link.code)}"
    assert post.deliveries.get().text == "Le programme : https://www.cci.fr/agenda"  # the variant keeps the original


def test_a_repost_of_a_post_of_the_same_network_is_a_repost_action(
    camille: Membership, account: ConnectedAccount
) -> None:
    post = post_create(
        membership=camille,
        text="",
        accounts=[account],
        origin="relay",
        relay_kind="repost",
        relay_network="fake",
        relay_external_id="4242",
        relay_url="https://fake.example/4242",
    )

    action = post.deliveries.get().action
    assert action is not None
    assert (action.kind, action.payload) == (ActionKind.REPOST, {"target_id": "4242"})


def test_a_quote_carries_its_comment_and_the_quoted_post(camille: Membership, account: ConnectedAccount) -> None:
    post = post_create(
        membership=camille,
        text="À lire !",
        accounts=[account],
        origin="relay",
        relay_kind="quote",
        relay_network="fake",
        relay_external_id="4242",
    )

    action = post.deliveries.get().action
    assert action is not None
    assert (action.kind, action.payload["text"], action.payload["target_id"]) == (ActionKind.QUOTE, "À lire !", "4242")


def test_a_relay_from_another_network_becomes_a_link_post(camille: Membership, account: ConnectedAccount) -> None:
    PublishingSettings.objects.create(workspace=camille.workspace, shorten_links=False, utm_enabled=False)

    post = post_create(
        membership=camille,
        text="Un bel article.",
        accounts=[account],
        origin="relay",
        relay_kind="repost",
        relay_network="mastodon",
        relay_external_id="1",
        relay_url="https://blog.example/article",
    )

    action = post.deliveries.get().action
    assert action is not None
    assert action.kind == ActionKind.PUBLISH
    assert action.payload["link_url"] == "https://blog.example/article"
    assert action.payload["text"] == "Un bel article.\n\nhttps://blog.example/article"


def test_releasing_twice_writes_the_actions_once(camille: Membership, account: ConnectedAccount) -> None:
    post = post_create(membership=camille, text=TEXT, accounts=[account])

    post_release(post=post, actor=camille.user)

    assert Action.objects.count() == 1


def test_releasing_an_approved_post_whose_time_passed_sends_it_now(theo: Membership, account: ConnectedAccount) -> None:
    post = post_create(
        membership=theo, text=TEXT, accounts=[account], scheduled_at=timezone.now() + timedelta(minutes=5)
    )
    past = timezone.now() - timedelta(hours=2)
    type(post).objects.filter(pk=post.pk).update(scheduled_at=past)
    post.refresh_from_db()
    before = timezone.now()

    post_release(post=post, actor=None)

    post.refresh_from_db()
    action = post.deliveries.get().action
    assert post.stage == PostStage.RELEASED
    assert action is not None and action.due_at >= before
    assert post.scheduled_at == action.due_at
    assert AuditEntry.objects.filter(verb="post.publish", target_id=str(post.pk)).exists()


def test_a_released_post_is_pending_until_its_time(camille: Membership, account: ConnectedAccount) -> None:
    post = post_create(
        membership=camille, text=TEXT, accounts=[account], scheduled_at=timezone.now() + timedelta(days=3)
    )

    assert Action.objects.get(delivery__post=post).status == ActionStatus.PENDING
