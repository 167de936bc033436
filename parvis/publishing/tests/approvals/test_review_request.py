from __future__ import annotations

import re

from parvis.core.models import AuditEntry, Membership, Notification
from parvis.publishing.models import Post, Review, ReviewDecision


def test_every_approver_is_notified_when_a_post_goes_to_review(
    in_review: Post, alice: Membership, camille: Membership, theo: Membership, nadia: Membership
) -> None:
    notified = set(Notification.objects.filter(kind="approval.requested").values_list("recipient__username", flat=True))

    assert notified == {"alice", "camille"}


def test_the_review_request_links_to_the_post_s_review_page(in_review: Post, alice: Membership) -> None:
    notification = Notification.objects.get(kind="approval.requested", recipient=alice.user)

    assert notification.url == f"/approvals/{in_review.pk}/"
    assert re.search(r"r[ée]vision 1\)", notification.title)  # in the workspace's language
    assert in_review.text in notification.body


def test_the_review_request_is_e_mailed_to_the_approvers(
    theo: Membership,
    alice: Membership,
    camille: Membership,
    account: object,
    mailoutbox: list[object],
    django_capture_on_commit_callbacks: object,
) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from parvis.publishing.services.posts import post_create

    alice.user.email = "alice@cci.example"
    alice.user.save()
    theo.user.email = "theo@cci.example"
    theo.user.save()
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        post_create(
            membership=theo, text="Bientôt", accounts=[account], scheduled_at=timezone.now() + timedelta(hours=3)
        )

    recipients = {address for message in mailoutbox for address in message.to}  # type: ignore[attr-defined]
    assert recipients == {"alice@cci.example", camille.user.email}


def test_submitting_keeps_a_snapshot_of_the_revision_and_writes_the_audit(in_review: Post) -> None:
    [submitted] = Review.objects.filter(post=in_review, decision=ReviewDecision.SUBMIT)

    assert submitted.revision == 1
    assert submitted.snapshot["text"] == in_review.text
    assert submitted.snapshot["variants"][0]["account"] == "@cci_lyon"
    assert AuditEntry.objects.filter(verb="post.review_requested", target_id=str(in_review.pk)).exists()
