"""post_update: editing a post that has not gone out, and what it does to its approval."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from parvis.core.models import AuditEntry, Membership
from parvis.core.permissions import PermissionDenied
from parvis.networks.models import Action, ActionStatus, ConnectedAccount
from parvis.networks.tests.factories import ConnectedAccountFactory
from parvis.publishing.models import Post, PostStage
from parvis.publishing.services import CompositionError, VariantInput, post_create, post_update

TEXT = "Assemblée générale jeudi à 18 h."
LATER = timedelta(days=2)


def _scheduled(membership: Membership, account: ConnectedAccount, **kwargs: object) -> Post:
    return post_create(
        membership=membership,
        text=TEXT,
        accounts=[account],
        scheduled_at=timezone.now() + LATER,
        **kwargs,  # type: ignore[arg-type]
    )


def test_an_edit_replaces_the_waiting_actions(camille: Membership, account: ConnectedAccount) -> None:
    post = _scheduled(camille, account)
    old = post.deliveries.get().action

    post = post_update(
        membership=camille, post=post, text="Nouveau texte", accounts=[account], scheduled_at=post.scheduled_at
    )

    assert old is not None
    old.refresh_from_db()
    new = post.deliveries.get().action
    assert old.status == ActionStatus.CANCELLED
    assert new is not None and new.pk != old.pk
    assert new.payload["text"] == "Nouveau texte"
    assert post.stage == PostStage.RELEASED


def test_an_edit_bumps_the_revision(camille: Membership, account: ConnectedAccount) -> None:
    post = _scheduled(camille, account)

    post = post_update(
        membership=camille, post=post, text="Nouveau texte", accounts=[account], scheduled_at=post.scheduled_at
    )

    assert post.revision == 2
    assert AuditEntry.objects.filter(verb="post.update", target_id=str(post.pk)).exists()


def test_a_contributors_edit_of_an_approved_post_needs_approval_again(
    theo: Membership, camille: Membership, account: ConnectedAccount
) -> None:
    post = _scheduled(theo, account)
    post.approved_revision = post.revision
    post.save()
    from parvis.publishing.services import post_release

    post_release(post=post, actor=camille.user)
    released = post.deliveries.get().action

    post = post_update(membership=theo, post=post, text="Corrigé", accounts=[account], scheduled_at=post.scheduled_at)

    assert post.stage == PostStage.IN_REVIEW
    assert post.deliveries.get().action is None
    assert released is not None
    released.refresh_from_db()
    assert released.status == ActionStatus.CANCELLED
    assert post.approved_revision != post.revision


def test_a_post_already_published_cannot_be_edited(camille: Membership, account: ConnectedAccount) -> None:
    post = _scheduled(camille, account)
    Action.objects.filter(delivery__post=post).update(status=ActionStatus.DONE)

    with pytest.raises(CompositionError) as refused:
        post_update(membership=camille, post=post, text="Trop tard", accounts=[account], scheduled_at=post.scheduled_at)

    assert refused.value.problems == [
        f"This post has already gone out on {account.handle}: it can no longer be edited. "
        "Write a new post, or cancel what has not gone out yet."
    ]
    post.refresh_from_db()
    assert post.text == TEXT


def test_a_post_whose_thread_is_going_out_cannot_be_edited(camille: Membership, account: ConnectedAccount) -> None:
    post = _scheduled(camille, account)
    Action.objects.filter(delivery__post=post).update(status=ActionStatus.PROCESSING)

    with pytest.raises(CompositionError, match="already gone out"):
        post_update(membership=camille, post=post, text="Trop tard", accounts=[account], scheduled_at=post.scheduled_at)


def test_an_account_removed_by_an_edit_loses_its_variant(camille: Membership, account: ConnectedAccount) -> None:
    other = ConnectedAccountFactory(workspace=camille.workspace)
    post = post_create(membership=camille, text=TEXT, accounts=[account, other], scheduled_at=timezone.now() + LATER)
    removed = Action.objects.get(delivery__post=post, account=other)

    post = post_update(membership=camille, post=post, text=TEXT, accounts=[account], scheduled_at=post.scheduled_at)

    assert list(post.deliveries.values_list("account_id", flat=True)) == [account.pk]
    removed.refresh_from_db()
    assert removed.status == ActionStatus.CANCELLED


def test_an_edit_can_customise_one_variant(camille: Membership, account: ConnectedAccount) -> None:
    post = _scheduled(camille, account)

    post = post_update(
        membership=camille,
        post=post,
        text=TEXT,
        accounts=[account],
        scheduled_at=post.scheduled_at,
        variants={account.pk: VariantInput("Version maison")},
    )

    delivery = post.deliveries.get()
    assert (delivery.text, delivery.customised) == ("Version maison", True)


def test_a_draft_edited_and_kept_as_draft_has_no_actions(theo: Membership, account: ConnectedAccount) -> None:
    post = post_create(membership=theo, text=TEXT, accounts=[account], submit=False)

    post = post_update(membership=theo, post=post, text="Encore un brouillon", accounts=[account], submit=False)

    assert post.stage == PostStage.DRAFT
    assert not Action.objects.exists()


def test_a_contributor_cannot_edit_someone_elses_post(
    theo: Membership, camille: Membership, account: ConnectedAccount
) -> None:
    post = _scheduled(camille, account)

    with pytest.raises(PermissionDenied):
        post_update(membership=theo, post=post, text="Ma version", accounts=[account], scheduled_at=post.scheduled_at)


def test_a_post_of_another_workspace_cannot_be_edited(
    oscar: Membership, camille: Membership, account: ConnectedAccount
) -> None:
    post = _scheduled(camille, account)

    with pytest.raises(PermissionError):
        post_update(membership=oscar, post=post, text="Intrus", accounts=[], scheduled_at=post.scheduled_at)


def test_an_edit_breaking_a_rule_changes_nothing(camille: Membership, account: ConnectedAccount) -> None:
    post = _scheduled(camille, account)
    action = post.deliveries.get().action

    with pytest.raises(CompositionError):
        post_update(membership=camille, post=post, text="x" * 400, accounts=[account], scheduled_at=post.scheduled_at)

    assert action is not None
    action.refresh_from_db()
    assert action.status == ActionStatus.PENDING
    post.refresh_from_db()
    assert (post.text, post.revision) == (TEXT, 1)
