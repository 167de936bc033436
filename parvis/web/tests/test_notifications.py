from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from parvis.core.models import Membership, Notification
from parvis.core.services import notification_send

SignIn = Callable[[Membership], Client]


@pytest.fixture(autouse=True)
def _english(client: Client) -> None:
    """These tests read the page in English; French is checked by the translation files."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def _notify(member: Membership, title: str, url: str = "") -> Notification:
    [created] = notification_send(
        workspace=member.workspace, kind="test", title=title, body="<b>corps</b>", url=url, recipients=[member.user]
    )
    return created


def test_the_list_shows_my_notifications_as_text(signed_in: SignIn, camille: Membership, alice: Membership) -> None:
    _notify(camille, "Une publication attend <em>ta</em> validation")
    _notify(alice, "Pour Alice seulement")

    content = signed_in(camille).get("/notifications/").content.decode()

    assert "&lt;em&gt;ta&lt;/em&gt;" in content
    assert "Pour Alice seulement" not in content


def test_the_unread_counter_counts_my_unread_notifications(signed_in: SignIn, camille: Membership) -> None:
    _notify(camille, "Un")
    _notify(camille, "Deux")

    response = signed_in(camille).get("/notifications/unread/", HTTP_HX_REQUEST="true")

    content = response.content.decode()
    assert response.status_code == 200
    assert 'hx-trigger="every 30s"' in content
    assert ">2<" in content
    assert "<html" not in content


def test_marking_one_read(signed_in: SignIn, camille: Membership) -> None:
    first = _notify(camille, "Un")
    second = _notify(camille, "Deux")

    response = signed_in(camille).post(f"/notifications/{first.pk}/read/", HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert 'hx-swap-oob="true"' in response.content.decode()
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.read_at is not None and second.read_at is None


def test_opening_a_notification_marks_it_read_and_follows_its_link(signed_in: SignIn, camille: Membership) -> None:
    item = _notify(camille, "Un", url="/approvals/")

    response = signed_in(camille).post(f"/notifications/{item.pk}/read/", {"open": "1"})

    assert response.status_code == 302 and response["Location"] == "/approvals/"
    item.refresh_from_db()
    assert item.read_at is not None


def test_an_outside_link_is_never_followed(signed_in: SignIn, camille: Membership) -> None:
    item = _notify(camille, "Un", url="https://evil.example/")

    response = signed_in(camille).post(f"/notifications/{item.pk}/read/", {"open": "1"})

    assert response["Location"] == "/notifications/"


def test_marking_all_read(signed_in: SignIn, camille: Membership) -> None:
    _notify(camille, "Un")
    _notify(camille, "Deux")

    signed_in(camille).post("/notifications/read-all/")

    assert not Notification.objects.filter(recipient=camille.user, read_at__isnull=True).exists()


def test_someone_else_s_notification_cannot_be_marked(
    signed_in: SignIn, camille: Membership, oscar: Membership
) -> None:
    item = _notify(camille, "Un")

    response = signed_in(oscar).post(f"/notifications/{item.pk}/read/")

    assert response.status_code == 404
    item.refresh_from_db()
    assert item.read_at is None
