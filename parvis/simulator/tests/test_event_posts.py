"""The community live-tweets the demo's event: posts with its hashtag, deterministic, some from the speakers."""

from __future__ import annotations

from collections import Counter

import pytest

from parvis.simulator import corpus
from parvis.simulator.records import Kind, Label
from parvis.simulator.runner import CommunityRunner
from parvis.simulator.script import generate_records

ORG = "cci_demo"
TAG = "#RencontresCCI"


def records(seed: int = 42, steps: int = 300, hashtag: str | None = "RencontresCCI"):
    return generate_records(seed=seed, steps=steps, org_handle=ORG, event_hashtag=hashtag)


def event_posts(seed: int = 42, steps: int = 300):
    return [record for record in records(seed=seed, steps=steps) if record.kind == Kind.EVENT_POST]


def test_without_an_event_nobody_posts_about_one():
    assert not any(record.kind == Kind.EVENT_POST for record in records(hashtag=None))


def test_without_an_event_the_script_is_the_one_it_always_was():
    assert records(hashtag=None) == generate_records(seed=42, steps=300, org_handle=ORG)


@pytest.mark.parametrize("seed", [0, 1, 42])
def test_with_an_event_about_a_third_of_the_actions_are_posts_with_its_hashtag(seed):
    share = len(event_posts(seed=seed)) / 300
    assert 0.2 <= share <= 0.4


def test_the_same_seed_gives_the_same_event_posts():
    assert event_posts(seed=7) == event_posts(seed=7)


def test_every_event_post_is_public_and_carries_the_hashtag_once():
    for record in event_posts():
        assert record.visibility == "public"
        assert record.text.count(TAG) == 1, record
        assert len(record.text) <= 500


def test_the_audience_asks_the_speakers_questions():
    questions = [record for record in event_posts() if record.label == Label.QUESTION]
    assert len(questions) >= 20
    assert all("?" in record.text for record in questions)
    speakers = {f"@{persona.handle}" for persona in corpus.EVENT_SPEAKERS}
    assert any(any(speaker in record.text for speaker in speakers) for record in questions)


def test_the_speakers_post_now_and_then():
    authors = Counter(record.persona for record in event_posts(steps=600))
    assert any(authors[persona.handle] for persona in corpus.EVENT_SPEAKERS)


def test_the_hostile_message_and_the_insult_still_come_early_with_an_event():
    texts = records(steps=61)
    assert any("<script>" in record.text for record in texts[:6])
    assert any(record.label == Label.INSULT for record in texts)


@pytest.mark.network
def test_the_event_posts_reach_the_hashtag_timeline_of_the_server(mastodon_server):
    org = mastodon_server.create_account(ORG)
    runner = CommunityRunner(
        server_url=mastodon_server.base_url, org_handle=ORG, seed=42, pace=0, personas=20, event_hashtag=TAG
    )
    runner.setup()
    outcomes = list(runner.iter_play(steps=30))

    assert all(outcome.ok for outcome in outcomes)
    posted = {outcome.status_id for outcome in outcomes if outcome.record.kind == Kind.EVENT_POST}
    timeline = mastodon_server.client(org).timeline_hashtag("RencontresCCI", limit=40)
    assert posted
    assert posted == {str(status["id"]) for status in timeline}
