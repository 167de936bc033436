"""Preparing an event: its times in the workspace's zone, its hashtag, speakers and their handles."""

from __future__ import annotations

import pytest

from parvis.core.permissions import PermissionDenied
from parvis.publishing.models import LiveEvent, Post, SpeakerHandle
from parvis.publishing.services.events import (
    EventError,
    event_create,
    event_delete,
    live_post,
    prepared_post_create,
    session_create,
    speaker_create,
    speaker_update,
)
from parvis.publishing.tests.events.conftest import paris, utc


def test_naive_times_are_read_in_the_workspace_time_zone(event):
    assert event.starts_at == utc(7)
    assert event.ends_at == utc(16)


def test_the_hashtag_is_stored_without_its_hash(event):
    assert event.hashtag == "RencontresExport"
    assert event.tag == "#RencontresExport"


@pytest.mark.parametrize("hashtag", ["#Rencontres Export", "#2026", "#", "#salon-pro"])
def test_a_hashtag_that_networks_would_not_link_is_refused(camille, hashtag):
    with pytest.raises(EventError):
        event_create(membership=camille, name="Salon", hashtag=hashtag, starts_at=paris(9), ends_at=paris(18))


def test_an_event_ending_before_it_starts_is_refused(camille):
    with pytest.raises(EventError):
        event_create(membership=camille, name="Salon", hashtag="Salon", starts_at=paris(18), ends_at=paris(9))


def test_a_session_ending_before_it_starts_is_refused(camille, event):
    with pytest.raises(EventError):
        session_create(membership=camille, event=event, title="Atelier", starts_at=paris(11), ends_at=paris(10))


def test_an_analyst_cannot_prepare_an_event(nadia):
    with pytest.raises(PermissionDenied):
        event_create(membership=nadia, name="Salon", hashtag="Salon", starts_at=paris(9), ends_at=paris(18))


def test_a_contributor_can_prepare_the_programme(theo, event):
    session = session_create(membership=theo, event=event, title="Atelier", starts_at=paris(14), ends_at=paris(15))

    assert session.event == event


def test_an_event_of_another_workspace_cannot_be_changed(oscar, event):
    with pytest.raises(PermissionError):
        session_create(membership=oscar, event=event, title="Intrus", starts_at=paris(14), ends_at=paris(15))


def test_a_speaker_keeps_one_handle_per_network(camille, helene):
    speaker_update(
        membership=camille,
        speaker=helene,
        name="Hélène Carpentier",
        organisation="Export Rhône",
        handles={"fake": "@helene_export", "fakesky": ""},
    )

    assert list(SpeakerHandle.objects.filter(speaker=helene).values_list("network", "handle")) == [
        ("fake", "@helene_export")
    ]


def test_a_handle_on_an_unknown_network_is_refused(camille, event):
    with pytest.raises(EventError):
        speaker_create(membership=camille, event=event, name="Paul", handles={"myspace": "@paul"})


def test_a_session_cannot_take_a_speaker_of_another_event(camille, event, helene):
    other = event_create(membership=camille, name="Autre", hashtag="Autre", starts_at=paris(9), ends_at=paris(18))

    with pytest.raises(PermissionError):
        session_create(
            membership=camille, event=other, title="Atelier", starts_at=paris(9), ends_at=paris(10), speakers=[helene]
        )


def test_prepared_posts_keep_the_order_they_were_written_in(camille, event, keynote):
    first = prepared_post_create(membership=camille, event=event, session=keynote, text="Premier")
    second = prepared_post_create(membership=camille, event=event, session=keynote, text="Second")

    assert (first.position, second.position) == (0, 1)


def test_deleting_an_event_keeps_its_posts(camille, event, account):
    post = live_post(membership=camille, event=event, text="Salle comble", accounts=[account])

    event_delete(membership=camille, event=event)

    assert not LiveEvent.objects.filter(pk=event.pk).exists()
    assert Post.objects.filter(pk=post.pk).exists()
