"""Texts for the networks: placeholders, the hashtag once, speakers as each network mentions them."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils import translation
from django.utils.formats import date_format

from parvis.networks.models import ConnectedAccount
from parvis.networks.registry import UnknownNetwork, get_connector
from parvis.publishing.models import EventSession, LiveEvent, Speaker, normalise_hashtag
from parvis.publishing.services.events.common import capabilities_of

# Placeholders are replaced from these fixed lists, never with str.format on a user's text.
_PLACEHOLDER_RE = re.compile(r"\{(hashtag|speaker|session|room|event)\}")
_ANNOUNCEMENT_RE = re.compile(r"\{(event|date|time|place|hashtag)\}")
_URL_RE = re.compile(r"https?://\S+", re.IGNORECASE)
_SPACES_RE = re.compile(r"[ \t]{2,}")  # line breaks are kept


def speaker_mention(speaker: Speaker, network: str) -> str:
    """How to name `speaker` in a post on `network`: its handle with the network's mention prefix, else its name."""
    prefix = capabilities_of(network).mention_prefix
    handle = next((item.handle for item in speaker.handles.all() if item.network == network), "")
    handle = handle.strip().lstrip("@")
    if prefix and handle:
        return f"{prefix}{handle}"
    return speaker.name


def _has_word(text: str, word: str) -> bool:
    """Whether `text` holds the mention `word` on its own ("@marie" is not in "@marie@piaille.fr" nor "@marie_b")."""
    return re.search(rf"(?<![\w@#]){re.escape(word)}(?![\w@.-]*\w)", text, re.IGNORECASE) is not None


def has_hashtag(text: str, hashtag: str) -> bool:
    """Whether `text` already carries #hashtag (any case), as a whole tag (#Salon does not match #Salon2026)."""
    return re.search(rf"(?<!\w)#{re.escape(normalise_hashtag(hashtag))}(?!\w)", text, re.IGNORECASE) is not None


def render_for_network(
    *,
    text: str,
    event: LiveEvent,
    network: str,
    session: EventSession | None = None,
    mention_speakers: bool = True,
) -> str:
    """The text as it goes out on `network`.

    1. Placeholders: {hashtag}, {speaker} (the session's speakers as the network mentions them),
       {session}, {room}, {event}. Other braces are left as they are.
    2. Unless the text names them already, the session's speakers who have a handle on that
       network are mentioned at the end (with `mention_speakers`).
    3. The hashtag is added at the end unless the text has it already: it is never written twice.
    """
    caps = capabilities_of(network)
    speakers = list(session.speakers.all()) if session is not None else []
    mentions = [speaker_mention(speaker, network) for speaker in speakers]
    values = {
        "hashtag": event.tag if caps.hashtags else "",
        "speaker": ", ".join(mentions),
        "session": session.title if session is not None else "",
        "room": session.room if session is not None else "",
        "event": event.name,
    }
    had_speaker_placeholder = "{speaker}" in text
    rendered = _PLACEHOLDER_RE.sub(lambda match: values[match.group(1)], text)
    rendered = _SPACES_RE.sub(" ", rendered).strip()
    extra: list[str] = []
    if mention_speakers and not had_speaker_placeholder and caps.mention_prefix:
        for speaker, mention in zip(speakers, mentions, strict=True):
            if mention != speaker.name and not _has_word(rendered, mention):
                extra.append(mention)
    if caps.hashtags and not has_hashtag(rendered, event.hashtag):
        extra.append(event.tag)
    return " ".join([rendered, *extra]).strip() if extra else rendered


@dataclass(frozen=True)
class LiveVariant:
    """What one account will publish, and its length as its network counts it."""

    account: ConnectedAccount
    network_name: str
    text: str
    count: int
    limit: int  # 0: no limit known

    @property
    def over_by(self) -> int:
        return max(0, self.count - self.limit) if self.limit else 0


def live_preview(
    *,
    event: LiveEvent,
    session: EventSession | None,
    text: str,
    accounts: Sequence[ConnectedAccount],
    mention_speakers: bool = True,
) -> list[LiveVariant]:
    """Each account's text (hashtag and speakers added for its network) and its length: the live counter."""
    variants = []
    for account in accounts:
        try:
            connector = get_connector(account.network)
        except (UnknownNetwork, ImportError):
            continue
        rendered = render_for_network(
            text=text, event=event, network=account.network, session=session, mention_speakers=mention_speakers
        )
        variants.append(
            LiveVariant(
                account=account,
                network_name=connector.display_name,
                text=rendered,
                count=connector.count_characters(rendered),
                limit=connector.capabilities.max_characters,
            )
        )
    return variants


def looks_like_question(text: str) -> bool:
    """A question mark outside links (a link's query string is not a question)."""
    bare = _URL_RE.sub(" ", text)
    return "?" in bare or "\uff1f" in bare  # also the full-width question mark


def render_announcement(text: str, event: LiveEvent) -> str:
    """Fill {event} {date} {time} {place} {hashtag}; dates in the workspace's language and time zone."""
    local = event.starts_at.astimezone(event.workspace.zone)
    with translation.override(event.workspace.language):
        values = {
            "event": event.name,
            "date": date_format(local, "l j F"),
            "time": date_format(local, "TIME_FORMAT"),
            "place": event.place,
            "hashtag": event.tag,
        }
    return _SPACES_RE.sub(" ", _ANNOUNCEMENT_RE.sub(lambda match: values[match.group(1)], text)).strip()
