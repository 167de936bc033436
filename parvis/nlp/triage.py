"""Triage on arrival: language, sentiment, class and signals for a batch of messages.

Everything runs offline from models shipped inside installed packages. The
class comes from the built-in seed model unless a workspace's retrained model
is given. Signals are data for the community manager, never a decision.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from parvis.nlp import embeddings, language, sentiment, signals
from parvis.nlp.classes import ClassModel, embed_for_class, seed_model
from parvis.nlp.sentiment import SentimentLabel


@dataclass(frozen=True, slots=True)
class Triage:
    language: str  # ISO 639-1, "" when it cannot be told
    sentiment: SentimentLabel
    sentiment_score: float  # VADER compound, -1..1
    label: str
    label_score: float  # probability of the label, 0..1
    signals: signals.Signals
    probabilities: dict[str, float] = field(default_factory=dict)


def warm_up(model: ClassModel | None = None) -> None:
    """Load every model now, so that the first batch is not slow; trains the seed model unless one is given."""
    language.warm_up()
    sentiment.warm_up()
    signals.warm_up()
    embeddings.warm_up()
    if model is None:
        seed_model()


def triage_batch(texts: Sequence[str], model: ClassModel | None = None) -> list[Triage]:
    """Triage each text, in order. ``model``: a workspace's class model (default: the seed model)."""
    if isinstance(texts, str):
        raise TypeError("triage_batch() takes a sequence of texts, not a single string")
    if not texts:
        return []
    head = model if model is not None else seed_model()
    languages = language.detect_languages(texts)
    feelings = sentiment.analyse_batch(texts, [code or "fr" for code in languages])
    predictions = head.predict_embeddings(embed_for_class(texts))
    found = signals.compute_batch(texts)
    return [
        Triage(
            language=code,
            sentiment=feeling.label,
            sentiment_score=feeling.score,
            label=prediction.label,
            label_score=prediction.score,
            signals=signal,
            probabilities=prediction.probabilities,
        )
        for code, feeling, prediction, signal in zip(languages, feelings, predictions, found, strict=True)
    ]
