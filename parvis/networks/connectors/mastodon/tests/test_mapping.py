"""Pure mapping rules, no server: Mastodon payloads to events, character counting, mentions, rate-limit headers."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from parvis.networks.connectors.mastodon.client import instance_host, retry_after_seconds
from parvis.networks.connectors.mastodon.connector import (
    IGNORED_TYPES,
    MastodonConnector,
    event_for,
    mention_for,
    with_mention,
)
from parvis.networks.connectors.mastodon.forms import normalise_instance_url
from parvis.networks.connectors.mastodon.schemas import MastodonNotification, PayloadError
from parvis.networks.connectors.mastodon.tests.conftest import FIXTURES
from parvis.networks.protocol import ActionKind, EventKind

HOST = "mastodon.example"


@pytest.fixture
def recorded() -> dict[str, Any]:
    """A mention as mastodon.social-style servers send it: HTML content, a remote author."""
    loaded: dict[str, Any] = json.loads((FIXTURES / "mention_notification.json").read_text())
    return loaded


def test_html_content_becomes_plain_text_without_markup_or_scripts(recorded: dict[str, Any]) -> None:
    event = event_for(MastodonNotification.from_api(recorded), own_id="1", host=HOST)

    assert event is not None
    assert event.text == (
        "@cci Bonjour ! Les inscriptions sont-elles ouvertes ? https://cci.example/atelier\n\nMerci & bonne journée"
    )


def test_a_remote_author_keeps_the_domain_of_their_own_instance(recorded: dict[str, Any]) -> None:
    event = event_for(MastodonNotification.from_api(recorded), own_id="1", host=HOST)

    assert event is not None and event.author is not None
    assert event.author.external_id == "lea@piaille.fr"
    assert event.author.handle == "@lea@piaille.fr"
    assert event.author.display_name == "Léa Martin"
    assert event.occurred_at == datetime(2025, 3, 14, 9, 26, 52, 118000, tzinfo=UTC)


def test_a_mention_answering_our_account_is_a_reply_threaded_on_the_answered_status(recorded: dict[str, Any]) -> None:
    event = event_for(MastodonNotification.from_api(recorded), own_id="42", host=HOST)

    assert event is not None
    assert event.kind == EventKind.REPLY
    assert event.thread_key == "113829000001"
    assert event.in_reply_to_id == "113829000001"


def test_a_content_warning_is_kept_in_front_of_the_text(recorded: dict[str, Any]) -> None:
    recorded["status"]["spoiler_text"] = "Politics"

    event = event_for(MastodonNotification.from_api(recorded), own_id="1", host=HOST)

    assert event is not None
    assert event.text.startswith("Politics\n\n@cci Bonjour")


@pytest.mark.parametrize("kind", sorted(IGNORED_TYPES))
def test_ignored_notification_types_make_no_event(recorded: dict[str, Any], kind: str) -> None:
    recorded["type"] = kind

    assert event_for(MastodonNotification.from_api(recorded), own_id="1", host=HOST) is None


def test_an_unknown_notification_type_is_skipped_with_a_warning(
    recorded: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    recorded["type"] = "brand_new_type"

    assert event_for(MastodonNotification.from_api(recorded), own_id="1", host=HOST) is None
    assert "brand_new_type" in caplog.text


def test_a_mention_whose_status_was_deleted_is_skipped(recorded: dict[str, Any]) -> None:
    recorded["status"] = None

    assert event_for(MastodonNotification.from_api(recorded), own_id="1", host=HOST) is None


def test_a_notification_without_an_id_is_a_payload_error(recorded: dict[str, Any]) -> None:
    broken = copy.deepcopy(recorded)
    del broken["id"]

    with pytest.raises(PayloadError):
        MastodonNotification.from_api(broken)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Bonjour", 7),
        ("https://example.org/a/very/long/path/that/goes/on?and=on", 23),
        ("Read https://example.org/x.", 5 + 23 + 1),
        ("@lea@piaille.fr merci", len("@lea merci")),
        ("email me@example.org", len("email me@example.org")),
        ("e\u0301t\u00e9", 3),  # a combining accent does not count
        ("👩‍👩‍👧", 1),  # a family joined by zero-width joiners
        ("🇫🇷", 1),  # a flag is two regional indicators
        ("👍🏽", 1),  # a skin-tone modifier
    ],
)
def test_characters_are_counted_the_way_mastodon_counts_them(text: str, expected: int) -> None:
    assert MastodonConnector().count_characters(text) == expected


def test_capabilities_are_declared_as_data() -> None:
    capabilities = MastodonConnector.capabilities

    assert capabilities.max_characters == 500
    assert capabilities.link_length == 23
    assert capabilities.max_media == 4
    assert "image/webp" in capabilities.media_types
    assert capabilities.alt_text_max == 1500
    assert capabilities.actions == {
        ActionKind.PUBLISH,
        ActionKind.REPLY,
        ActionKind.FAVOURITE,
        ActionKind.DELETE,
        ActionKind.FOLLOW,
        ActionKind.BLOCK,
        ActionKind.UNBLOCK,
        ActionKind.MUTE,
        ActionKind.UNMUTE,
        ActionKind.SEND_DIRECT,
        ActionKind.REPORT,
    }
    assert ActionKind.HIDE not in capabilities.actions and not capabilities.delete_others
    assert capabilities.direct_messages and capabilities.oauth and capabilities.token_paste
    assert capabilities.streaming


@pytest.mark.parametrize(
    ("handle", "expected"),
    [
        ("@bob@mastodon.example", "@bob"),
        ("@lea@piaille.fr", "@lea@piaille.fr"),
        ("bob", "@bob"),
    ],
)
def test_people_of_the_same_instance_are_mentioned_without_the_domain(handle: str, expected: str) -> None:
    assert mention_for(handle, HOST) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Merci !", "@lea@piaille.fr Merci !"),
        ("Merci @lea@piaille.fr !", "Merci @lea@piaille.fr !"),
        ("Merci @LEA@piaille.fr !", "Merci @LEA@piaille.fr !"),
        ("Merci @lea !", "@lea@piaille.fr Merci @lea !"),  # another lea, of our own instance
    ],
)
def test_a_reply_mentions_its_author_once(text: str, expected: str) -> None:
    assert with_mention(text, "@lea@piaille.fr", own_handle="@cci@mastodon.example", host=HOST) == expected


def test_a_reply_to_ourselves_mentions_nobody() -> None:
    assert with_mention("Part 2", "@cci@mastodon.example", own_handle="@cci@mastodon.example", host=HOST) == "Part 2"


def test_retry_after_as_an_http_date_is_read() -> None:
    now = datetime(2025, 1, 1, 12, 0, tzinfo=UTC)
    later = format_datetime(datetime(2025, 1, 1, 12, 1, 30, tzinfo=UTC), usegmt=True)

    assert retry_after_seconds({"Retry-After": later}, now=now.timestamp()) == 90


def test_a_reset_time_in_the_past_means_no_wait() -> None:
    assert retry_after_seconds({"X-RateLimit-Reset": "2000-01-01T00:00:00Z"}) == 0


def test_unreadable_rate_limit_headers_say_nothing() -> None:
    assert retry_after_seconds({"Retry-After": "soon", "X-RateLimit-Reset": "tomorrow"}) is None


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://mastodon.social", "mastodon.social"),
        ("https://mastodon.social:443", "mastodon.social"),
        ("http://127.0.0.1:3000", "127.0.0.1:3000"),
    ],
)
def test_the_instance_host_carries_the_port_only_when_it_is_not_the_default(url: str, expected: str) -> None:
    assert instance_host(url) == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("mastodon.social", "https://mastodon.social"),
        ("  https://Mastodon.Social/@cci  ", "https://mastodon.social"),
        ("https://mastodon.social:443/", "https://mastodon.social"),
        ("http://127.0.0.1:3000", "http://127.0.0.1:3000"),
    ],
)
def test_instance_addresses_are_normalised(typed: str, expected: str) -> None:
    assert normalise_instance_url(typed) == expected


@pytest.mark.parametrize("typed", ["ftp://mastodon.social", "https://user:pass@mastodon.social", "https://", ""])
def test_instance_addresses_that_are_not_web_servers_are_refused(typed: str) -> None:
    with pytest.raises(ValidationError):
        normalise_instance_url(typed)
