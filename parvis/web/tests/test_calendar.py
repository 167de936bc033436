from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, time

import pytest
from django.test import Client
from django.utils import timezone

from parvis.core.models import Membership
from parvis.networks.models import Action, ActionStatus, ConnectedAccount
from parvis.publishing.models import Campaign, Post, QueueSlot
from parvis.publishing.services.posts import post_create
from parvis.publishing.tests.calendar.helpers import wall
from parvis.publishing.timeparse import local_to_utc

SignIn = Callable[[Membership], Client]
JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture(autouse=True)
def _english(client: Client) -> None:
    """These tests read the page in English; French is checked by the translation files."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def post(camille: Membership, account: ConnectedAccount) -> Post:
    campaign = Campaign.objects.create(workspace=camille.workspace, name="Salon", color="#aa3300")
    return post_create(
        membership=camille,
        text="Salon des entreprises <b>jeudi</b>",
        accounts=[account],
        scheduled_at=local_to_utc(wall(2030, 3, 29, 9, 0), camille.workspace.zone),
        campaign=campaign,
    )


def test_the_month_view_shows_the_post_as_a_chip_at_its_local_time(
    signed_in: SignIn, camille: Membership, post: Post
) -> None:
    response = signed_in(camille).get("/calendar/?month=2030-03")

    content = response.content.decode()
    assert response.status_code == 200
    assert f'data-post-id="{post.pk}"' in content
    assert 'data-time="09:00"' in content
    assert "--chip-colour: #aa3300" in content
    assert "&lt;b&gt;jeudi&lt;/b&gt;" in content
    assert "Clocks go forward" in content  # 31 March 2030


def test_the_week_view_of_the_clock_change_renders_with_its_gap(
    signed_in: SignIn, camille: Membership, post: Post
) -> None:
    response = signed_in(camille).get("/calendar/week/?week=2030-03-27&grid=15")

    content = response.content.decode()
    assert response.status_code == 200
    assert f'data-post-id="{post.pk}"' in content
    assert content.count("data-gap") == 4  # 02:00 to 02:45 on Sunday, 15-minute grid
    assert 'data-date="2030-03-29" data-time="09:00"' in content


def test_filters_stay_in_the_url_and_apply(signed_in: SignIn, camille: Membership, post: Post) -> None:
    other = Campaign.objects.create(workspace=camille.workspace, name="Autre")

    content = signed_in(camille).get(f"/calendar/?month=2030-03&campaign={other.pk}").content.decode()

    assert f'data-post-id="{post.pk}"' not in content
    assert f"campaign={other.pk}" in content  # previous/next links keep the filter
    assert f'<option value="{other.pk}" selected>' in content


def test_the_reschedule_endpoint_moves_a_post_to_another_day_keeping_its_time(
    signed_in: SignIn, camille: Membership, post: Post
) -> None:
    response = signed_in(camille).post("/calendar/move/", {"post": post.pk, "date": "2030-04-01"}, **JSON)

    assert response.status_code == 200
    data = json.loads(response.content)
    assert (data["ok"], data["date"], data["time"]) == (True, "2030-04-01", "09:00")
    post.refresh_from_db()
    assert post.scheduled_at == datetime(2030, 4, 1, 7, 0, tzinfo=UTC)


def test_the_reschedule_endpoint_refuses_a_published_post_with_a_message(
    signed_in: SignIn, camille: Membership, post: Post
) -> None:
    Action.objects.filter(delivery__post=post).update(status=ActionStatus.DONE)

    response = signed_in(camille).post("/calendar/move/", {"post": post.pk, "date": "2030-04-01"}, **JSON)

    assert response.status_code == 409
    assert "already published" in json.loads(response.content)["message"]


def test_the_move_form_works_without_javascript(signed_in: SignIn, camille: Membership, post: Post) -> None:
    response = signed_in(camille).post(
        "/calendar/move/", {"post": post.pk, "date": "2030-04-02", "time": "14:30", "next": "/calendar/?month=2030-04"}
    )

    assert response.status_code == 302 and response["Location"] == "/calendar/?month=2030-04"
    post.refresh_from_db()
    assert post.scheduled_at == datetime(2030, 4, 2, 12, 30, tzinfo=UTC)


def test_an_analyst_sees_the_calendar_but_cannot_reschedule(signed_in: SignIn, nadia: Membership, post: Post) -> None:
    client = signed_in(nadia)
    assert client.get("/calendar/?month=2030-03").status_code == 200

    response = client.post("/calendar/move/", {"post": post.pk, "date": "2030-04-01"}, **JSON)

    assert response.status_code == 403
    post.refresh_from_db()
    assert post.scheduled_at == datetime(2030, 3, 29, 8, 0, tzinfo=UTC)


def test_an_outsider_sees_nothing_and_moves_nothing(signed_in: SignIn, oscar: Membership, post: Post) -> None:
    client = signed_in(oscar)

    assert f'data-post-id="{post.pk}"' not in client.get("/calendar/?month=2030-03").content.decode()
    assert client.post("/calendar/move/", {"post": post.pk, "date": "2030-04-01"}, **JSON).status_code == 404
    assert (
        "Salon des entreprises"
        not in client.get("/calendar/export.csv?start=2030-01-01&end=2030-12-31").content.decode()
    )


def test_signing_in_is_required(client: Client, post: Post) -> None:
    assert client.get("/calendar/").status_code == 302


def test_the_export_is_a_csv_excel_reads_as_utf_8(signed_in: SignIn, camille: Membership, post: Post) -> None:
    response = signed_in(camille).get("/calendar/export.csv?start=2030-03-01&end=2030-03-31&sep=semicolon")

    body = response.content.decode("utf-8")
    assert response["Content-Type"].startswith("text/csv")
    assert body.startswith("\ufeffid;date;time;time_zone")
    assert "2030-03-29;09:00;Europe/Paris" in body


def test_the_import_shows_a_line_by_line_report_then_imports_the_good_lines(
    signed_in: SignIn, camille: Membership, account: ConnectedAccount
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = b"date;heure;comptes;texte\n06/05/2030;09:30;@cci_lyon;Bon\n06/05/2030;09:30;@inconnu;Mauvais\n"
    client = signed_in(camille)

    report = client.post(
        "/calendar/import/", {"step": "check", "mode": "draft", "file": SimpleUploadedFile("posts.csv", data)}
    )
    content = report.content.decode()
    assert report.status_code == 200
    assert 'data-line="3"' in content and "Unknown account" in content
    assert not Post.objects.exists()

    import base64

    done = client.post(
        "/calendar/import/", {"step": "import", "mode": "draft", "data": base64.b64encode(data).decode()}
    )

    assert done.status_code == 200
    assert list(Post.objects.values_list("text", flat=True)) == ["Bon"]


def test_the_queue_page_saves_an_account_s_weekly_slots(
    signed_in: SignIn, camille: Membership, account: ConnectedAccount
) -> None:
    client = signed_in(camille)

    response = client.post("/calendar/queue/", {"account": account.pk, "day-0": "09:00, 12h30", "day-4": "17:45"})

    assert response.status_code == 302
    assert list(QueueSlot.objects.values_list("weekday", "time")) == [
        (0, time(9, 0)),
        (0, time(12, 30)),
        (4, time(17, 45)),
    ]
    page = client.get("/calendar/queue/").content.decode()
    assert "09:00, 12:30" in page and "Next free slot" in page


def test_bad_slot_times_are_explained(signed_in: SignIn, camille: Membership, account: ConnectedAccount) -> None:
    response = signed_in(camille).post("/calendar/queue/", {"account": account.pk, "day-0": "neuf heures"})

    assert response.status_code == 400
    assert "24-hour clock" in response.content.decode()


def test_add_to_queue_from_the_calendar(
    signed_in: SignIn, camille: Membership, account: ConnectedAccount, post: Post
) -> None:
    QueueSlot.objects.create(account=account, weekday=2, time=time(10, 0))

    response = signed_in(camille).post(f"/calendar/posts/{post.pk}/enqueue/", **JSON)

    assert response.status_code == 200
    post.refresh_from_db()
    local = post.scheduled_at.astimezone(camille.workspace.zone)
    assert post.queued and (local.weekday(), local.time()) == (2, time(10, 0))
    assert post.scheduled_at > timezone.now()


def test_odd_periods_in_the_url_fall_back_to_today(signed_in: SignIn, camille: Membership) -> None:
    client = signed_in(camille)

    for url in ("/calendar/?month=0001-01", "/calendar/?month=2030-13", "/calendar/week/?week=0001-01-01&grid=7"):
        assert client.get(url).status_code == 200
    assert client.get("/calendar/export.csv?start=0001-01-01&end=9999-12-31").status_code == 200
