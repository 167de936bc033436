"""What goes out on each network: the hashtag once, the speakers as that network mentions them."""

from __future__ import annotations

import pytest

from parvis.publishing.services.events import (
    has_hashtag,
    live_preview,
    looks_like_question,
    render_for_network,
    speaker_create,
)


def test_the_hashtag_is_added_at_the_end(event):
    text = render_for_network(text="La salle est comble", event=event, network="fake")

    assert text == "La salle est comble #RencontresExport"


@pytest.mark.parametrize(
    "text",
    ["#RencontresExport : la salle est comble", "La salle est comble #rencontresexport", "Au {hashtag}, salle comble"],
)
def test_the_hashtag_is_never_written_twice(event, text):
    rendered = render_for_network(text=text, event=event, network="fake")

    assert rendered.lower().count("#rencontresexport") == 1


def test_a_longer_tag_starting_like_the_hashtag_does_not_count_as_it(event):
    assert not has_hashtag("Souvenirs de #RencontresExport2025", "RencontresExport")
    assert render_for_network(text="Souvenirs de #RencontresExport2025", event=event, network="fake").endswith(
        " #RencontresExport"
    )


def test_the_current_speaker_is_mentioned_with_the_handle_of_each_network(event, keynote, other_networks):
    on_fake = render_for_network(text="Exporter, c'est d'abord écouter", event=event, network="fake", session=keynote)
    on_sky = render_for_network(text="Exporter, c'est d'abord écouter", event=event, network="fakesky", session=keynote)

    assert on_fake == "Exporter, c'est d'abord écouter @helene_c #RencontresExport"
    assert on_sky == "Exporter, c'est d'abord écouter @helene.sky.example #RencontresExport"


def test_a_speaker_already_mentioned_is_not_mentioned_again(event, keynote):
    text = render_for_network(text="Merci @helene_c !", event=event, network="fake", session=keynote)

    assert text == "Merci @helene_c ! #RencontresExport"


def test_the_speaker_placeholder_takes_the_place_of_the_mention(event, keynote):
    text = render_for_network(text="{speaker} : « Osez l'export »", event=event, network="fake", session=keynote)

    assert text == "@helene_c : « Osez l'export » #RencontresExport"


def test_a_network_without_mentions_gets_the_speaker_name(event, keynote, other_networks):
    named = render_for_network(text="{speaker} ouvre la journée", event=event, network="fakepage", session=keynote)
    plain = render_for_network(text="La journée commence", event=event, network="fakepage", session=keynote)

    assert named == "Hélène Carpentier ouvre la journée #RencontresExport"
    assert plain == "La journée commence #RencontresExport"


def test_a_speaker_without_a_handle_on_the_network_is_not_added(camille, event, keynote):
    paul = speaker_create(membership=camille, event=event, name="Paul Morel", handles={"fakesky": "paul.sky.example"})
    keynote.speakers.add(paul)

    text = render_for_network(text="Débat animé", event=event, network="fake", session=keynote)

    assert text == "Débat animé @helene_c #RencontresExport"


def test_speakers_can_be_left_out(event, keynote):
    text = render_for_network(text="Pause café", event=event, network="fake", session=keynote, mention_speakers=False)

    assert text == "Pause café #RencontresExport"


def test_the_placeholders_of_a_prepared_post_are_filled(event, keynote):
    text = render_for_network(
        text="{session} en {room} avec {speaker}, au programme de {event} {hashtag}",
        event=event,
        network="fake",
        session=keynote,
    )

    assert text == (
        "Exporter en 2026 en Grand amphi avec @helene_c, au programme de Rencontres de l'export #RencontresExport"
    )


def test_other_braces_are_left_as_they_are(event):
    text = render_for_network(text="{event.__class__} {0} {unknown}", event=event, network="fake")

    assert text == "{event.__class__} {0} {unknown} #RencontresExport"


def test_the_live_counter_counts_each_network_variant(event, keynote, account, sky_account):
    [fake, sky] = live_preview(event=event, session=keynote, text="Salle comble", accounts=[account, sky_account])

    assert fake.text == "Salle comble @helene_c #RencontresExport"
    assert (fake.count, fake.limit) == (len(fake.text), 280)
    assert sky.text == "Salle comble @helene.sky.example #RencontresExport"
    assert sky.limit == 300


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Quelle place pour les PME à l'export ?", True),
        ("Une question pour @helene_c\uff1f", True),
        ("Le replay est ici https://cci.example/replay?id=4", False),
        ("Bravo pour cette table ronde", False),
    ],
)
def test_questions_are_told_from_other_posts(text, expected):
    assert looks_like_question(text) is expected
