from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.utils import timezone

from parvis.core.models import AuditEntry, Membership, Notification, Role
from parvis.core.permissions import PermissionDenied
from parvis.core.tests.factories import MembershipFactory, UserFactory
from parvis.networks.models import Action, ConnectedAccount
from parvis.publishing.models import Post, PostStage, Review, ReviewDecision
from parvis.publishing.services.approvals import ReviewError, approval_queue, post_review, post_submit
from parvis.publishing.services.posts import post_create, post_update


def test_one_approval_releases_the_post_to_the_outbox(in_review: Post, camille: Membership) -> None:
    post_review(membership=camille, post=in_review, decision="approve")

    in_review.refresh_from_db()
    assert in_review.stage == PostStage.RELEASED
    assert in_review.approved_revision == 1
    assert Action.objects.filter(delivery__post=in_review).count() == 1


def test_an_approved_post_goes_out_even_if_the_people_behind_it_have_left_since(
    in_review: Post, camille: Membership, theo: Membership
) -> None:
    post_review(membership=camille, post=in_review, decision="approve")
    action = Action.objects.get(delivery__post=in_review)
    assert action.payload["approved"] is True

    # The contributor who wrote it and the approver leave the workspace before it goes out.
    theo.delete()
    camille.delete()
    from parvis.networks.services import action_execute

    Action.objects.filter(pk=action.pk).update(next_attempt_at=timezone.now())
    action_execute(action_id=action.pk)

    action.refresh_from_db()
    assert action.status == "done"


def test_with_two_steps_the_first_approval_only_counts_one_step(
    in_review: Post, camille: Membership, steps: Callable[[int], None]
) -> None:
    steps(2)

    review = post_review(membership=camille, post=in_review, decision="approve")

    in_review.refresh_from_db()
    assert review.step == 1
    assert in_review.stage == PostStage.IN_REVIEW
    assert not Action.objects.exists()


def test_with_two_steps_two_different_approvers_release_the_post(
    in_review: Post, camille: Membership, alice: Membership, steps: Callable[[int], None]
) -> None:
    steps(2)

    post_review(membership=camille, post=in_review, decision="approve")
    second = post_review(membership=alice, post=in_review, decision="approve")

    in_review.refresh_from_db()
    assert second.step == 2
    assert in_review.stage == PostStage.RELEASED


def test_the_same_person_cannot_approve_two_steps(
    in_review: Post, camille: Membership, steps: Callable[[int], None]
) -> None:
    steps(2)
    post_review(membership=camille, post=in_review, decision="approve")

    with pytest.raises(ReviewError, match="already approved"):
        post_review(membership=camille, post=in_review, decision="approve")
    assert Review.objects.filter(decision=ReviewDecision.APPROVE).count() == 1


def test_an_approver_cannot_approve_their_own_post(
    camille: Membership, alice: Membership, account: ConnectedAccount, workspace: object
) -> None:
    from parvis.publishing.models import PublishingSettings

    PublishingSettings.objects.create(workspace=camille.workspace, approval_for_everyone=True)
    post = post_create(membership=camille, text="Ma publication", accounts=[account])
    assert post.stage == PostStage.IN_REVIEW

    with pytest.raises(ReviewError, match="your own post"):
        post_review(membership=camille, post=post, decision="approve")


def test_a_contributor_cannot_approve(in_review: Post, theo: Membership) -> None:
    other = MembershipFactory(workspace=theo.workspace, user=UserFactory(username="lea"), role=Role.CONTRIBUTOR)

    with pytest.raises(PermissionDenied):
        post_review(membership=other, post=in_review, decision="approve")


def test_a_member_of_another_workspace_cannot_review(in_review: Post, oscar: Membership) -> None:
    with pytest.raises(PermissionError):
        post_review(membership=oscar, post=in_review, decision="approve")


def test_a_request_for_changes_sends_the_post_back_to_its_author_with_the_comment(
    in_review: Post, camille: Membership, theo: Membership
) -> None:
    post_review(membership=camille, post=in_review, decision="reject", comment="Ajoute l'horaire de fin.")

    in_review.refresh_from_db()
    assert in_review.stage == PostStage.CHANGES_REQUESTED
    notification = Notification.objects.get(recipient=theo.user, kind="approval.rejected")
    assert notification.body == "Ajoute l'horaire de fin."
    assert "camille" in notification.title


def test_a_request_for_changes_needs_a_comment(in_review: Post, camille: Membership) -> None:
    with pytest.raises(ReviewError, match="comment"):
        post_review(membership=camille, post=in_review, decision="reject", comment="  ")


def test_the_author_is_told_when_the_post_is_approved(in_review: Post, camille: Membership, theo: Membership) -> None:
    post_review(membership=camille, post=in_review, decision="approve", comment="Parfait")

    assert Notification.objects.filter(recipient=theo.user, kind="approval.approved").exists()


def test_every_decision_is_in_the_audit_log(in_review: Post, camille: Membership) -> None:
    post_review(membership=camille, post=in_review, decision="comment", comment="Une image ?")
    post_review(membership=camille, post=in_review, decision="approve")

    verbs = set(AuditEntry.objects.filter(target_id=str(in_review.pk)).values_list("verb", flat=True))
    assert {"post.review.comment", "post.review.approve", "post.schedule"} <= verbs


def test_an_edit_after_an_approval_step_needs_every_step_again(
    in_review: Post,
    camille: Membership,
    alice: Membership,
    theo: Membership,
    account: ConnectedAccount,
    steps: Callable[[int], None],
) -> None:
    steps(2)
    post_review(membership=camille, post=in_review, decision="approve")

    post_update(
        membership=theo,
        post=in_review,
        text="Nouveau texte",
        accounts=[account],
        scheduled_at=timezone.now() + timedelta(days=1),
    )
    post_review(membership=alice, post=in_review, decision="approve")

    in_review.refresh_from_db()
    assert in_review.revision == 2
    assert in_review.stage == PostStage.IN_REVIEW  # Camille's approval was for revision 1
    post_review(membership=camille, post=in_review, decision="approve")
    in_review.refresh_from_db()
    assert in_review.stage == PostStage.RELEASED
    assert in_review.approved_revision == 2


def test_an_edit_after_approval_sends_the_post_back_to_review(
    in_review: Post, camille: Membership, theo: Membership, account: ConnectedAccount
) -> None:
    post_review(membership=camille, post=in_review, decision="approve")

    post_update(
        membership=theo,
        post=in_review,
        text="Texte modifié",
        accounts=[account],
        scheduled_at=timezone.now() + timedelta(days=1),
    )

    in_review.refresh_from_db()
    assert in_review.stage == PostStage.IN_REVIEW
    assert in_review.approved_revision == 1
    assert in_review.revision == 2


def test_a_decision_on_a_revision_the_reviewer_did_not_read_is_refused(
    in_review: Post, camille: Membership, theo: Membership, account: ConnectedAccount
) -> None:
    post_update(
        membership=theo,
        post=in_review,
        text="Changé pendant la relecture",
        accounts=[account],
        scheduled_at=timezone.now() + timedelta(days=1),
    )

    with pytest.raises(ReviewError, match="changed"):
        post_review(membership=camille, post=in_review, decision="approve", revision=1)


def test_a_post_not_in_review_cannot_be_approved(
    theo: Membership, camille: Membership, account: ConnectedAccount
) -> None:
    draft = post_create(
        membership=theo,
        text="Brouillon",
        accounts=[account],
        scheduled_at=timezone.now() + timedelta(days=2),
        submit=False,
    )

    with pytest.raises(ReviewError, match="not awaiting"):
        post_review(membership=camille, post=draft, decision="approve")


def test_submitting_a_draft_puts_it_in_review_and_notifies_the_approvers(
    theo: Membership, camille: Membership, account: ConnectedAccount
) -> None:
    draft = post_create(
        membership=theo,
        text="Brouillon",
        accounts=[account],
        scheduled_at=timezone.now() + timedelta(days=2),
        submit=False,
    )

    post_submit(membership=theo, post=draft)

    draft.refresh_from_db()
    assert draft.stage == PostStage.IN_REVIEW
    assert Notification.objects.filter(recipient=camille.user, kind="approval.requested").exists()


def test_the_queue_lists_posts_awaiting_my_approval_but_not_those_i_approved(
    in_review: Post, camille: Membership, alice: Membership, theo: Membership, steps: Callable[[int], None]
) -> None:
    steps(2)
    assert approval_queue(camille) == [in_review]

    post_review(membership=camille, post=in_review, decision="approve")

    assert approval_queue(camille) == []
    assert approval_queue(alice) == [in_review]
    assert approval_queue(theo) == []
