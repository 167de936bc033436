"""Bluesky text: counting, rich-text facets with UTF-8 byte offsets, record keys from idempotency keys.

- A post holds at most 300 graphemes (user-perceived characters: "é" written as e + accent,
  a flag, a family emoji are one each) and 3000 bytes of UTF-8 (app.bsky.feed.post).
- Mentions, links and hashtags are not markup: they are "facets" beside the text, each naming
  a slice of the text by UTF-8 byte offsets, which is what Bluesky's apps render as links.
  Detection is the atproto SDK's port of the official TypeScript one (links, #tags, @handles);
  the handles are resolved to DIDs by the caller, and mentions that do not resolve are dropped.
- Record keys of posts, likes and reposts are TIDs; Parvis derives them from the action's
  idempotency key, so a second attempt with the same key names the same record and cannot
  create a second one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import regex
from atproto_client.utils import facet_detection

MAX_GRAPHEMES = 300
MAX_BYTES = 3000

LINK = "app.bsky.richtext.facet#link"
TAG = "app.bsky.richtext.facet#tag"
MENTION = "app.bsky.richtext.facet#mention"

_GRAPHEME = regex.compile(r"\X")

TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"
# Record keys derived from idempotency keys carry a timestamp in the 400 days after this one
# (2024-01-01T00:00:00Z, in microseconds): a valid TID, in the past, never in the future.
_TID_EPOCH_US = 1_704_067_200_000_000
_TID_SPREAD_US = 2**45


def count_graphemes(text: str) -> int:
    """Grapheme clusters (Unicode extended grapheme clusters, as Bluesky counts)."""
    return len(_GRAPHEME.findall(text))


def utf8_length(text: str) -> int:
    return len(text.encode("utf-8"))


def _facet(start: int, end: int, feature: dict[str, Any]) -> dict[str, Any]:
    return {
        "$type": "app.bsky.richtext.facet",
        "index": {"byteStart": start, "byteEnd": end},
        "features": [feature],
    }


def mentioned_handles(text: str) -> list[str]:
    """The handles @mentioned in `text`, lowercased, in order, each once."""
    seen: dict[str, None] = {}
    for mention in facet_detection.detect_mentions(text):
        seen.setdefault(mention.handle.lower(), None)
    return list(seen)


def build_facets(text: str, resolve: Callable[[str], str | None]) -> list[dict[str, Any]]:
    """Facets for the links, #hashtags and @mentions of `text`, sorted by position, as JSON.

    `resolve(handle)` gives the DID of a handle, or None when it does not resolve (that mention
    stays plain text). Offsets are UTF-8 byte offsets into `text`.
    """
    facets: list[dict[str, Any]] = []
    for found in facet_detection.detect_facets(text):
        feature = found.features[0]
        start, end = found.index.byte_start, found.index.byte_end
        uri = getattr(feature, "uri", None)
        tag = getattr(feature, "tag", None)
        if isinstance(uri, str):
            facets.append(_facet(start, end, {"$type": LINK, "uri": uri}))
        elif isinstance(tag, str) and not tag.startswith("$"):  # cashtags are not hashtags
            facets.append(_facet(start, end, {"$type": TAG, "tag": tag}))
    dids: dict[str, str | None] = {}
    for mention in facet_detection.detect_mentions(text):
        handle = mention.handle.lower()
        if handle not in dids:
            dids[handle] = resolve(handle)
        did = dids[handle]
        if did:
            facets.append(_facet(mention.byte_start, mention.byte_end, {"$type": MENTION, "did": did}))
    return sorted(facets, key=lambda facet: int(facet["index"]["byteStart"]))


def expand_links(text: str, facets: list[dict[str, Any]]) -> str:
    """The text with each link's visible part replaced by the full address its facet points to.

    Bluesky's apps shorten long links in the text ("example.com/a-very-lo...") and keep the
    address in a facet; plain text for the inbox wants the address. Facets whose offsets do
    not fall on the text are ignored.
    """
    data = text.encode("utf-8")
    links: list[tuple[int, int, str]] = []
    for facet in facets:
        index = facet.get("index")
        features = facet.get("features")
        if not isinstance(index, dict) or not isinstance(features, list):
            continue
        start, end = index.get("byteStart"), index.get("byteEnd")
        uri = next(
            (item.get("uri") for item in features if isinstance(item, dict) and item.get("$type") == LINK),
            None,
        )
        if isinstance(start, int) and isinstance(end, int) and isinstance(uri, str) and 0 <= start < end <= len(data):
            links.append((start, end, uri))
    links.sort()
    out: list[bytes] = []
    position = 0
    for start, end, uri in links:
        if start < position:
            continue  # overlapping facets: keep the first
        visible = data[start:end].decode("utf-8", errors="replace")
        out.append(data[position:start])
        out.append(_link_text(visible, uri).encode("utf-8"))
        position = end
    out.append(data[position:])
    return b"".join(out).decode("utf-8", errors="replace")


def _link_text(visible: str, uri: str) -> str:
    """What plain text shows for a link: the address itself, and the words when they are not the address."""
    bare = uri.split("://", 1)[-1]
    shortened = visible.rstrip(".…")
    if uri == visible or bare == visible:
        return visible
    if shortened and (uri.startswith(shortened) or bare.startswith(shortened)):
        return uri  # "example.com/a-long-pa..." stands for the whole address
    return f"{visible} ({uri})"


def tid_encode(value: int) -> str:
    """A 64-bit integer as a TID: 13 characters of base32-sortable, most significant first."""
    if not 0 <= value < 2**63:
        raise ValueError("a TID holds a 63-bit integer")
    return "".join(TID_ALPHABET[(value >> (5 * (12 - position))) & 31] for position in range(13))


def tid_decode(tid: str) -> int:
    if len(tid) != 13 or any(char not in TID_ALPHABET for char in tid) or tid[0] not in TID_ALPHABET[:16]:
        raise ValueError(f"{tid!r} is not a TID")
    value = 0
    for char in tid:
        value = (value << 5) | TID_ALPHABET.index(char)
    return value


def record_key(idempotency_key: str) -> str:
    """The record key (a TID) that the record made for `idempotency_key` gets, always the same one."""
    digest = hashlib.sha256(f"parvis:{idempotency_key}".encode()).digest()
    number = int.from_bytes(digest[:8], "big")
    timestamp = _TID_EPOCH_US + (number >> 10) % _TID_SPREAD_US
    clock_id = number & 0x3FF
    return tid_encode((timestamp << 10) | clock_id)
