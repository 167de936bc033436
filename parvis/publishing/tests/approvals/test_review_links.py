from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.utils import timezone

from parvis.core.models import AuditEntry, Membership, Notification
from parvis.core.permissions import PermissionDenied
from parvis.publishing.models import Post, PostStage, Review, ReviewLink
from parvis.publishing.services.approvals import (
    ReviewError,
    ReviewLinkInvalid,
    post_review,
    review_link_create,
    review_link_resolve,
    review_link_review,
    review_link_revoke,
)


def _token(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1]


@pytest.fixture
def link_url(in_review: Post, camille: Membership) -> str:
    return review_link_create(
        membership=camille, post=in_review, expires_in=timedelta(days=7), reviewer_name="Directrice"
    )


def test_the_link_is_a_public_review_url_and_only_its_digest_is_stored(link_url: str, in_review: Post) -> None:
    token = _token(link_url)
    link = ReviewLink.objects.get(post=in_review)

    assert link_url.endswith(f"/review/{token}/")
    assert len(token) >= 40
    assert token not in link.digest
    assert review_link_resolve(token) == link


def test_an_outside_approval_counts_as_one_step(
    link_url: str, in_review: Post, camille: Membership, steps: Callable[[int], None]
) -> None:
    steps(2)

    review = review_link_review(token=_token(link_url), decision="approve", reviewer_name="Mme Durand")
    in_review.refresh_from_db()
    assert review.step == 1
    assert review.external_name == "Mme Durand"
    assert review.reviewer is None
    assert in_review.stage == PostStage.IN_REVIEW

    post_review(membership=camille, post=in_review, decision="approve")
    in_review.refresh_from_db()
    assert in_review.stage == PostStage.RELEASED


def test_one_link_approves_only_one_step(link_url: str, steps: Callable[[int], None]) -> None:
    steps(3)
    review_link_review(token=_token(link_url), decision="approve", reviewer_name="Mme Durand")

    with pytest.raises(ReviewError, match="already approved"):
        review_link_review(token=_token(link_url), decision="approve", reviewer_name="Quelqu'un d'autre")


def test_an_outside_comment_reaches_the_author(link_url: str, theo: Membership) -> None:
    review_link_review(token=_token(link_url), decision="comment", comment="Et le logo ?", reviewer_name="M. Martin")

    notification = Notification.objects.get(recipient=theo.user, kind="approval.comment")
    assert notification.body == "Et le logo ?"
    assert "M. Martin" in notification.title


def test_an_outside_reviewer_must_give_a_name(link_url: str) -> None:
    with pytest.raises(ReviewError, match="name"):
        review_link_review(token=_token(link_url), decision="approve", reviewer_name=" ")
    assert not Review.objects.filter(link__isnull=False).exists()


def test_an_expired_link_is_refused(link_url: str, in_review: Post) -> None:
    ReviewLink.objects.filter(post=in_review).update(expires_at=timezone.now() - timedelta(seconds=1))

    with pytest.raises(ReviewLinkInvalid) as caught:
        review_link_review(token=_token(link_url), decision="approve", reviewer_name="Mme Durand")
    assert caught.value.reason == "expired"


def test_a_revoked_link_is_refused(link_url: str, camille: Membership, in_review: Post) -> None:
    review_link_revoke(membership=camille, link=ReviewLink.objects.get(post=in_review))

    with pytest.raises(ReviewLinkInvalid) as caught:
        review_link_resolve(_token(link_url))
    assert caught.value.reason == "revoked"
    assert AuditEntry.objects.filter(verb="post.review_link.revoke").exists()


def test_a_tampered_token_is_unknown(link_url: str) -> None:
    token = _token(link_url)
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")

    with pytest.raises(ReviewLinkInvalid) as caught:
        review_link_resolve(tampered)
    assert caught.value.reason == "unknown"


def test_a_contributor_cannot_create_a_review_link(in_review: Post, theo: Membership) -> None:
    with pytest.raises(PermissionDenied):
        review_link_create(membership=theo, post=in_review, expires_in=timedelta(days=1))


def test_a_link_lasts_at_most_thirty_days(in_review: Post, camille: Membership) -> None:
    with pytest.raises(ReviewError):
        review_link_create(membership=camille, post=in_review, expires_in=timedelta(days=31))


def test_the_link_is_e_mailed_to_the_reviewer(
    in_review: Post, camille: Membership, mailoutbox: list[object], django_capture_on_commit_callbacks: object
) -> None:
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        url = review_link_create(
            membership=camille,
            post=in_review,
            expires_in=timedelta(days=3),
            reviewer_name="Mme Durand",
            reviewer_email="durand@client.example",
        )

    [message] = mailoutbox
    assert message.to == ["durand@client.example"]  # type: ignore[attr-defined]
    assert url in message.body  # type: ignore[attr-defined]


def test_creating_a_link_is_in_the_audit_log_without_the_token(link_url: str) -> None:
    entry = AuditEntry.objects.get(verb="post.review_link.create")

    assert _token(link_url) not in str(entry.data) + entry.summary
