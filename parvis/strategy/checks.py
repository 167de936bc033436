"""The editorial charter's checks: pure functions over drafts, the recent history and the rules.

Nothing here reads the database. `parvis.publishing.editorial.editorial_findings` loads the
workspace's rules (as `RuleSpec`) and its recent posts (as `PastPost`) and calls `run_checks`.
Each finding explains itself with its numbers, in the active language (gettext), and carries
the rule's severity: "warning" (shown) or "blocker" (the post is refused).

Rule kinds and their parameters (`params`):

- `image_required`: none. The draft must carry at least one image or video.
- `sentence_length`: `max_words` (25). Sentences of more words are reported.
- `question_ending`: `goals` (["conversation"]; empty: always). The text must end with a question.
- `forbidden_words`: `words` (list; a trailing `*` matches any ending). Accent- and
  case-insensitive, whole words or phrases.
- `forbidden_topic`: `topic` (a name) and `words`, as above.
- `tone`: `max_caps_share` (0.3: share of words in capitals, 0 = off) and `max_exclamations`
  (1: longest allowed run of "!", 0 = off).
- `relay_share`: `last_n` (9), `max_share` (a fraction, e.g. 0.34) and/or `min_share`
  (e.g. 0.1), over the last N posts of the network, the draft included.
- `frequency`: `min_per_week` and/or `max_per_week`: posts per ISO week and network (workspace
  time zone), the planned and published ones plus the draft.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from parvis.networks.registry import display_name

WARNING = "warning"
BLOCKER = "blocker"


class RuleKind(StrEnum):
    IMAGE_REQUIRED = "image_required"
    SENTENCE_LENGTH = "sentence_length"
    QUESTION_ENDING = "question_ending"
    FORBIDDEN_WORDS = "forbidden_words"
    FORBIDDEN_TOPIC = "forbidden_topic"
    TONE = "tone"
    RELAY_SHARE = "relay_share"
    FREQUENCY = "frequency"


# Parameters of each kind with their defaults: the settings form and `RuleSpec.param` read them.
DEFAULT_PARAMS: dict[str, dict[str, Any]] = {
    RuleKind.IMAGE_REQUIRED: {},
    RuleKind.SENTENCE_LENGTH: {"max_words": 25},
    RuleKind.QUESTION_ENDING: {"goals": ["conversation"]},
    RuleKind.FORBIDDEN_WORDS: {"words": []},
    RuleKind.FORBIDDEN_TOPIC: {"topic": "", "words": []},
    RuleKind.TONE: {"max_caps_share": 0.3, "max_exclamations": 1},
    RuleKind.RELAY_SHARE: {"last_n": 9, "max_share": None, "min_share": None},
    RuleKind.FREQUENCY: {"min_per_week": None, "max_per_week": None},
}

network_name = display_name  # the name shown in messages


@dataclass(frozen=True)
class DraftInfo:
    """One variant about to be scheduled or published (one per target account)."""

    network: str
    account_id: int | None
    text: str
    media_count: int = 0
    is_relay: bool = False
    scheduled_at: dt.datetime | None = None  # None: now
    goal: str = ""  # the post's goal, e.g. "conversation"
    relay_kind: str = ""  # "repost" has no text of its own: text checks do not apply
    thread: tuple[str, ...] = ()
    first_comment: str = ""
    post_id: int | None = None  # the post being edited: left out of the history

    @property
    def all_text(self) -> str:
        parts = [self.text, *self.thread]
        return "\n\n".join(part for part in parts if part)


@dataclass(frozen=True)
class PastPost:
    """A post already planned or published, on one network (one per post and network)."""

    network: str
    is_relay: bool
    published_at: dt.datetime  # the publication time, past or planned
    post_id: int | None = None


@dataclass(frozen=True)
class Finding:
    rule_id: int | None
    rule_kind: str
    severity: str  # "warning" | "blocker"
    network: str
    message: str
    account_id: int | None = None

    @property
    def is_blocker(self) -> bool:
        return self.severity == BLOCKER


@dataclass(frozen=True)
class RuleSpec:
    """One enabled rule of the charter, as the checks see it."""

    kind: str
    severity: str = WARNING
    network: str = ""  # blank: every network
    params: Mapping[str, Any] = field(default_factory=dict)
    id: int | None = None

    def param(self, name: str) -> Any:
        if name in self.params and self.params[name] not in ("", None):
            return self.params[name]
        return DEFAULT_PARAMS.get(self.kind, {}).get(name)

    def applies_to(self, network: str) -> bool:
        return not self.network or self.network == network


@dataclass(frozen=True)
class Context:
    history: Sequence[PastPost]
    drafts: Sequence[DraftInfo]
    now: dt.datetime
    zone: dt.tzinfo


# --- Text helpers -----------------------------------------------------------------------------

_URL_RE = re.compile(r"https?://\S+", re.IGNORECASE)
_HANDLE_RE = re.compile(r"(?<!\w)[@#][\w.@-]+")
_APOSTROPHE = "\u2019"  # the typographic apostrophe of French text
_QUESTION_MARKS = ("?", "\uff1f")  # and the full-width one
_WORD_RE = re.compile(r"[^\W_]+(?:['" + _APOSTROPHE + r"-][^\W_]+)*")
# Sentences end with . ! ? … (runs of them) or a line break.
_SENTENCE_END_RE = re.compile(r"(?<=[.!?…])\s+|\n+")
_EXCLAMATION_RUN_RE = re.compile(r"!(?:\s*!)+")
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", _APOSTROPHE: "'"})


def fold(text: str) -> str:
    """Lower case without accents or ligatures: "Élève Œuvre" → "eleve oeuvre"."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_LIGATURES))
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


def _without_links(text: str) -> str:
    return _URL_RE.sub(" ", text)


def words_of(text: str) -> list[str]:
    return _WORD_RE.findall(_without_links(text))


def sentences_of(text: str) -> list[str]:
    plain = _without_links(text)
    return [part.strip() for part in _SENTENCE_END_RE.split(plain) if part.strip()]


def _word_pattern(entry: str) -> re.Pattern[str] | None:
    """A whole-word (or whole-phrase) pattern over folded text; "arnaque*" matches any ending."""
    folded = fold(entry.strip())
    if not folded:
        return None
    prefix = folded.endswith("*")
    folded = folded.rstrip("*").strip()
    if not folded:
        return None
    body = r"\s+".join(re.escape(part) for part in folded.split())
    tail = r"\w*" if prefix else ""
    return re.compile(rf"(?<!\w){body}{tail}(?!\w)")


def forbidden_hits(text: str, words: Iterable[str]) -> list[str]:
    """The entries of `words` found in `text`, as the text wrote them, in order, once each."""
    folded = fold(text)
    # Folding keeps one character per character for nearly all text; when it does not (rare
    # ligatures), report the folded form.
    aligned = len(folded) == len(text)
    found: list[str] = []
    seen: set[str] = set()
    for entry in words:
        pattern = _word_pattern(str(entry))
        if pattern is None:
            continue
        for match in pattern.finditer(folded):
            shown = text[match.start() : match.end()] if aligned else match.group(0)
            key = fold(shown)
            if key not in seen:
                seen.add(key)
                found.append(shown)
    return found


def caps_share(text: str) -> tuple[int, int]:
    """(words in capitals, words) among words of two letters or more; hashtags, handles, links out."""
    plain = _HANDLE_RE.sub(" ", _without_links(text))
    words = [word for word in _WORD_RE.findall(plain) if sum(ch.isalpha() for ch in word) >= 2]
    shouted = [word for word in words if word.isupper()]
    return len(shouted), len(words)


def exclamation_runs(text: str) -> list[int]:
    """The length of every run of two or more exclamation marks ("!!", "! ! !")."""
    return [match.group(0).count("!") for match in _EXCLAMATION_RUN_RE.finditer(text)]


def ends_with_question(text: str) -> bool:
    """True when the text's last words form a question (links, hashtags and emoji after it ignored)."""
    plain = _HANDLE_RE.sub(" ", _without_links(text)).rstrip()
    # Drop what follows the last word or punctuation mark: emoji, arrows, closing quotes.
    while plain and not (plain[-1].isalnum() or plain[-1] in ".!…" or plain[-1] in _QUESTION_MARKS):
        plain = plain[:-1].rstrip()
    return plain.endswith(_QUESTION_MARKS)


# --- The checks -------------------------------------------------------------------------------

Check = Callable[[RuleSpec, DraftInfo, Context], list[str]]


def _check_image(rule: RuleSpec, draft: DraftInfo, ctx: Context) -> list[str]:
    if draft.media_count > 0 or draft.relay_kind == "repost":
        return []
    return [_("No image: on %(network)s, posts carry an image or a video.") % {"network": network_name(draft.network)}]


def _check_sentences(rule: RuleSpec, draft: DraftInfo, ctx: Context) -> list[str]:
    limit = int(rule.param("max_words"))
    lengths = [len(words_of(sentence)) for sentence in sentences_of(draft.all_text)]
    long = [length for length in lengths if length > limit]
    if not long:
        return []
    return [
        ngettext(
            "%(count)d sentence longer than %(limit)d words (the longest has %(longest)d): shorten it.",
            "%(count)d sentences longer than %(limit)d words (the longest has %(longest)d): shorten them.",
            len(long),
        )
        % {"count": len(long), "limit": limit, "longest": max(long)}
    ]


def _check_question(rule: RuleSpec, draft: DraftInfo, ctx: Context) -> list[str]:
    goals = [str(goal) for goal in (rule.param("goals") or [])]
    if goals and draft.goal not in goals:
        return []
    if not draft.text.strip() or ends_with_question(draft.text):
        return []
    return [_("The goal is conversation: end the post with a question to invite answers.")]


def _check_forbidden_words(rule: RuleSpec, draft: DraftInfo, ctx: Context) -> list[str]:
    hits = forbidden_hits(_all_checked_text(draft), rule.param("words") or [])
    if not hits:
        return []
    quoted = ", ".join(f"« {hit} »" for hit in hits)
    return [
        ngettext(
            "%(count)d word to avoid according to the editorial charter: %(words)s.",
            "%(count)d words to avoid according to the editorial charter: %(words)s.",
            len(hits),
        )
        % {"count": len(hits), "words": quoted}
    ]


def _check_forbidden_topic(rule: RuleSpec, draft: DraftInfo, ctx: Context) -> list[str]:
    hits = forbidden_hits(_all_checked_text(draft), rule.param("words") or [])
    if not hits:
        return []
    quoted = ", ".join(f"« {hit} »" for hit in hits)
    topic = str(rule.param("topic") or "")
    return [
        _("Topic out of the editorial line (%(topic)s): %(words)s.") % {"topic": topic, "words": quoted}
        if topic
        else _("Topic out of the editorial line: %(words)s.") % {"words": quoted}
    ]


def _check_tone(rule: RuleSpec, draft: DraftInfo, ctx: Context) -> list[str]:
    messages: list[str] = []
    text = _all_checked_text(draft)
    max_share = float(rule.param("max_caps_share") or 0)
    if max_share > 0:
        shouted, total = caps_share(text)
        # A few acronyms are not shouting: three words in capitals at least.
        if shouted >= 3 and shouted > max_share * total:
            messages.append(
                _("%(share)d %% of the words are in capitals (%(limit)d %% at most): it reads as shouting.")
                % {"share": round(100 * shouted / total), "limit": round(100 * max_share)}
            )
    max_run = int(rule.param("max_exclamations") or 0)
    if max_run > 0:
        runs = [run for run in exclamation_runs(text) if run > max_run]
        if runs:
            messages.append(
                ngettext(
                    "%(count)d run of exclamation marks (up to %(longest)d in a row, %(limit)d at most).",
                    "%(count)d runs of exclamation marks (up to %(longest)d in a row, %(limit)d at most).",
                    len(runs),
                )
                % {"count": len(runs), "longest": max(runs), "limit": max_run}
            )
    return messages


def _check_relay_share(rule: RuleSpec, draft: DraftInfo, ctx: Context) -> list[str]:
    last_n = max(1, int(rule.param("last_n")))
    window = _recent_window(draft, ctx, last_n)
    relays = sum(1 for is_relay in window if is_relay)
    name = network_name(draft.network)
    max_share = rule.param("max_share")
    if draft.is_relay and max_share is not None:
        allowed = math.floor(float(max_share) * last_n + 1e-9)
        if relays > allowed:
            return [
                ngettext(
                    "%(relays)d relayed post among the last %(total)d on %(network)s; the editorial line "
                    "allows %(allowed)d at most: publish your own content too.",
                    "%(relays)d relayed posts among the last %(total)d on %(network)s; the editorial line "
                    "allows %(allowed)d at most: publish your own content too.",
                    relays,
                )
                % {"relays": relays, "total": len(window), "network": name, "allowed": allowed}
            ]
    min_share = rule.param("min_share")
    if not draft.is_relay and min_share is not None and len(window) >= last_n:
        required = math.ceil(float(min_share) * last_n - 1e-9)
        if relays < required:
            return [
                ngettext(
                    "%(relays)d relayed post among the last %(total)d on %(network)s; the editorial line "
                    "asks for %(required)d at least: relay other people's content too.",
                    "%(relays)d relayed posts among the last %(total)d on %(network)s; the editorial line "
                    "asks for %(required)d at least: relay other people's content too.",
                    relays,
                )
                % {"relays": relays, "total": len(window), "network": name, "required": required}
            ]
    return []


def _check_frequency(rule: RuleSpec, draft: DraftInfo, ctx: Context) -> list[str]:
    when = draft.scheduled_at or ctx.now
    week = iso_week(when, ctx.zone)
    count = week_count(draft, ctx, week)
    name = network_name(draft.network)
    week_label = week_name(week, ctx)
    maximum = rule.param("max_per_week")
    if maximum is not None and count > int(maximum):
        return [
            ngettext(
                "%(count)d post planned %(week)s on %(network)s; the plan foresees %(limit)d at most.",
                "%(count)d posts planned %(week)s on %(network)s; the plan foresees %(limit)d at most.",
                count,
            )
            % {"count": count, "week": week_label, "network": name, "limit": int(maximum)}
        ]
    minimum = rule.param("min_per_week")
    if minimum is not None and count < int(minimum):
        return [
            ngettext(
                "%(count)d post planned %(week)s on %(network)s; the plan foresees %(limit)d at least.",
                "%(count)d posts planned %(week)s on %(network)s; the plan foresees %(limit)d at least.",
                count,
            )
            % {"count": count, "week": week_label, "network": name, "limit": int(minimum)}
        ]
    return []


CHECKS: dict[str, Check] = {
    RuleKind.IMAGE_REQUIRED: _check_image,
    RuleKind.SENTENCE_LENGTH: _check_sentences,
    RuleKind.QUESTION_ENDING: _check_question,
    RuleKind.FORBIDDEN_WORDS: _check_forbidden_words,
    RuleKind.FORBIDDEN_TOPIC: _check_forbidden_topic,
    RuleKind.TONE: _check_tone,
    RuleKind.RELAY_SHARE: _check_relay_share,
    RuleKind.FREQUENCY: _check_frequency,
}

# Checks over the text: they say nothing of a repost, which has no text of its own.
TEXT_KINDS = frozenset(
    {
        RuleKind.SENTENCE_LENGTH,
        RuleKind.QUESTION_ENDING,
        RuleKind.FORBIDDEN_WORDS,
        RuleKind.FORBIDDEN_TOPIC,
        RuleKind.TONE,
    }
)
# Checks about the post as a whole on its network: once per network, not once per account.
NETWORK_KINDS = frozenset({RuleKind.RELAY_SHARE, RuleKind.FREQUENCY})


def _all_checked_text(draft: DraftInfo) -> str:
    return "\n\n".join(part for part in (draft.all_text, draft.first_comment) if part)


def iso_week(moment: dt.datetime, zone: dt.tzinfo) -> tuple[int, int]:
    local = moment.astimezone(zone) if moment.tzinfo else moment
    year, week, _day = local.isocalendar()
    return year, week


def week_name(week: tuple[int, int], ctx: Context) -> str:
    """ "this week", "next week" or "in the week of 17 March" (the Monday, in the active language)."""
    current = iso_week(ctx.now, ctx.zone)
    if week == current:
        return _("this week")
    monday = dt.date.fromisocalendar(week[0], week[1], 1)
    if monday - dt.date.fromisocalendar(current[0], current[1], 1) == dt.timedelta(weeks=1):
        return _("next week")
    return _("in the week of %(monday)s") % {"monday": date_format(monday, "MONTH_DAY_FORMAT")}


def week_count(draft: DraftInfo, ctx: Context, week: tuple[int, int]) -> int:
    """Posts on the draft's network in that ISO week: the history (the draft's own post left out) + 1."""
    past = {
        (item.post_id, item.published_at)
        for item in ctx.history
        if item.network == draft.network
        and (draft.post_id is None or item.post_id != draft.post_id)
        and iso_week(item.published_at, ctx.zone) == week
    }
    return len(past) + 1


def _recent_window(draft: DraftInfo, ctx: Context, last_n: int) -> list[bool]:
    """Relayed-or-not of the last `last_n` posts on the draft's network, the draft included."""
    when = draft.scheduled_at or ctx.now
    past = sorted(
        (
            item
            for item in ctx.history
            if item.network == draft.network
            and (draft.post_id is None or item.post_id != draft.post_id)
            and item.published_at <= when
        ),
        key=lambda item: item.published_at,
    )
    recent = [item.is_relay for item in past[-(last_n - 1) :]] if last_n > 1 else []
    return [*recent, draft.is_relay]


def run_checks(
    rules: Sequence[RuleSpec],
    drafts: Sequence[DraftInfo],
    history: Sequence[PastPost],
    *,
    now: dt.datetime,
    zone: dt.tzinfo,
) -> list[Finding]:
    """Every finding of every enabled rule on every draft, blockers first, without duplicates.

    Text checks run per draft (each account's variant may differ); network checks (relay share,
    frequency) once per network, since a post sent to two accounts of a network is one post there.
    """
    ctx = Context(history=history, drafts=drafts, now=now, zone=zone)
    findings: list[Finding] = []
    seen: set[tuple[int | None, str, str, str]] = set()
    done_networks: set[tuple[int, str]] = set()
    for index, rule in enumerate(rules):
        check = CHECKS.get(rule.kind)
        if check is None:
            continue
        for draft in drafts:
            if not rule.applies_to(draft.network):
                continue
            if rule.kind in TEXT_KINDS and draft.relay_kind == "repost":
                continue
            if rule.kind in NETWORK_KINDS:
                if (index, draft.network) in done_networks:
                    continue
                done_networks.add((index, draft.network))
            for message in check(rule, draft, ctx):
                key = (rule.id, rule.kind, draft.network, message)
                if key in seen:
                    continue
                seen.add(key)
                findings.append(
                    Finding(
                        rule_id=rule.id,
                        rule_kind=str(rule.kind),
                        severity=BLOCKER if rule.severity == BLOCKER else WARNING,
                        network=draft.network,
                        message=message,
                        account_id=draft.account_id,
                    )
                )
    findings.sort(key=lambda finding: 0 if finding.is_blocker else 1)
    return findings


def has_blocker(findings: Iterable[Finding]) -> bool:
    return any(finding.is_blocker for finding in findings)
