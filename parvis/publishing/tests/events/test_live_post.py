"""Posting live: published now, on each account its own variant, linked to the event and its session."""

from __future__ import annotations

import pytest

from parvis.core.permissions import PermissionDenied
from parvis.networks.connectors.fake.connector import FakeConnector
from parvis.publishing.models import Delivery, EventPost, EventPostKind, PostStage
from parvis.publishing.services.events import EventError, live_post, prepared_post_create
from parvis.publishing.services.posts import CompositionError
from parvis.publishing.tests.events.conftest import utc


def test_a_live_post_goes_out_now_with_the_hashtag_and_the_speaker(
    camille, event, keynote, account, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        live_post(membership=camille, event=event, text="« Exporter, c'est écouter »", accounts=[account], now=utc(8))

    assert [request.text for request in FakeConnector.published] == [
        "« Exporter, c'est écouter » @helene_c #RencontresExport"
    ]


def test_each_network_gets_its_own_variant(camille, event, keynote, account, sky_account):
    post = live_post(
        membership=camille, event=event, text="Salle comble", accounts=[account, sky_account], session=keynote
    )

    texts = dict(Delivery.objects.filter(post=post).values_list("account__network", "text"))
    assert texts == {
        "fake": "Salle comble @helene_c #RencontresExport",
        "fakesky": "Salle comble @helene.sky.example #RencontresExport",
    }
    assert post.stage == PostStage.RELEASED


def test_a_live_post_belongs_to_the_session_running_when_it_was_written(camille, event, keynote, account):
    post = live_post(membership=camille, event=event, text="C'est parti", accounts=[account], now=utc(8))

    link = EventPost.objects.get(post=post)
    assert (link.event, link.session, link.kind) == (event, keynote, EventPostKind.LIVE)


def test_outside_any_session_a_live_post_has_the_hashtag_only(camille, event, keynote, account):
    post = live_post(membership=camille, event=event, text="Pause déjeuner", accounts=[account], now=utc(11))

    assert Delivery.objects.get(post=post).text == "Pause déjeuner #RencontresExport"
    assert EventPost.objects.get(post=post).session is None


def test_a_prepared_post_used_live_is_marked_used(camille, event, keynote, account):
    prepared = prepared_post_create(membership=camille, event=event, session=keynote, text="{speaker} monte sur scène")

    post = live_post(
        membership=camille, event=event, text=prepared.text, accounts=[account], session=keynote, prepared=prepared
    )

    prepared.refresh_from_db()
    assert prepared.used_at is not None
    assert prepared.post == post
    assert Delivery.objects.get(post=post).text == "@helene_c monte sur scène #RencontresExport"


def test_a_contributor_cannot_post_live(theo, event, account):
    with pytest.raises(PermissionDenied):
        live_post(membership=theo, event=event, text="Salle comble", accounts=[account])


def test_an_empty_live_post_is_refused(camille, event, account):
    with pytest.raises(EventError):
        live_post(membership=camille, event=event, text="  ", accounts=[account])


def test_a_live_post_too_long_for_a_network_is_refused_before_anything_is_written(camille, event, account):
    with pytest.raises(CompositionError):
        live_post(membership=camille, event=event, text="x" * 300, accounts=[account])

    assert not EventPost.objects.exists()


def test_a_live_post_cannot_use_an_account_of_another_workspace(camille, event, oscar):
    from parvis.networks.tests.factories import ConnectedAccountFactory

    foreign = ConnectedAccountFactory(workspace=oscar.workspace)

    with pytest.raises(PermissionError):
        live_post(membership=camille, event=event, text="Salle comble", accounts=[foreign])
