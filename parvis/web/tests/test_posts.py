from datetime import UTC, datetime

from django.urls import reverse

from parvis.publishing.services import post_create


def test_posts_show_their_status_targets_and_time_in_the_workspace_zone(signed_in, camille, account):
    post_create(
        membership=camille,
        text="Rendez-vous au salon",
        accounts=[account],
        scheduled_at=datetime(2030, 7, 1, 8, 0, tzinfo=UTC),
    )

    content = signed_in(camille).get(reverse("web:posts")).content.decode()

    assert "Rendez-vous au salon" in content
    assert "Programmée" in content
    assert "1 juillet 2030 10:00" in content
    assert "@cci_lyon" in content


def _later(camille, account, text="Plus tard"):
    from datetime import timedelta

    from django.utils import timezone

    return post_create(
        membership=camille, text=text, accounts=[account], scheduled_at=timezone.now() + timedelta(days=1)
    )


def test_a_post_awaiting_approval_shows_its_stage(signed_in, theo, camille, account):
    post_create(membership=theo, text="À valider", accounts=[account])

    content = signed_in(camille).get(reverse("web:posts"), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert 'class="badge badge-in_review"' in content
    assert "Awaiting approval" in content


def test_each_variant_shows_its_thread_and_its_status(signed_in, camille, account, monkeypatch):
    from dataclasses import replace

    from parvis.networks.connectors.fake.connector import FakeConnector

    monkeypatch.setattr(FakeConnector, "capabilities", replace(FakeConnector.capabilities, threads=True))
    _later(camille, account, text="Une phrase assez longue pour le fil. " * 12)

    content = signed_in(camille).get(reverse("web:posts"), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "thread of 2 posts" in content
    assert "2 actions" in content
    assert 'class="badge badge-scheduled"' in content


def test_the_list_can_show_only_drafts(signed_in, camille, account):
    post_create(membership=camille, text="Brouillon", accounts=[account], submit=False)
    _later(camille, account, text="Programmée")

    content = signed_in(camille).get(reverse("web:posts") + "?stage=draft").content.decode()

    assert "Brouillon" in content
    assert "Programmée" not in content


def test_cancelling_a_post_from_the_list_stops_it(signed_in, camille, account):
    from parvis.networks.models import ActionStatus

    post = _later(camille, account)

    response = signed_in(camille).post(reverse("web:posts"), {"cancel": post.pk})

    assert response.status_code == 302
    assert post.deliveries.get().action.status == ActionStatus.CANCELLED


def test_deleting_a_draft_from_the_list_removes_it(signed_in, camille, account):
    from parvis.publishing.models import Post

    post = post_create(membership=camille, text="Brouillon", accounts=[account], submit=False)

    signed_in(camille).post(reverse("web:posts"), {"delete": post.pk})

    assert not Post.objects.filter(pk=post.pk).exists()


def test_a_post_of_another_workspace_cannot_be_cancelled(signed_in, camille, oscar, account):
    post = _later(camille, account)

    response = signed_in(oscar).post(reverse("web:posts"), {"cancel": post.pk})

    assert response.status_code == 404


def test_a_published_post_offers_no_edit(signed_in, camille, account):
    from parvis.networks.models import Action, ActionStatus

    post = _later(camille, account)
    Action.objects.filter(delivery__post=post).update(status=ActionStatus.DONE)

    content = signed_in(camille).get(reverse("web:posts")).content.decode()

    assert f"?post={post.pk}" not in content
