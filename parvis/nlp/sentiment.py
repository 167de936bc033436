"""Sentiment, offline, with vaderSentiment-fr (a French port of VADER).

French uses the package's French lexicon, negations and emoji descriptions.
The same wheel ships the original English VADER lexicon (tab-separated, a
format the French loader does not read): English texts use it through a small
subclass that parses that format and checks English negations, which gives
VADER's English behaviour for most sentences (its English idioms and "but"
rules are not ported). Other languages fall back to the French analyser, whose
lexicon lookups are accent-insensitive.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

SentimentLabel = Literal["positive", "neutral", "negative"]

# VADER's usual cut-offs on the compound score.
THRESHOLD = 0.05

_EN_NEGATE = frozenset(
    [
        "aint",
        "arent",
        "cannot",
        "cant",
        "couldnt",
        "darent",
        "didnt",
        "doesnt",
        "dont",
        "hadnt",
        "hasnt",
        "havent",
        "isnt",
        "mightnt",
        "mustnt",
        "neither",
        "never",
        "none",
        "nope",
        "nor",
        "not",
        "nothing",
        "nowhere",
        "oughtnt",
        "shant",
        "shouldnt",
        "wasnt",
        "werent",
        "without",
        "wont",
        "wouldnt",
        "rarely",
        "seldom",
        "despite",
    ]
)


@dataclass(frozen=True, slots=True)
class Sentiment:
    label: SentimentLabel
    score: float  # VADER's compound score, from -1 (negative) to 1 (positive)


def _import_vader() -> Any:
    with warnings.catch_warnings():
        # fuzzywuzzy warns that python-Levenshtein is missing; only the unused "max" scoring needs speed there.
        warnings.simplefilter("ignore", UserWarning)
        from vaderSentiment_fr import vaderSentiment

    return vaderSentiment


@cache
def _french() -> Any:
    return _import_vader().SentimentIntensityAnalyzer()


@cache
def _english() -> Any:
    vader = _import_vader()
    base: Any = vader.SentimentIntensityAnalyzer
    n_scalar = float(vader.N_SCALAR)

    class EnglishAnalyzer(base):  # type: ignore[misc]
        def make_lex_dict(self) -> dict[str, float]:
            lexicon: dict[str, float] = {}
            for line in self.lexicon_full_filepath.splitlines():
                parts = line.strip().split("\t")
                if len(parts) >= 2:
                    lexicon[parts[0]] = float(parts[1])
            return lexicon

        @staticmethod
        def _negation_check(valence: float, words_and_emoticons: list[str], start_i: int, i: int) -> float:
            previous = str(words_and_emoticons[i - (start_i + 1)]).lower().replace("\u2019", "'")
            # The tokeniser splits on apostrophes: "don't" arrives as "don", "t".
            if previous.replace("'", "") in _EN_NEGATE or previous == "t" or previous.endswith("n't"):
                return valence * n_scalar
            return valence

    return EnglishAnalyzer(lexicon_file="vader_lexicon.txt", emoji_lexicon="emoji_utf8_lexicon.txt")


def warm_up() -> None:
    """Read both lexicons now (a few hundredths of a second each)."""
    _french()
    _english()


def label_for(compound: float) -> SentimentLabel:
    if compound >= THRESHOLD:
        return "positive"
    if compound <= -THRESHOLD:
        return "negative"
    return "neutral"


def analyse(text: str, language: str = "fr") -> Sentiment:
    """Sentiment of one text; ``language`` is an ISO 639-1 code ("en" selects English VADER)."""
    return analyse_batch([text], [language])[0]


def analyse_batch(texts: Sequence[str], languages: Sequence[str] | None = None) -> list[Sentiment]:
    """Sentiment of each text, in order. ``languages`` (ISO codes, "" for unknown) defaults to French."""
    if languages is None:
        languages = ["fr"] * len(texts)
    if len(languages) != len(texts):
        raise ValueError("texts and languages must have the same length")
    results: list[Sentiment] = []
    for text, language in zip(texts, languages, strict=True):
        analyser = _english() if language == "en" else _french()
        compound = float(analyser.polarity_scores(text)["compound"]) if text.strip() else 0.0
        if math.isnan(compound):
            compound = 0.0
        results.append(Sentiment(label=label_for(compound), score=compound))
    return results
