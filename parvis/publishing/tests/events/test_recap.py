"""After the event: what we published per network, what the audience posted and asked, as Markdown and CSV."""

from __future__ import annotations

import csv
import io

from parvis.networks.connectors.fake.connector import FakeConnector
from parvis.networks.tests.factories import AuthorFactory, NetworkEventFactory
from parvis.publishing.models import EventPost, EventPostKind, WallItem
from parvis.publishing.services.events import (
    event_recap,
    event_recap_publish,
    event_wall_refresh,
    live_post,
    recap_csv,
    recap_markdown,
    recap_suggestion,
    wall_item_update,
)
from parvis.publishing.tests.events.conftest import utc


def say(text, handle, *, at=None):
    FakeConnector.inbox.append(
        NetworkEventFactory(text=text, author=AuthorFactory(handle=handle), occurred_at=at or utc(8))
    )


def _audience(event):
    say("Bravo pour l'ouverture #RencontresExport", "@lea@social.example")
    say("Et pour les TPE ? #RencontresExport", "@lea@social.example")
    say("Quel budget pour un premier salon ? #RencontresExport", "@karim@social.example")
    say("Achetez des abonnés https://spam.example #RencontresExport", "@spam@bad.example")
    event_wall_refresh(event=event)
    wall_item_update_hidden = WallItem.objects.get(author_handle="@spam@bad.example")
    return wall_item_update_hidden


def test_the_recap_counts_the_posts_published_on_each_network(
    camille, event, keynote, account, sky_account, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        live_post(membership=camille, event=event, text="Ouverture", accounts=[account, sky_account], session=keynote)
        live_post(membership=camille, event=event, text="Salle comble", accounts=[account], session=keynote)

    recap = event_recap(event)

    assert recap.published == 3
    assert recap.published_per_network == {"Fake network": 2, "Fake sky": 1}
    assert [post.kind for post in recap.posts] == [EventPostKind.LIVE, EventPostKind.LIVE]
    assert all(link.url.startswith("https://fake.example/") for post in recap.posts for link in post.links)


def test_the_recap_counts_the_audience_the_people_and_the_questions(camille, event, account):
    spam = _audience(event)
    wall_item_update(membership=camille, item=spam, hidden=True)
    starred = WallItem.objects.get(text__startswith="Quel budget")
    wall_item_update(membership=camille, item=starred, starred=True)

    recap = event_recap(event)

    assert (recap.wall_items, recap.contributors, recap.questions) == (3, 2, 2)
    assert [item.text for item in recap.top_questions] == [
        "Quel budget pour un premier salon ? #RencontresExport",
        "Et pour les TPE ? #RencontresExport",
    ]
    assert [(person.handle, person.count) for person in recap.most_active] == [
        ("@lea@social.example", 2),
        ("@karim@social.example", 1),
    ]


def test_our_own_posts_on_the_wall_are_not_counted_as_the_audience(event, account):
    say("Notre live #RencontresExport", account.handle)
    say("Un participant #RencontresExport", "@lea@social.example")
    event_wall_refresh(event=event)

    recap = event_recap(event)

    assert (recap.wall_items, recap.contributors) == (1, 1)


def test_the_markdown_recap_keeps_html_from_the_networks_as_text(event, account):
    say('<script>alert("x")</script> Super ? #RencontresExport', "@troll@bad.example")
    event_wall_refresh(event=event)

    markdown = recap_markdown(event_recap(event))

    assert "# Rencontres de l'export" in markdown
    assert "<script>" not in markdown
    assert "&lt;script&gt;" in markdown


def test_the_csv_recap_lists_every_post_and_defuses_formulas(camille, event, account):
    say('=HYPERLINK("https://evil.example") ? #RencontresExport', "@troll@bad.example")
    event_wall_refresh(event=event)
    live_post(membership=camille, event=event, text="Ouverture", accounts=[account])

    rows = list(csv.DictReader(io.StringIO(recap_csv(event_recap(event)))))

    assert [row["source"] for row in rows] == ["parvis", "audience"]
    assert rows[1]["text"].startswith("'=HYPERLINK")
    assert rows[1]["author"] == "@troll@bad.example"
    assert rows[1]["question"] == "yes"


def test_the_recap_post_thanks_the_audience_with_the_numbers_and_the_hashtag(camille, event, account):
    _audience(event)
    text = recap_suggestion(event_recap(event))

    post = event_recap_publish(membership=camille, event=event, text=text, accounts=[account])

    assert "Rencontres de l'export" in text
    assert text.count("#RencontresExport") == 1
    assert EventPost.objects.get(post=post).kind == EventPostKind.RECAP
