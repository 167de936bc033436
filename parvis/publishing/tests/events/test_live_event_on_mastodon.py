"""A live event from start to end on a real Mastodon API (mastodon-mock on loopback):
a live post goes out with the hashtag and the speaker's handle, the audience's posts with the
hashtag reach the wall, a question is starred for the speaker, and the recap counts it all."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from parvis.networks.text import html_to_text
from parvis.publishing.models import WallItem
from parvis.publishing.services.events import (
    event_create,
    event_questions,
    event_recap,
    event_wall_refresh,
    live_post,
    session_create,
    speaker_create,
    wall_item_update,
)

pytestmark = pytest.mark.network


def test_a_live_event_runs_end_to_end_on_the_local_mastodon(
    mastodon_server, mastodon_connect, camille, django_capture_on_commit_callbacks
):
    account, org = mastodon_connect(camille, "cci")
    speaker = mastodon_server.create_account("helene", display_name="Hélène Carpentier")
    lea = mastodon_server.create_account("lea", display_name="Léa")
    karim = mastodon_server.create_account("karim", display_name="Karim")
    now = timezone.now()
    event = event_create(
        membership=camille,
        name="Rencontres de l'export",
        hashtag="RencontresExport",
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(hours=2),
        accounts=[account],
    )
    helene = speaker_create(membership=camille, event=event, name="Hélène Carpentier", handles={"mastodon": "@helene"})
    session = session_create(
        membership=camille,
        event=event,
        title="Exporter en 2026",
        starts_at=now - timedelta(minutes=30),
        ends_at=now + timedelta(minutes=30),
        speakers=[helene],
    )

    # 1. A live post, written once, goes out now with the hashtag and the speaker's handle.
    with django_capture_on_commit_callbacks(execute=True):
        live_post(
            membership=camille, event=event, text="« L'export, c'est d'abord des rencontres »", accounts=[account]
        )

    [published] = mastodon_server.client(org).account_statuses(org.id)
    assert html_to_text(published["content"]) == "« L'export, c'est d'abord des rencontres » @helene #RencontresExport"
    assert [note["type"] for note in mastodon_server.client(speaker).notifications()] == ["mention"]

    # 2. The audience posts with the hashtag (in any case); the wall gets those posts, and ours, once.
    question = mastodon_server.client(lea).status_post("Et pour les TPE, quelles aides ? #RencontresExport")
    mastodon_server.client(karim).status_post("Bravo @helene ! #rencontresexport")
    mastodon_server.client(karim).status_post("Rien à voir avec l'événement")
    mastodon_server.client(lea).status_post("Un message privé #RencontresExport", visibility="direct")

    first = event_wall_refresh(event=event)
    again = event_wall_refresh(event=event, force=True)

    assert (first.errors, first.added, again.added) == ([], 3, 0)
    host = mastodon_server.instance_host
    wall = {item.author_handle: item for item in WallItem.objects.filter(event=event)}
    assert set(wall) == {f"@cci@{host}", f"@lea@{host}", f"@karim@{host}"}
    assert wall[f"@cci@{host}"].own
    assert wall[f"@lea@{host}"].is_question
    assert wall[f"@lea@{host}"].session == session

    # 3. The question is starred for the speaker.
    starred = WallItem.objects.get(event=event, external_id=str(question["id"]))
    wall_item_update(membership=camille, item=starred, starred=True)
    [group] = event_questions(event, starred_only=True)
    assert group.session == session
    assert [item.text for item in group.questions] == ["Et pour les TPE, quelles aides ? #RencontresExport"]

    # 4. The recap counts what we published, the audience, the people and the questions.
    recap = event_recap(event)
    assert recap.published_per_network == {"Mastodon": 1}
    assert (recap.wall_items, recap.contributors, recap.questions) == (2, 2, 1)
    assert [item.text for item in recap.top_questions] == ["Et pour les TPE, quelles aides ? #RencontresExport"]
    assert recap.posts[0].links[0].url == published["url"]
