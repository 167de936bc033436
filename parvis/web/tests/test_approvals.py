from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from parvis.core.models import Membership
from parvis.networks.models import ConnectedAccount
from parvis.publishing.models import Post, PostStage, ReviewLink
from parvis.publishing.services.approvals import post_review, review_link_create
from parvis.publishing.services.posts import post_create, post_update

SignIn = Callable[[Membership], Client]


@pytest.fixture(autouse=True)
def _english(client: Client) -> None:
    """These tests read the page in English; French is checked by the translation files."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def in_review(theo: Membership, alice: Membership, camille: Membership, account: ConnectedAccount) -> Post:
    return post_create(
        membership=theo,
        text="Le salon ouvre jeudi <script>alert(1)</script>",
        accounts=[account],
        scheduled_at=timezone.now() + timedelta(days=1),
    )


def _token(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1]


def test_the_queue_lists_the_posts_awaiting_my_approval(
    signed_in: SignIn, camille: Membership, in_review: Post
) -> None:
    response = signed_in(camille).get("/approvals/")

    assert response.status_code == 200
    assert f"/approvals/{in_review.pk}/" in response.content.decode()
    assert "Revision 1" in response.content.decode()


def test_an_approver_approves_from_the_post_page(signed_in: SignIn, camille: Membership, in_review: Post) -> None:
    client = signed_in(camille)
    page = client.get(f"/approvals/{in_review.pk}/")
    assert page.status_code == 200
    assert "&lt;script&gt;" in page.content.decode()  # hostile text is shown as text

    response = client.post(f"/approvals/{in_review.pk}/decide/", {"decision": "approve", "revision": 1, "comment": ""})

    assert response.status_code == 302
    in_review.refresh_from_db()
    assert in_review.stage == PostStage.RELEASED


def test_a_request_for_changes_shows_its_comment_on_the_post_page(
    signed_in: SignIn, camille: Membership, theo: Membership, in_review: Post
) -> None:
    signed_in(camille).post(
        f"/approvals/{in_review.pk}/decide/", {"decision": "reject", "revision": 1, "comment": "Précise l'heure"}
    )

    page = signed_in(theo).get(f"/approvals/{in_review.pk}/")

    assert "Précise l&#x27;heure" in page.content.decode()
    assert "Changes requested" in page.content.decode()


def test_a_contributor_cannot_approve_from_the_page(signed_in: SignIn, theo: Membership, in_review: Post) -> None:
    response = signed_in(theo).post(f"/approvals/{in_review.pk}/decide/", {"decision": "approve", "revision": 1})

    assert response.status_code == 403
    in_review.refresh_from_db()
    assert in_review.stage == PostStage.IN_REVIEW


def test_the_post_page_shows_what_changed_since_the_last_revision(
    signed_in: SignIn, camille: Membership, theo: Membership, in_review: Post, account: ConnectedAccount
) -> None:
    post_review(membership=camille, post=in_review, decision="reject", comment="Plus court")
    post_update(
        membership=theo,
        post=in_review,
        text="Le salon ouvre jeudi matin",
        accounts=[account],
        scheduled_at=timezone.now() + timedelta(days=1),
    )

    content = signed_in(camille).get(f"/approvals/{in_review.pk}/").content.decode()

    assert "What changed since revision 1" in content
    assert "<ins>matin</ins>" in content


def test_a_review_link_is_shown_once_to_its_creator(signed_in: SignIn, camille: Membership, in_review: Post) -> None:
    response = signed_in(camille).post(
        f"/approvals/{in_review.pk}/links/", {"reviewer_name": "Mme Durand", "reviewer_email": "", "days": 7}
    )

    assert response.status_code == 201
    assert "/review/" in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    assert ReviewLink.objects.filter(post=in_review, reviewer_name="Mme Durand").exists()


def test_the_review_link_page_works_without_an_account(client: Client, camille: Membership, in_review: Post) -> None:
    url = review_link_create(
        membership=camille, post=in_review, expires_in=timedelta(days=2), reviewer_name="Mme Durand"
    )
    path = f"/review/{_token(url)}/"

    page = client.get(path)
    assert page.status_code == 200
    assert "@cci_lyon" in page.content.decode()
    assert "&lt;script&gt;" in page.content.decode()
    assert page["Referrer-Policy"] == "no-referrer"

    response = client.post(path, {"decision": "approve", "name": "Mme Durand", "revision": 1, "comment": ""})

    assert response.status_code == 200
    assert "your approval is recorded" in response.content.decode()
    in_review.refresh_from_db()
    assert in_review.stage == PostStage.RELEASED


def test_an_unknown_review_link_is_refused_clearly(client: Client, db: None) -> None:
    response = client.get("/review/not-a-real-token/")

    assert response.status_code == 404
    assert "does not exist" in response.content.decode()


def test_an_expired_review_link_is_refused_clearly(client: Client, camille: Membership, in_review: Post) -> None:
    url = review_link_create(membership=camille, post=in_review, expires_in=timedelta(days=2))
    ReviewLink.objects.update(expires_at=timezone.now() - timedelta(minutes=1))

    response = client.get(f"/review/{_token(url)}/")

    assert response.status_code == 410
    assert "expired" in response.content.decode()


def test_a_revoked_review_link_is_refused(signed_in: SignIn, camille: Membership, in_review: Post) -> None:
    url = review_link_create(membership=camille, post=in_review, expires_in=timedelta(days=2))
    client = signed_in(camille)
    client.post(f"/approvals/links/{ReviewLink.objects.get().pk}/revoke/")
    client.logout()

    response = client.get(f"/review/{_token(url)}/")

    assert response.status_code == 410
    assert "withdrawn" in response.content.decode()


def test_an_outsider_sees_nothing_of_the_post(signed_in: SignIn, oscar: Membership, in_review: Post) -> None:
    client = signed_in(oscar)

    assert client.get(f"/approvals/{in_review.pk}/").status_code == 404
    assert client.post(f"/approvals/{in_review.pk}/decide/", {"decision": "approve", "revision": 1}).status_code == 404
    assert "Le salon ouvre jeudi" not in client.get("/approvals/").content.decode()


def test_an_analyst_cannot_create_review_links(signed_in: SignIn, nadia: Membership, in_review: Post) -> None:
    response = signed_in(nadia).post(f"/approvals/{in_review.pk}/links/", {"days": 3})

    assert response.status_code == 403
    assert not ReviewLink.objects.exists()
