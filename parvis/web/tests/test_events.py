"""Live event pages: who may see and do what, the live composer, the wall (hostile text stays text), exports."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from parvis.networks.connectors.fake.connector import FakeConnector
from parvis.networks.tests.factories import AuthorFactory, NetworkEventFactory
from parvis.publishing.models import LiveEvent, WallItem
from parvis.publishing.services.events import (
    event_create,
    event_wall_refresh,
    live_post,
    prepared_post_create,
    session_create,
    speaker_create,
)

HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "live-sent"}
XSS = '<script>alert("wall")</script><img src=x onerror=alert(1)>'


@pytest.fixture
def event(camille, account) -> LiveEvent:
    """An event running now, with one session and its speaker."""
    now = timezone.now()
    event = event_create(
        membership=camille,
        name="Rencontres de l'export",
        hashtag="RencontresExport",
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(hours=3),
        place="Palais de la Bourse",
        accounts=[account],
    )
    helene = speaker_create(membership=camille, event=event, name="Hélène Carpentier", handles={"fake": "@helene_c"})
    session_create(
        membership=camille,
        event=event,
        title="Exporter en 2026",
        starts_at=now - timedelta(minutes=30),
        ends_at=now + timedelta(minutes=30),
        room="Grand amphi",
        speakers=[helene],
    )
    return event


def say(text, *, handle="@lea@social.example", name="Léa"):
    FakeConnector.inbox.append(
        NetworkEventFactory(
            text=text, author=AuthorFactory(handle=handle, display_name=name), occurred_at=timezone.now()
        )
    )


def test_the_events_page_lists_the_events_of_the_workspace_only(signed_in, camille, event, oscar):
    event_create(
        membership=oscar,
        name="Fête de la brasserie",
        hashtag="Brasserie",
        starts_at=datetime(2026, 6, 1, 18, tzinfo=UTC),
        ends_at=datetime(2026, 6, 1, 23, tzinfo=UTC),
    )

    content = signed_in(camille).get(reverse("web:events")).content.decode()

    assert "Rencontres de l&#x27;export" in content
    assert "#RencontresExport" in content
    assert "Brasserie" not in content


@pytest.mark.parametrize(
    "name", ["web:event", "web:event_live", "web:event_wall", "web:event_questions", "web:event_recap"]
)
def test_an_event_of_another_workspace_is_not_found(signed_in, oscar, event, name):
    assert signed_in(oscar).get(reverse(name, args=[event.pk])).status_code == 404


@pytest.mark.parametrize(
    "name", ["web:event", "web:event_live", "web:event_wall", "web:event_questions", "web:event_recap"]
)
def test_every_role_can_follow_an_event(signed_in, nadia, event, name):
    assert signed_in(nadia).get(reverse(name, args=[event.pk])).status_code == 200


def test_creating_an_event_reads_its_times_in_the_workspace_time_zone(signed_in, camille, account):
    response = signed_in(camille).post(
        reverse("web:events"),
        {
            "name": "Salon des entrepreneurs",
            "hashtag": "#SalonEntrepreneurs",
            "starts_at": "2027-04-08T14:00",
            "ends_at": "2027-04-08T19:00",
            "status": "preparing",
            "accounts": [account.pk],
        },
    )

    event = LiveEvent.objects.get(name="Salon des entrepreneurs")
    assert response.status_code == 302
    assert response["Location"] == reverse("web:event", args=[event.pk])
    assert event.starts_at == datetime(2027, 4, 8, 12, tzinfo=UTC)
    assert event.hashtag == "SalonEntrepreneurs"


def test_an_analyst_cannot_create_an_event(signed_in, nadia):
    response = signed_in(nadia).post(
        reverse("web:events"),
        {
            "name": "Salon",
            "hashtag": "Salon",
            "starts_at": "2027-04-08T14:00",
            "ends_at": "2027-04-08T19:00",
            "status": "preparing",
        },
    )

    assert response.status_code == 403
    assert not LiveEvent.objects.exists()


def test_the_event_page_shows_the_programme_and_each_speaker_handle(signed_in, camille, event):
    content = signed_in(camille).get(reverse("web:event", args=[event.pk])).content.decode()

    assert "Exporter en 2026" in content
    assert "Grand amphi" in content
    assert "Hélène Carpentier" in content
    assert "@helene_c" in content


def test_a_speaker_is_added_with_a_handle_per_network(signed_in, camille, event):
    response = signed_in(camille).post(
        reverse("web:event_speaker_add", args=[event.pk]),
        {"name": "Paul Morel", "organisation": "Lyon Export", "handle_fake": "@paul_m"},
    )

    assert response.status_code == 302
    paul = event.speakers.get(name="Paul Morel")
    assert list(paul.handles.values_list("network", "handle")) == [("fake", "@paul_m")]


def test_the_live_page_shows_the_current_session_its_speaker_and_the_prepared_posts(signed_in, camille, event):
    prepared_post_create(membership=camille, event=event, text="{speaker} ouvre la séance")

    content = signed_in(camille).get(reverse("web:event_live", args=[event.pk])).content.decode()

    assert "Exporter en 2026" in content
    assert "@helene_c" in content
    assert 'data-prepared-key="1"' in content
    assert 'data-prepared-text="{speaker} ouvre la séance"' in content


def test_the_live_counter_shows_the_text_of_each_account(signed_in, camille, event, account):
    session = event.sessions.get()
    response = signed_in(camille).post(
        reverse("web:event_live_preview", args=[event.pk]),
        {"text": "Salle comble", "accounts": [account.pk], "session": session.pk, "mention_speakers": "1"},
    )

    content = response.content.decode()
    assert "Salle comble @helene_c #RencontresExport" in content
    assert f"{len('Salle comble @helene_c #RencontresExport')} / 280" in content


def test_publishing_live_sends_the_post_with_the_hashtag_and_the_speaker(
    signed_in, camille, event, account, django_capture_on_commit_callbacks
):
    session = event.sessions.get()
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(camille).post(
            reverse("web:event_live_publish", args=[event.pk]),
            {"text": "« Osez l'export »", "accounts": [account.pk], "session": session.pk, "mention_speakers": "1"},
            **HTMX,
        )

    assert response.status_code == 200
    assert [request.text for request in FakeConnector.published] == ["« Osez l'export » @helene_c #RencontresExport"]
    assert "« Osez l&#x27;export » @helene_c #RencontresExport" in response.content.decode()


def test_a_live_post_refused_by_a_network_says_why_in_place(signed_in, camille, event, account):
    response = signed_in(camille).post(
        reverse("web:event_live_publish", args=[event.pk]), {"text": "x" * 300, "accounts": [account.pk]}, **HTMX
    )

    assert response.status_code == 400
    assert 'id="live-sent"' in response.content.decode()
    assert FakeConnector.published == []


def test_a_contributor_cannot_publish_live(signed_in, theo, event, account):
    response = signed_in(theo).post(
        reverse("web:event_live_publish", args=[event.pk]), {"text": "Salle comble", "accounts": [account.pk]}
    )

    assert response.status_code == 403
    assert FakeConnector.published == []


def test_the_wall_shows_the_posts_with_the_hashtag(signed_in, nadia, event):
    say("Salle comble pour l'ouverture #RencontresExport")

    content = signed_in(nadia).get(reverse("web:event_wall", args=[event.pk])).content.decode()

    assert "Salle comble pour l&#x27;ouverture #RencontresExport" in content
    assert 'hx-trigger="every 10s"' in content


def test_hostile_text_on_the_wall_renders_as_text(signed_in, camille, event):
    say(f"{XSS} #RencontresExport", handle="@troll@bad.example", name='<b onmouseover="alert(2)">Troll</b>')

    content = signed_in(camille).get(reverse("web:event_wall", args=[event.pk])).content.decode()

    assert "<script>" not in content
    assert "<img" not in content
    assert "<b onmouseover" not in content
    assert "&lt;script&gt;alert(&quot;wall&quot;)&lt;/script&gt;" in content


def test_a_link_that_is_not_http_is_not_offered_on_the_wall(signed_in, camille, event, account):
    FakeConnector.inbox.append(
        NetworkEventFactory(text="Voir #RencontresExport", url="javascript:alert(1)", occurred_at=timezone.now())
    )

    content = signed_in(camille).get(reverse("web:event_wall", args=[event.pk])).content.decode()

    assert "javascript:" not in content


def test_starring_from_the_wall_answers_with_the_starred_post(signed_in, camille, event):
    say("Et pour les TPE ? #RencontresExport")
    event_wall_refresh(event=event)
    item = WallItem.objects.get()

    response = signed_in(camille).post(
        reverse("web:event_wall_item", args=[event.pk, item.pk]),
        {"action": "star"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET=f"wall-item-{item.pk}",
    )

    item.refresh_from_db()
    assert item.starred
    content = response.content.decode()
    assert f'id="wall-item-{item.pk}"' in content
    assert "is-starred" in content


def test_an_analyst_cannot_star_a_question(signed_in, nadia, event):
    say("Une question ? #RencontresExport")
    event_wall_refresh(event=event)
    item = WallItem.objects.get()

    response = signed_in(nadia).post(reverse("web:event_wall_item", args=[event.pk, item.pk]), {"action": "star"})

    assert response.status_code == 403
    item.refresh_from_db()
    assert not item.starred


def test_the_questions_page_puts_the_starred_questions_first(signed_in, camille, event):
    say("Première question ? #RencontresExport")
    say("Deuxième question ? #RencontresExport")
    event_wall_refresh(event=event)
    WallItem.objects.filter(text__startswith="Deuxième").update(starred=True)

    content = signed_in(camille).get(reverse("web:event_questions", args=[event.pk])).content.decode()

    assert content.index("Deuxième question") < content.index("Première question")
    assert "Exporter en 2026" in content


def test_the_recap_is_exported_as_markdown_and_csv(signed_in, camille, event):
    say("Bravo ! #RencontresExport")
    event_wall_refresh(event=event)
    client = signed_in(camille)

    markdown = client.get(reverse("web:event_recap_export", args=[event.pk, "md"]))
    table = client.get(reverse("web:event_recap_export", args=[event.pk, "csv"]))

    assert markdown["Content-Type"].startswith("text/markdown")
    assert "attachment" in markdown["Content-Disposition"]
    assert "Rencontres de l'export" in markdown.content.decode()
    assert table["Content-Type"].startswith("text/csv")
    assert "Bravo ! #RencontresExport" in table.content.decode()


def test_an_unknown_export_format_is_not_found(signed_in, camille, event):
    assert signed_in(camille).get(reverse("web:event_recap_export", args=[event.pk, "pdf"])).status_code == 404


def test_the_recap_page_offers_a_thank_you_post_with_the_numbers(signed_in, camille, event):
    say("Bravo ! #RencontresExport")

    content = signed_in(camille).get(reverse("web:event_recap", args=[event.pk])).content.decode()

    assert "Rencontres de l&#x27;export" in content
    assert "#RencontresExport" in content


def test_a_session_is_added_to_the_programme_in_the_workspace_time_zone(signed_in, camille, event):
    response = signed_in(camille).post(
        reverse("web:event_session_add", args=[event.pk]),
        {"title": "Table ronde", "starts_at": "2026-06-11T11:00", "ends_at": "2026-06-11T12:00", "room": "Salle 2"},
    )

    assert response.status_code == 302
    session = event.sessions.get(title="Table ronde")
    assert session.starts_at == datetime(2026, 6, 11, 9, tzinfo=UTC)


def test_a_session_ending_before_it_starts_is_shown_again_with_the_reason(signed_in, camille, event):
    response = signed_in(camille).post(
        reverse("web:event_session_add", args=[event.pk]),
        {"title": "À l'envers", "starts_at": "2026-06-11T12:00", "ends_at": "2026-06-11T11:00"},
    )

    assert response.status_code == 400
    assert not event.sessions.filter(title="À l'envers").exists()
    assert 'value="À l&#x27;envers"' in response.content.decode()


def test_a_prepared_post_is_added_to_the_bank_of_a_session(signed_in, camille, event):
    session = event.sessions.get()

    signed_in(camille).post(
        reverse("web:event_prepared_add", args=[event.pk]), {"text": "{speaker} au micro", "session": session.pk}
    )

    assert list(session.prepared_posts.values_list("text", flat=True)) == ["{speaker} au micro"]


def test_announcements_are_scheduled_from_the_event_page(signed_in, camille, account):
    salon = event_create(
        membership=camille,
        name="Salon des entrepreneurs",
        hashtag="SalonEntrepreneurs",
        starts_at=timezone.now() + timedelta(days=30),
        ends_at=timezone.now() + timedelta(days=30, hours=5),
        accounts=[account],
    )
    page = signed_in(camille).get(reverse("web:event", args=[salon.pk])).content.decode()
    assert 'name="text_J-7"' in page

    response = signed_in(camille).post(
        reverse("web:event_announce", args=[salon.pk]),
        {
            "accounts": [account.pk],
            "text_J-7": "Dans une semaine : {event} {hashtag}",
            "text_J-1": "",
            "text_start": "",
        },
    )

    assert response.status_code == 302
    [link] = salon.event_posts.all()
    assert link.label == "J-7"
    assert link.post.deliveries.get().text == "Dans une semaine : Salon des entrepreneurs #SalonEntrepreneurs"


def test_the_latest_live_posts_read_themselves_again_while_one_is_on_its_way(signed_in, camille, event, account):
    live_post(membership=camille, event=event, text="Salle comble", accounts=[account])  # not sent yet
    client = signed_in(camille)

    waiting = client.get(reverse("web:event_live_sent", args=[event.pk])).content.decode()

    assert "Salle comble @helene_c #RencontresExport" in waiting
    assert 'hx-trigger="every 3s"' in waiting


def test_an_analyst_cannot_delete_an_event(signed_in, nadia, event):
    response = signed_in(nadia).post(reverse("web:event_delete", args=[event.pk]))

    assert response.status_code == 403
    assert LiveEvent.objects.filter(pk=event.pk).exists()
