"""Cheap signals about a message, returned as data for a person or a model to weigh.

None of them is a decision. Profanity lists (safetext's French and English
word lists, shipped in its wheel) catch swearing, not hate, and they also
match counter-speech that quotes an insult: never hide a message on them alone.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from functools import cache
from importlib import resources
from typing import Any

PROFANITY_LANGUAGES = ("fr", "en")

_WORD = re.compile(r"\b\w+\b")
_LINK = re.compile(r"(?:https?://|www\.)\S+|\b[\w-]+\.(?:com|fr|net|org|io|ly|example)(?:/\S*)?\b", re.IGNORECASE)
_MENTION = re.compile(r"(?<![\w@])@[\w.-]+(?:@[\w.-]+)?")
_HASHTAG = re.compile(r"(?<!\w)#\w+")
_REPEAT = re.compile(r"(.)\1{2,}", re.DOTALL)


@dataclass(frozen=True, slots=True)
class Signals:
    profanity: tuple[str, ...] = field(default_factory=tuple)  # the listed words found, lower-case, once each
    links: int = 0
    mentions: int = 0
    hashtags: int = 0
    mentions_only: bool = False  # nothing but @handles (and spaces/punctuation)
    caps_share: float = 0.0  # share of upper-case letters among letters, 0..1
    repeated_chars: int = 0  # runs of 3 or more identical characters ("!!!", "nooon")
    exclamations: int = 0
    question_mark: bool = False

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["profanity"] = list(self.profanity)
        return data


@dataclass(frozen=True, slots=True)
class _WordList:
    words: frozenset[str]
    phrases: tuple[str, ...]


@cache
def _word_list(language: str) -> _WordList:
    text = resources.files("safetext").joinpath(f"languages/{language}/words.txt").read_text(encoding="utf-8")
    entries = {line.strip().lower() for line in text.splitlines() if line.strip()}
    return _WordList(
        words=frozenset(entry for entry in entries if " " not in entry),
        phrases=tuple(sorted(entry for entry in entries if " " in entry)),
    )


def warm_up() -> None:
    for language in PROFANITY_LANGUAGES:
        _word_list(language)


def profanity(text: str, languages: Sequence[str] = PROFANITY_LANGUAGES) -> tuple[str, ...]:
    """Words or phrases of safetext's lists found in the text (same matching rules as safetext)."""
    lower = text.lower()
    tokens = _WORD.findall(lower)
    found: list[str] = []
    for language in languages:
        if language not in PROFANITY_LANGUAGES:
            continue
        word_list = _word_list(language)
        found.extend(token for token in tokens if token in word_list.words)
        found.extend(phrase for phrase in word_list.phrases if phrase in lower)
    return tuple(dict.fromkeys(found))


def compute(text: str) -> Signals:
    letters = [ch for ch in text if ch.isalpha()]
    uppers = sum(ch.isupper() for ch in letters)
    mentions = _MENTION.findall(text)
    rest = _MENTION.sub(" ", text)
    return Signals(
        profanity=profanity(text),
        links=len(_LINK.findall(text)),
        mentions=len(mentions),
        hashtags=len(_HASHTAG.findall(text)),
        mentions_only=bool(mentions) and not any(ch.isalnum() for ch in rest),
        caps_share=round(uppers / len(letters), 3) if letters else 0.0,
        repeated_chars=len(_REPEAT.findall(text)),
        exclamations=text.count("!"),
        question_mark="?" in text,
    )


def compute_batch(texts: Sequence[str]) -> list[Signals]:
    return [compute(text) for text in texts]
