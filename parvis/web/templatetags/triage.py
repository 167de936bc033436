"""Template helpers of the triage area: the labels of classes and sentiments, the choices of the correction menu."""

from __future__ import annotations

from django import template

from parvis.inbox.models import Category, Sentiment

register = template.Library()

# Keys of the correction menu: digits for the class (in this order), signs for the sentiment.
SENTIMENT_KEYS = {Sentiment.POSITIVE: "+", Sentiment.NEUTRAL: "=", Sentiment.NEGATIVE: "-"}
_LABELS = {**dict(Category.choices), **dict(Sentiment.choices)}


@register.filter
def triage_label(value: str) -> str:
    """The translated name of a class or a sentiment value ("insult-or-hate" → "Insult or hate")."""
    return str(_LABELS.get(value, value))


@register.simple_tag
def triage_categories() -> list[tuple[str, str, str]]:
    """(value, label, key) of every class, keys 1..7."""
    return [(value, str(label), str(number)) for number, (value, label) in enumerate(Category.choices, start=1)]


@register.simple_tag
def triage_sentiments() -> list[tuple[str, str, str]]:
    """(value, label, key) of every sentiment, keys + = -."""
    return [(value, str(label), SENTIMENT_KEYS[Sentiment(value)]) for value, label in Sentiment.choices]
