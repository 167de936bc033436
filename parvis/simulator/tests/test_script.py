"""The community's script: deterministic, varied, and labelled."""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from io import StringIO

import pytest
from django.core.management import call_command

from parvis.simulator import corpus
from parvis.simulator.records import Kind, Label
from parvis.simulator.script import CommunityScript, generate_records

ORG = "cci_demo"
XSS = '<script>alert("xss")</script>'


def records(seed: int = 42, steps: int = 200):
    return generate_records(seed=seed, steps=steps, org_handle=ORG)


def test_the_same_seed_gives_the_same_records():
    assert records(seed=7) == records(seed=7)


def test_different_seeds_give_different_records():
    assert [r.text for r in records(seed=1)] != [r.text for r in records(seed=2)]


def test_a_short_run_is_the_beginning_of_a_longer_one():
    assert records(steps=30) == records(steps=300)[:30]


def test_records_are_numbered_in_order():
    assert [r.index for r in records(steps=50)] == list(range(50))


def test_every_paraphrase_family_has_four_to_six_distinct_wordings():
    ids = [family.id for family in corpus.QUESTION_FAMILIES]
    assert len(ids) == len(set(ids))
    for family in corpus.QUESTION_FAMILIES:
        assert 4 <= len(family.wordings) <= 6, family.id
        assert len(set(family.wordings)) == len(family.wordings), family.id


@pytest.mark.parametrize("seed", [0, 1, 42, 2024])
def test_two_hundred_steps_hold_every_label(seed):
    labels = Counter(r.label for r in records(seed=seed))
    assert set(labels) == set(Label)
    assert labels[Label.QUESTION] >= 30
    assert labels[Label.SPAM] >= 5
    assert labels[Label.INSULT] >= 1


@pytest.mark.parametrize("seed", [0, 1, 42, 2024])
def test_some_question_is_asked_in_at_least_four_wordings_within_two_hundred_steps(seed):
    wordings = defaultdict(set)
    texts = defaultdict(set)
    for record in records(seed=seed):
        if record.family is not None:
            assert record.label == Label.QUESTION
            wordings[record.family].add(record.variant)
            texts[record.family].add(record.text)
    richest = max(wordings, key=lambda family: len(wordings[family]))
    assert len(wordings[richest]) >= 4
    assert len(texts[richest]) >= 4


def test_a_family_record_says_one_of_the_wordings_of_its_family():
    families = {family.id: family for family in corpus.QUESTION_FAMILIES}
    for record in records():
        if record.family is not None:
            wording = families[record.family].wordings[record.variant]
            assert wording[1:] in record.text, record  # the first letter may be lowered after "Bonjour,"


@pytest.mark.parametrize("seed", [0, 1, 42, 2024, 99])
def test_about_one_text_in_ten_is_in_english(seed):
    texts = [r for r in records(seed=seed, steps=500) if r.text]
    share = sum(r.language == "en" for r in texts) / len(texts)
    assert 0.05 <= share <= 0.16


@pytest.mark.parametrize("seed", range(10))
def test_the_hostile_message_with_a_script_tag_comes_early(seed):
    hostile = [r for r in records(seed=seed) if XSS in r.text]
    assert len(hostile) == 1
    assert hostile[0].index < 6
    assert hostile[0].label == Label.AGGRESSIVE
    assert hostile[0].kind == Kind.MENTION


@pytest.mark.parametrize("seed", range(10))
def test_an_insult_comes_within_the_first_sixty_one_actions(seed):
    assert any(r.label == Label.INSULT for r in records(seed=seed, steps=61))


def test_what_is_addressed_to_the_organisation_mentions_it():
    for record in records(steps=400):
        if record.kind in {Kind.MENTION, Kind.COMMENT, Kind.DIRECT}:
            assert f"@{ORG}" in record.text, record
        if record.kind in {Kind.FOLLOW, Kind.FAVOURITE}:
            assert record.text == ""


def test_a_reply_answers_an_earlier_public_post_of_someone_else_and_mentions_its_author():
    by_index = {r.index: r for r in records(steps=400)}
    replies = [r for r in by_index.values() if r.kind == Kind.REPLY]
    assert len(replies) >= 20
    for reply in replies:
        parent = by_index[reply.reply_to]
        assert parent.index < reply.index
        assert parent.persona != reply.persona
        assert parent.visibility == "public"
        assert reply.text.startswith(f"@{parent.persona} ")


def test_private_messages_are_direct_and_everything_else_public():
    for record in records(steps=400):
        if record.kind == Kind.DIRECT:
            assert record.visibility == "direct"
        elif record.text:
            assert record.visibility == "public"


def test_spam_comes_from_spammers_and_carries_a_link():
    spammers = {p.handle for p in corpus.SPAMMERS}
    spam = [r for r in records(steps=400) if r.label == Label.SPAM]
    assert spam
    for record in spam:
        assert record.persona in spammers
        assert "https://" in record.text
        assert ".example" in record.text


def test_a_persona_follows_the_organisation_once_at_most():
    follows = Counter(r.persona for r in records(steps=600) if r.kind == Kind.FOLLOW)
    assert follows
    assert max(follows.values()) == 1


def test_every_text_fits_in_a_mastodon_post():
    assert max(len(r.text) for r in records(steps=600)) <= 500


def test_personas_have_unique_valid_usernames():
    everyone = corpus.MEMBERS_FR + corpus.MEMBERS_EN + corpus.SPAMMERS + corpus.TROLLS
    handles = [p.handle for p in everyone]
    assert len(handles) == len(set(handles))
    assert all(re.fullmatch(r"[a-z0-9_]{1,30}", handle) for handle in handles)


def test_the_community_has_between_twenty_and_forty_people_by_default():
    script = CommunityScript(seed=3, org_handle=ORG)
    assert 20 <= len(script.personas) <= 40
    roles = Counter(p.role for p in script.personas)
    assert roles["spammer"] >= 2
    assert roles["troll"] >= 1


def test_a_community_size_out_of_range_is_refused():
    with pytest.raises(ValueError):
        CommunityScript(seed=1, org_handle=ORG, personas=3)


def test_the_org_handle_may_be_given_with_its_instance():
    assert records(steps=40) == generate_records(seed=42, steps=40, org_handle="@cci_demo@127.0.0.1:3000")


def test_records_serialise_to_plain_json():
    data = json.loads(json.dumps(records(steps=5)[0].as_dict()))
    assert set(data) >= {"index", "kind", "persona", "label", "text", "family", "language", "reply_to"}


def test_the_dry_run_command_prints_one_json_record_a_line():
    out = StringIO()
    call_command("simulate", "--dry-run", "--steps", "12", "--seed", "5", stdout=out)
    lines = out.getvalue().splitlines()
    assert len(lines) == 12
    assert [json.loads(line)["text"] for line in lines] == [r.text for r in records(seed=5, steps=12)]
