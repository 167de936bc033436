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
