"""Counting as Bluesky counts, facets at the right UTF-8 byte offsets, record keys from idempotency keys."""

from __future__ import annotations

import re

import pytest

from parvis.networks.connectors.bluesky.connector import BlueskyConnector
from parvis.networks.connectors.bluesky.richtext import (
    build_facets,
    count_graphemes,
    expand_links,
    mentioned_handles,
    record_key,
    tid_decode,
    tid_encode,
)

TID = re.compile(r"^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$")


def _spans(text: str, facets: list[dict]) -> list[tuple[str, dict]]:
    data = text.encode("utf-8")
    return [(data[f["index"]["byteStart"] : f["index"]["byteEnd"]].decode("utf-8"), f["features"][0]) for f in facets]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Bonjour", 7),
        ("café", 4),  # é as one code point
        ("cafe\u0301", 4),  # e + combining acute accent: still one character
        ("👩‍👩‍👧", 1),  # a family: five code points joined
        ("🇫🇷🇧🇪", 2),  # two flags, four regional indicators
        ("👍🏽", 1),  # skin tone modifier
        ("", 0),
    ],
)
def test_characters_are_counted_as_graphemes(text: str, expected: int) -> None:
    assert count_graphemes(text) == expected
    assert BlueskyConnector().count_characters(text) == expected


def test_capabilities_say_graphemes_and_300() -> None:
    capabilities = BlueskyConnector.capabilities
    assert capabilities.counting == "graphemes"
    assert capabilities.max_characters == 300
    assert capabilities.max_media == 4
    assert capabilities.idempotent_publish and capabilities.read_back and capabilities.search


def test_facets_use_utf8_byte_offsets_after_accents_and_emoji() -> None:
    text = "Été 🎉 à Lyon avec @alice.test : #Fête2026 → https://exemple.fr/été?x=1."
    facets = build_facets(text, {"alice.test": "did:plc:alice"}.get)

    spans = _spans(text, facets)

    assert spans == [
        ("@alice.test", {"$type": "app.bsky.richtext.facet#mention", "did": "did:plc:alice"}),
        ("#Fête2026", {"$type": "app.bsky.richtext.facet#tag", "tag": "Fête2026"}),
        ("https://exemple.fr/été?x=1", {"$type": "app.bsky.richtext.facet#link", "uri": "https://exemple.fr/été?x=1"}),
    ]
    mention = facets[0]["index"]
    assert mention["byteStart"] == len("Été 🎉 à Lyon avec ".encode()) == text.index("@") + 6


def test_a_mention_that_does_not_resolve_stays_plain_text() -> None:
    text = "Merci @personne.test et @alice.test"
    asked: list[str] = []

    def resolve(handle: str) -> str | None:
        asked.append(handle)
        return "did:plc:alice" if handle == "alice.test" else None

    facets = build_facets(text, resolve)

    assert _spans(text, facets) == [
        ("@alice.test", {"$type": "app.bsky.richtext.facet#mention", "did": "did:plc:alice"})
    ]
    assert asked == ["personne.test", "alice.test"]


def test_each_handle_is_resolved_once_and_mentions_are_case_insensitive() -> None:
    text = "@Alice.test @alice.test"
    calls: list[str] = []

    facets = build_facets(text, lambda handle: calls.append(handle) or "did:plc:alice")

    assert calls == ["alice.test"]
    assert len(facets) == 2
    assert mentioned_handles(text) == ["alice.test"]


def test_bare_domains_become_https_links_and_trailing_punctuation_stays_out() -> None:
    text = "Voir parvis.fr, ou (https://a.example/x)."
    spans = _spans(text, build_facets(text, lambda handle: None))
    assert spans == [
        ("parvis.fr", {"$type": "app.bsky.richtext.facet#link", "uri": "https://parvis.fr"}),
        ("https://a.example/x", {"$type": "app.bsky.richtext.facet#link", "uri": "https://a.example/x"}),
    ]


def test_a_shortened_link_reads_as_its_full_address_in_plain_text() -> None:
    text = "Voir parvis.example/prog… et le plan ici"
    data = text.encode()
    start = data.index(b"parvis")
    end = start + len("parvis.example/prog…".encode())
    here = data.index(b"ici")
    facets = [
        {
            "index": {"byteStart": start, "byteEnd": end},
            "features": [{"$type": "app.bsky.richtext.facet#link", "uri": "https://parvis.example/programme"}],
        },
        {
            "index": {"byteStart": here, "byteEnd": here + 3},
            "features": [{"$type": "app.bsky.richtext.facet#link", "uri": "https://parvis.example/plan"}],
        },
        {
            "index": {"byteStart": 0, "byteEnd": 999},
            "features": [{"$type": "app.bsky.richtext.facet#link", "uri": "https://out.of/range"}],
        },
    ]

    assert expand_links(text, facets) == (
        "Voir https://parvis.example/programme et le plan ici (https://parvis.example/plan)"
    )


def test_the_record_key_of_an_idempotency_key_is_a_valid_tid_and_always_the_same() -> None:
    first = record_key("4f1c2e0e8d2b4b0f9a1e6f7d5c3b2a10")
    again = record_key("4f1c2e0e8d2b4b0f9a1e6f7d5c3b2a10")
    other = record_key("4f1c2e0e8d2b4b0f9a1e6f7d5c3b2a11")

    assert first == again
    assert first != other
    assert TID.match(first) and TID.match(other)
    microseconds = tid_decode(first) >> 10
    assert 1_704_067_200_000_000 <= microseconds < 1_704_067_200_000_000 + 2**45  # 2024-2025: never in the future


def test_tids_encode_and_decode_back() -> None:
    assert tid_encode(0) == "2222222222222"
    assert tid_decode(tid_encode(2**62 + 12345)) == 2**62 + 12345
    with pytest.raises(ValueError):
        tid_decode("not-a-tid")
