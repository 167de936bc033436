"""The live wall: everyone's posts with the hashtag, read from the networks that can search, stored once."""

from __future__ import annotations

from datetime import timedelta

import pytest

from parvis.core.permissions import PermissionDenied
from parvis.networks.connectors.fake.connector import FakeConnector
from parvis.networks.errors import RateLimited
from parvis.networks.tests.factories import AuthorFactory, NetworkEventFactory
from parvis.publishing.models import LiveEvent, WallItem
from parvis.publishing.services.events import (
    WALL_REFRESH_SECONDS,
    event_questions,
    event_wall_refresh,
    wall_item_list,
    wall_item_update,
)
from parvis.publishing.tests.events.conftest import PageConnector, utc


def say(text, *, at=None, handle=None, external_id=None):
    """Someone posts on the fake network (its public posts are its inbox)."""
    options = {"text": text, "occurred_at": at or utc(8)}
    if handle is not None:
        options["author"] = AuthorFactory(handle=handle)
    if external_id is not None:
        options["external_id"] = external_id
    FakeConnector.inbox.append(NetworkEventFactory(**options))


def test_posts_with_the_hashtag_reach_the_wall(event, account):
    say("Salle comble pour l'ouverture #RencontresExport")
    say("Rien à voir avec l'événement")
    say("Un autre salon #RencontresExport2025")

    report = event_wall_refresh(event=event)

    assert (report.searched, report.added, report.errors) == (1, 1, [])
    assert [item.text for item in wall_item_list(event)] == ["Salle comble pour l'ouverture #RencontresExport"]
    assert WallItem.objects.get().account == account


def test_refreshing_again_stores_nothing_twice(event, account):
    say("Bravo ! #RencontresExport", external_id="status-1")
    event_wall_refresh(event=event)
    event.wall_cursors = {}  # as if the cursor had been lost: the network sends everything again
    LiveEvent.objects.filter(pk=event.pk).update(wall_cursors={})

    again = event_wall_refresh(event=event, force=True)

    assert again.added == 0
    assert WallItem.objects.count() == 1


def test_the_cursor_brings_only_what_is_new(event, account):
    say("Premier #RencontresExport")
    event_wall_refresh(event=event)
    say("Deuxième #RencontresExport")

    report = event_wall_refresh(event=event, force=True)

    assert report.added == 1
    assert WallItem.objects.count() == 2


def test_the_wall_is_read_at_most_every_fifteen_seconds(event, account):
    first = event_wall_refresh(event=event, now=utc(8))
    say("Trop tôt #RencontresExport")

    soon = event_wall_refresh(event=event, now=utc(8) + timedelta(seconds=WALL_REFRESH_SECONDS - 1))
    later = event_wall_refresh(event=event, now=utc(8) + timedelta(seconds=WALL_REFRESH_SECONDS))

    assert (first.skipped, soon.skipped, later.skipped) == (False, True, False)
    assert later.added == 1


def test_posts_by_the_workspace_accounts_are_marked_as_our_own(event, account):
    say("Notre live post #RencontresExport", handle=account.handle)
    say("Un participant #RencontresExport")

    event_wall_refresh(event=event)

    assert dict(WallItem.objects.values_list("text", "own")) == {
        "Notre live post #RencontresExport": True,
        "Un participant #RencontresExport": False,
    }


def test_a_post_is_filed_under_the_session_running_when_it_was_posted(event, keynote, round_table, account):
    say("Pendant la keynote #RencontresExport", at=utc(8))
    say("Pendant la table ronde #RencontresExport", at=utc(9, 30))
    say("Au déjeuner #RencontresExport", at=utc(10, 30))

    event_wall_refresh(event=event)

    sessions = dict(WallItem.objects.values_list("text", "session"))
    assert sessions == {
        "Pendant la keynote #RencontresExport": keynote.pk,
        "Pendant la table ronde #RencontresExport": round_table.pk,
        "Au déjeuner #RencontresExport": None,
    }


def test_a_network_error_is_shown_and_nothing_is_lost(event, account):
    say("Pendant la panne #RencontresExport")
    FakeConnector.fail_next.append(RateLimited("Slow down", retry_after=30))

    failed = event_wall_refresh(event=event)
    event.refresh_from_db()
    error = event.wall_error
    recovered = event_wall_refresh(event=event, force=True)

    assert failed.errors and "Slow down" in failed.errors[0]
    assert "Slow down" in error
    assert recovered.added == 1


def test_networks_that_cannot_search_are_not_asked(event, page_account, monkeypatch):
    def refuse(*args):
        raise AssertionError("a network without search was asked")

    monkeypatch.setattr(PageConnector, "search", refuse)

    report = event_wall_refresh(event=event)

    assert (report.searched, report.errors) == (1, [])  # the "fake" account only


def test_two_accounts_on_the_same_instance_are_searched_once(camille, event, account):
    from parvis.networks.tests.factories import ConnectedAccountFactory

    ConnectedAccountFactory(workspace=camille.workspace, handle="@cci_emploi")

    assert event_wall_refresh(event=event).searched == 1


def test_questions_are_recognised_on_the_wall(event, account):
    say("Quelle aide pour exporter au Canada ? #RencontresExport")
    say("Bravo aux intervenants #RencontresExport")

    event_wall_refresh(event=event)

    assert dict(WallItem.objects.values_list("text", "is_question")) == {
        "Quelle aide pour exporter au Canada ? #RencontresExport": True,
        "Bravo aux intervenants #RencontresExport": False,
    }


def test_starring_a_post_puts_it_first_in_the_questions_for_the_speakers(camille, event, keynote, account):
    say("Et pour les TPE ? #RencontresExport", at=utc(7, 40))
    say("Il faut un VIE, pour ça ? #RencontresExport", at=utc(7, 50))
    event_wall_refresh(event=event)
    second = WallItem.objects.get(text__startswith="Il faut")

    wall_item_update(membership=camille, item=second, starred=True)

    [group] = event_questions(event)
    assert group.session == keynote
    assert [item.text for item in group.questions] == [
        "Il faut un VIE, pour ça ? #RencontresExport",
        "Et pour les TPE ? #RencontresExport",
    ]
    assert [item.starred for item in group.questions] == [True, False]


def test_a_starred_post_becomes_a_question(camille, event, account):
    say("Merci pour la démo #RencontresExport")
    event_wall_refresh(event=event)

    item = wall_item_update(membership=camille, item=WallItem.objects.get(), starred=True)

    assert (item.starred, item.is_question) == (True, True)


def test_hidden_posts_leave_the_wall_and_the_questions(camille, event, account):
    say("Achetez des abonnés ? https://spam.example #RencontresExport")
    event_wall_refresh(event=event)

    wall_item_update(membership=camille, item=WallItem.objects.get(), hidden=True)

    assert wall_item_list(event) == []
    assert event_questions(event) == []


def test_an_analyst_cannot_star_a_question(nadia, event, account):
    say("Une question ? #RencontresExport")
    event_wall_refresh(event=event)

    with pytest.raises(PermissionDenied):
        wall_item_update(membership=nadia, item=WallItem.objects.get(), starred=True)
