"""The demo's live event: seeded with the demo, running whenever the demo starts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from parvis.publishing.models import LiveEvent
from parvis.publishing.services.events import event_current_session
from parvis.simulator.corpus import DEMO_EVENT_HASHTAG, EVENT_SPEAKERS
from parvis.simulator.demo import demo_seed, demo_seed_event

pytestmark = pytest.mark.django_db


def seed():
    return demo_seed(instance_url="https://fake.example", access_token="org", network="fake")


def test_the_demo_has_a_live_event_running_now_covered_by_the_organisation():
    demo = seed()

    event = demo.event
    assert event is not None
    assert event.hashtag == DEMO_EVENT_HASHTAG
    assert event.phase() == "live"
    assert list(event.accounts.all()) == [demo.account]
    assert event_current_session(event=event) is not None


def test_the_running_session_has_a_speaker_with_a_mastodon_handle_and_prepared_posts():
    event = seed().event
    session = event_current_session(event=event)

    [speaker] = session.speakers.all()
    assert speaker.handles.get(network="mastodon").handle == f"@{EVENT_SPEAKERS[0].handle}"
    assert session.prepared_posts.count() >= 1


def test_seeding_again_keeps_one_event():
    seed()
    seed()

    assert LiveEvent.objects.filter(hashtag=DEMO_EVENT_HASHTAG).count() == 1


def test_a_demo_started_the_next_day_moves_the_event_to_the_current_time():
    demo = seed()
    tomorrow = timezone.now() + timedelta(days=1)

    event = demo_seed_event(membership=demo.community_manager, account=demo.account, now=tomorrow)

    event.refresh_from_db()
    assert event.phase(tomorrow) == "live"
    assert event_current_session(event=event, now=tomorrow) is not None
