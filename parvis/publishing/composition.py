"""The composer's rules, as pure functions over data: no ORM, no network, no clock.

One text becomes a *variant* per target account. Everything here reads the network's rules from
its connector's `Capabilities` and counts text through the connector's own `count_characters`
(graphemes on Bluesky, weighted characters and fixed-length links on X, 23-character links on
Mastodon), wrapped in `NetworkRules`. The services build `NetworkRules` and `MediaInfo` from rows;
the tests build them by hand.

- `count_text`: the length of a text on a network, links counted as Parvis short links when
  links will be shortened.
- `split_thread`: a text too long for one post cut into a numbered thread, on paragraph or
  sentence boundaries first, then between words, never inside a link, a mention or a hashtag.
- `extract_hashtags`, `extract_mentions`, `extract_links`, `segments`: what a text contains.
- `media_issues`: count, formats, sizes, video length, required media, alt text.
- `plan_variant`: all of it for one account: the posts of the thread as they will look
  (`PreviewPost`), the first comment, the problems (blocking) and warnings (not blocking).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from parvis.networks.protocol import Capabilities

Counter = Callable[[str], int]

# Where a text may be cut: ordinary white space only. No-break spaces (U+00A0, U+202F, U+2007,
# U+2060) hold French punctuation to its word ("jeudi !") and must never become a cut.
_BREAKABLE = re.compile(r"[ \t\r\n\f\v\u1680\u2000-\u2006\u2008-\u200a\u2028\u2029\u205f\u3000]+")
_URL = re.compile(r"https?://[^\s<>\"\u00a0\u202f]+", re.IGNORECASE)
_URL_TRAILING = ".,;:!?'\")]}»\u201d\u2019…"
# A hashtag starts after a non-word character, holds letters (accents included), digits and
# underscores, and is not only digits ("#1" is not a hashtag on any network).
_HASHTAG = re.compile(r"(?<![\w#&/])#(?!\d+\b)(\w+)", re.UNICODE)
# @user, @user@instance.example (fediverse) or @name.bsky.social (Bluesky handles).
_MENTION = re.compile(r"(?<![\w@/.])@(\w(?:[\w.-]*\w)?(?:@\w(?:[\w.-]*\w)?)?)", re.UNICODE)
_SENTENCE_END = ".!?…"
_CLOSERS = "\"'»\u201d\u2019)]"
# "M. Dupont", "J.-P. Martin": an initial ends with a full stop but ends no sentence.
_INITIAL = re.compile(r"(?:^|[\s(])(?:\w|\w\.-\w|M|Mme|Mlle|Dr|St|Me|etc|cf|p|n°)\.$", re.UNICODE)
# A part cut at a sentence end must hold at least this share of what fits; otherwise cut between words.
MIN_SENTENCE_SHARE = 0.4

Level = Literal["blocker", "warning"]


# --- data in ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class NetworkRules:
    """One network's rules for the composer: its capabilities and how it counts."""

    network: str
    display_name: str
    capabilities: Capabilities
    count: Counter
    # > 0: links will be replaced by Parvis short links this long before publication.
    short_link_length: int = 0


@dataclass(frozen=True)
class MediaInfo:
    """What the rules need to know about one attached file."""

    name: str
    mime_type: str
    size: int
    alt_text: str = ""
    width: int | None = None
    height: int | None = None
    duration_seconds: float | None = None
    url: str = ""  # where the preview can show it
    id: int | None = None

    @property
    def is_video(self) -> bool:
        return self.mime_type.startswith("video/")


# --- data out ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Segment:
    """A piece of text for the preview: plain text, a link, a hashtag or a mention."""

    kind: Literal["text", "link", "hashtag", "mention"]
    text: str


@dataclass(frozen=True)
class PreviewPost:
    """One post of a variant as it will look on the network."""

    position: int  # 1 for the first post
    role: Literal["post", "thread", "comment"]
    text: str
    length: int
    limit: int  # 0: the network states none
    media: tuple[MediaInfo, ...] = ()

    @property
    def over_by(self) -> int:
        return max(0, self.length - self.limit) if self.limit else 0

    @property
    def remaining(self) -> int | None:
        return self.limit - self.length if self.limit else None

    @property
    def segments(self) -> list[Segment]:
        return segments(self.text)


@dataclass(frozen=True)
class VariantPlan:
    """What one account will publish: the thread, the first comment, and what is wrong with it."""

    network: str
    display_name: str
    label: str  # the account's handle, in the messages
    posts: tuple[PreviewPost, ...]
    first_comment: PreviewPost | None
    problems: tuple[str, ...]
    warnings: tuple[str, ...]
    hashtags: tuple[str, ...] = ()
    mentions: tuple[str, ...] = ()
    links: tuple[str, ...] = ()
    split: bool = False  # the thread was cut automatically
    capabilities: Capabilities = field(default_factory=Capabilities)

    @property
    def text(self) -> str:
        return self.posts[0].text if self.posts else ""

    @property
    def thread(self) -> list[str]:
        return [post.text for post in self.posts[1:]]

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def length(self) -> int:
        return self.posts[0].length if self.posts else 0

    @property
    def limit(self) -> int:
        return self.capabilities.max_characters


# --- counting ---------------------------------------------------------------------------------


def extract_links(text: str) -> list[str]:
    """The http(s) links of `text`, without the punctuation that ends a sentence after them."""
    return [_trim_url(match.group(0)) for match in _URL.finditer(text)]


def _trim_url(url: str) -> str:
    while url and url[-1] in _URL_TRAILING:
        if url[-1] == ")" and url.count("(") >= url.count(")"):
            break  # https://fr.wikipedia.org/wiki/Lyon_(ville): the parenthesis belongs to the link
        url = url[:-1]
    return url


def _short_placeholder(length: int) -> str:
    """A link of exactly `length` characters that every counter recognises as a link."""
    base = "https://p.fr/"
    return base + "x" * max(1, length - len(base))


def with_short_links(text: str, length: int) -> str:
    """`text` with every link replaced by a stand-in as long as a Parvis short link."""
    if length <= 0:
        return text
    placeholder = _short_placeholder(length)
    pieces: list[str] = []
    last = 0
    for match in _URL.finditer(text):
        url = _trim_url(match.group(0))
        pieces.append(text[last : match.start()])
        pieces.append(placeholder)
        last = match.start() + len(url)
    pieces.append(text[last:])
    return "".join(pieces)


def count_text(text: str, rules: NetworkRules) -> int:
    """The length of `text` on the network, the way the network counts it."""
    return rules.count(with_short_links(text, rules.short_link_length))


# --- hashtags, mentions, segments -------------------------------------------------------------


def extract_hashtags(text: str) -> list[str]:
    """Hashtags in order of appearance, without repeats (case-insensitively), without the "#"."""
    seen: dict[str, str] = {}
    for tag in _HASHTAG.findall(_without_links(text)):
        seen.setdefault(tag.casefold(), tag)
    return list(seen.values())


def extract_mentions(text: str) -> list[str]:
    """Mentioned handles in order, without repeats, with their "@": "@org", "@bob@mastodon.example"."""
    seen: dict[str, str] = {}
    for handle in _MENTION.findall(_without_links(text)):
        seen.setdefault(handle.casefold(), "@" + handle)
    return list(seen.values())


def _without_links(text: str) -> str:
    # A link's fragment ("#section") or path ("/@user") is neither a hashtag nor a mention.
    return _URL.sub(lambda match: " " * len(match.group(0)), text)


def segments(text: str) -> list[Segment]:
    """`text` cut into plain text, links, hashtags and mentions, in order (for the preview)."""
    spans: list[tuple[int, int, Literal["link", "hashtag", "mention"]]] = []
    for match in _URL.finditer(text):
        spans.append((match.start(), match.start() + len(_trim_url(match.group(0))), "link"))
    masked = _without_links(text)
    spans.extend((match.start(), match.end(), "hashtag") for match in _HASHTAG.finditer(masked))
    spans.extend((match.start(), match.end(), "mention") for match in _MENTION.finditer(masked))
    spans.sort()
    result: list[Segment] = []
    position = 0
    for start, end, kind in spans:
        if start < position:
            continue
        if start > position:
            result.append(Segment("text", text[position:start]))
        result.append(Segment(kind, text[start:end]))
        position = end
    if position < len(text):
        result.append(Segment("text", text[position:]))
    return result


# --- threads ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Word:
    start: int
    end: int
    # How strong the cut after this word is: 3 paragraph, 2 line or sentence end, 1 between words.
    strength: int


def _words(text: str) -> list[_Word]:
    words: list[_Word] = []
    position = 0
    for gap in _BREAKABLE.finditer(text):
        if gap.start() > position:
            words.append(_Word(position, gap.start(), _gap_strength(text, position, gap.start(), gap.group(0))))
        position = gap.end()
    if position < len(text):
        words.append(_Word(position, len(text), 3))
    return words


def _gap_strength(text: str, start: int, end: int, gap: str) -> int:
    newlines = gap.count("\n")
    if newlines >= 2:
        return 3
    if newlines == 1:
        return 2
    word = text[start:end].rstrip(_CLOSERS)
    if word and word[-1] in _SENTENCE_END and not _INITIAL.search(text[max(0, start - 1) : start + len(word)]):
        return 2
    return 1


def _protected(word: str) -> bool:
    """A word that must never be cut: it holds a link, a mention or a hashtag."""
    return bool(_URL.search(word) or _MENTION.search(word) or _HASHTAG.search(word))


def _numbered(part: str, position: int, total: int) -> str:
    return f"{part} {position}/{total}"


def split_thread(
    text: str,
    *,
    limit: int,
    count: Counter,
    max_posts: int = 0,
    numbering: bool = True,
) -> list[str]:
    """Cut `text` into posts of at most `limit` as `count` counts them, numbered "1/3" at the end.

    The numbering counts in the limit. Cuts fall on a paragraph, a line or a sentence end when one
    leaves the post at least MIN_SENTENCE_SHARE full, else between words; a word holding a link,
    a mention or a hashtag is never cut (it is left whole even when it alone is too long: the
    caller reports it). A text that fits is returned as it is. `max_posts` is not enforced here
    (the plan reports a thread that is too long); it is only read to size the numbering.
    """
    if limit <= 0 or count(text) <= limit:
        return [text]
    words = _words(text)
    if not words:
        return [text]
    guess = 2
    for _attempt in range(8):
        parts = _pack(text, words, limit=limit, count=count, total=guess if numbering else 0)
        if len(parts) <= guess or not numbering:
            break
        guess = len(parts)
    if numbering and len(parts) > 1:
        return [_numbered(part, index, len(parts)) for index, part in enumerate(parts, start=1)]
    return parts


def _pack(text: str, words: list[_Word], *, limit: int, count: Counter, total: int) -> list[str]:
    parts: list[str] = []
    index = 0
    while index < len(words):
        position = len(parts) + 1

        def fits(candidate: str, position: int = position) -> bool:
            shown = _numbered(candidate, position, total) if total else candidate
            return count(shown) <= limit

        first = words[index]
        # The longest run of whole words from `index` that fits.
        end = index
        while end < len(words) and fits(text[first.start : words[end].end]):
            end += 1
        if end == index:  # even one word is too long
            word = text[first.start : first.end]
            if _protected(word):
                parts.append(word)
            else:
                head = _hard_cut(word, fits)
                parts.append(head)
                rest = first.start + len(head)
                words = [*words[:index], _Word(rest, first.end, first.strength), *words[index + 1 :]]
                continue
            index += 1
            continue
        if end < len(words):
            end = _better_cut(text, words, index, end)
        parts.append(text[first.start : words[end - 1].end])
        index = end
    return parts


def _better_cut(text: str, words: list[_Word], start: int, end: int) -> int:
    """Move the cut back to the last paragraph or sentence end, if that keeps the post full enough."""
    fitting = words[end - 1].end - words[start].start
    for strength in (3, 2):
        for candidate in range(end - 1, start - 1, -1):
            if words[candidate].strength >= strength:
                used = words[candidate].end - words[start].start
                if used >= fitting * MIN_SENTENCE_SHARE:
                    return candidate + 1
                break
    return end


def _hard_cut(word: str, fits: Callable[[str], bool]) -> str:
    """The longest head of a (plain) word that fits; at least one character."""
    low, high = 1, len(word)
    while low < high:
        middle = (low + high + 1) // 2
        if fits(word[:middle]):
            low = middle
        else:
            high = middle - 1
    return word[:low]


# --- media ------------------------------------------------------------------------------------


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".rstrip("0").rstrip(".")


def media_issues(*, label: str, capabilities: Capabilities, media: Sequence[MediaInfo]) -> tuple[list[str], list[str]]:
    """(problems, warnings) of the attached files on one network."""
    caps = capabilities
    problems: list[str] = []
    warnings: list[str] = []
    if caps.media_required and not media:
        problems.append(
            _("%(handle)s: this network publishes nothing without an image or a video.") % {"handle": label}
        )
    if media and caps.max_media == 0:
        problems.append(_("%(handle)s: this network takes no images or videos from Parvis.") % {"handle": label})
        return problems, warnings
    if len(media) > caps.max_media:
        problems.append(
            _("%(handle)s: %(count)s images, %(max)s allowed.")
            % {"handle": label, "count": len(media), "max": caps.max_media}
        )
    for item in media:
        if item.is_video:
            if not caps.video_types:
                problems.append(_("%(handle)s: this network takes no videos from Parvis.") % {"handle": label})
                continue
            if item.mime_type not in caps.video_types:
                problems.append(_("%(handle)s: %(type)s is not accepted.") % {"handle": label, "type": item.mime_type})
            limit = caps.max_video_bytes or caps.max_media_bytes
            if limit and item.size > limit:
                problems.append(
                    _("%(handle)s: %(file)s weighs %(size)s MB, %(max)s MB allowed.")
                    % {"handle": label, "file": item.name, "size": _mb(item.size), "max": _mb(limit)}
                )
            if caps.max_video_seconds:
                if item.duration_seconds is None:
                    warnings.append(
                        _("%(handle)s: the length of %(file)s is unknown; this network takes %(max)s seconds at most.")
                        % {"handle": label, "file": item.name, "max": caps.max_video_seconds}
                    )
                elif item.duration_seconds > caps.max_video_seconds:
                    problems.append(
                        _("%(handle)s: %(file)s lasts %(length)s seconds, %(max)s allowed.")
                        % {
                            "handle": label,
                            "file": item.name,
                            "length": round(item.duration_seconds),
                            "max": caps.max_video_seconds,
                        }
                    )
        else:
            if caps.media_types and item.mime_type not in caps.media_types:
                problems.append(_("%(handle)s: %(type)s is not accepted.") % {"handle": label, "type": item.mime_type})
            if caps.max_media_bytes and item.size > caps.max_media_bytes:
                problems.append(
                    _("%(handle)s: %(file)s weighs %(size)s MB, %(max)s MB allowed.")
                    % {"handle": label, "file": item.name, "size": _mb(item.size), "max": _mb(caps.max_media_bytes)}
                )
        if not item.alt_text.strip():
            warnings.append(
                _("%(handle)s: %(file)s has no description (alt text): people who cannot see it will miss it.")
                % {"handle": label, "file": item.name}
            )
        elif caps.alt_text_max and len(item.alt_text) > caps.alt_text_max:
            problems.append(
                _("%(handle)s: alt text longer than %(max)s characters.") % {"handle": label, "max": caps.alt_text_max}
            )
    return problems, warnings


# --- one variant ------------------------------------------------------------------------------


def plan_variant(
    *,
    rules: NetworkRules,
    label: str,
    text: str,
    media: Sequence[MediaInfo] = (),
    first_comment: str = "",
    thread: Sequence[str] | None = None,
    numbering: bool = True,
) -> VariantPlan:
    """Everything one account will publish, checked against its network's rules.

    With `thread` (a variant edited by hand), `text` is the first post and `thread` the next ones,
    each checked as it is. Without it, a text too long for one post is cut into a thread where the
    network has threads (`split_thread`), and refused where it has none.
    """
    caps = rules.capabilities
    limit = caps.max_characters
    problems: list[str] = []
    warnings: list[str] = []
    split = False
    if thread is not None:
        texts = [text, *(part for part in thread if part.strip())]
    elif caps.threads and limit and count_text(text, rules) > limit:

        def counted(value: str) -> int:
            return count_text(value, rules)

        texts = split_thread(text, limit=limit, count=counted, max_posts=caps.max_thread_posts, numbering=numbering)
        split = len(texts) > 1
    else:
        texts = [text]
    if len(texts) > 1 and not caps.threads:
        problems.append(_("%(handle)s: this network has no threads; write one post.") % {"handle": label})
    if caps.max_thread_posts and len(texts) > caps.max_thread_posts:
        problems.append(
            _("%(handle)s: a thread of %(count)s posts, %(max)s allowed.")
            % {"handle": label, "count": len(texts), "max": caps.max_thread_posts}
        )
    posts: list[PreviewPost] = []
    for position, value in enumerate(texts, start=1):
        length = count_text(value, rules)
        posts.append(
            PreviewPost(
                position=position,
                role="post" if position == 1 else "thread",
                text=value,
                length=length,
                limit=limit,
                media=tuple(media) if position == 1 else (),
            )
        )
        if limit and length > limit:
            if len(texts) == 1:
                problems.append(
                    _("%(handle)s: %(length)s characters, %(max)s allowed.")
                    % {"handle": label, "length": length, "max": limit}
                )
            else:
                problems.append(
                    _("%(handle)s: post %(position)s of the thread has %(length)s characters, %(max)s allowed.")
                    % {"handle": label, "position": position, "length": length, "max": limit}
                )
    media_problems, media_warnings = media_issues(label=label, capabilities=caps, media=media)
    problems.extend(media_problems)
    warnings.extend(media_warnings)
    comment: PreviewPost | None = None
    if first_comment.strip():
        if caps.first_comment:
            length = count_text(first_comment, rules)
            comment = PreviewPost(position=1, role="comment", text=first_comment, length=length, limit=limit)
            if limit and length > limit:
                problems.append(
                    _("%(handle)s: the first comment has %(length)s characters, %(max)s allowed.")
                    % {"handle": label, "length": length, "max": limit}
                )
        else:
            warnings.append(
                _("%(handle)s: %(network)s has no comments under posts; the first comment is not published there.")
                % {"handle": label, "network": rules.display_name}
            )
    whole = "\n".join(texts)
    hashtags = extract_hashtags(whole)
    if hashtags and not caps.hashtags:
        warnings.append(
            ngettext(
                "%(handle)s: %(network)s does not link hashtags; %(count)s hashtag stays plain text.",
                "%(handle)s: %(network)s does not link hashtags; %(count)s hashtags stay plain text.",
                len(hashtags),
            )
            % {"handle": label, "network": rules.display_name, "count": len(hashtags)}
        )
    return VariantPlan(
        network=rules.network,
        display_name=rules.display_name,
        label=label,
        posts=tuple(posts),
        first_comment=comment,
        problems=tuple(problems),
        warnings=tuple(warnings),
        hashtags=tuple(hashtags),
        mentions=tuple(extract_mentions(whole)),
        links=tuple(extract_links(whole)),
        split=split,
        capabilities=caps,
    )


def thread_from_text(value: str) -> tuple[str, list[str]]:
    """A thread typed in one box, posts separated by a line holding only "---": (first post, the others)."""
    parts = [part.strip() for part in re.split(r"^\s*-{3,}\s*$", value, flags=re.MULTILINE)]
    parts = [part for part in parts if part] or [""]
    return parts[0], parts[1:]


def thread_to_text(text: str, thread: Sequence[str]) -> str:
    """The reverse of `thread_from_text`."""
    return "\n---\n".join([text, *thread])
