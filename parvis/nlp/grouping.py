"""Grouping messages that ask the same thing: near-duplicates and paraphrases. Pure Python, no Django.

Two signals, both cheap, both offline:

- **near-duplicates**: the same words give or take a mention, a link, a typo or the word order.
  Texts are normalised (lower case, accents removed, @mentions, links and the ``#`` of hashtags
  removed, punctuation dropped) and compared with rapidfuzz (``max(ratio, token_sort_ratio)``).
- **paraphrases**: the same question in other words, or in another language. The *content* of the
  text (the normalised words minus question frames and stop words, accents kept) is embedded with
  the bundled multilingual e5-small (``parvis.nlp.embeddings``) and compared by cosine similarity
  with each group's centroid (the mean of its members' vectors).

The API is incremental: `assign` takes the groups already known (a key, a centroid, a few normalised
texts, a size) and new items, and puts each item in the best group above the thresholds, or starts a
new group that the next items of the same batch can join. Thresholds are parameters
(`GroupingParams`); the defaults were tuned on the labelled set of French and English questions in
``parvis/nlp/tests/test_grouping.py`` (see docs/grouping.md for the figures and the command).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Literal

import numpy as np
import numpy.typing as npt

try:  # rapidfuzz is a C++ extension; difflib keeps grouping alive (slower, a little different) without it.
    from rapidfuzz import fuzz as _fuzz
    from rapidfuzz import process as _process

    def _ratio(a: str, b: str) -> float:
        return max(_fuzz.ratio(a, b), _fuzz.token_sort_ratio(a, b)) / 100.0

    def _best_match(query: str, choices: Sequence[str], cutoff: float) -> tuple[float, int] | None:
        """The most similar of `choices` (score 0..1, index) at or above `cutoff`, in C++."""
        best: tuple[float, int] | None = None
        for scorer in (_fuzz.ratio, _fuzz.token_sort_ratio):
            found = _process.extractOne(query, choices, scorer=scorer, score_cutoff=cutoff * 100)
            if found is not None and (best is None or found[1] / 100.0 > best[0]):
                best = (found[1] / 100.0, found[2])
        return best

except ImportError:  # pragma: no cover - rapidfuzz is a dependency
    from difflib import SequenceMatcher

    def _ratio(a: str, b: str) -> float:
        plain = SequenceMatcher(None, a, b).ratio()
        sorted_ = SequenceMatcher(None, " ".join(sorted(a.split())), " ".join(sorted(b.split()))).ratio()
        return max(plain, sorted_)

    def _best_match(query: str, choices: Sequence[str], cutoff: float) -> tuple[float, int] | None:
        scored = [(_ratio(query, choice), index) for index, choice in enumerate(choices)]
        best = max(scored, default=None)
        return best if best is not None and best[0] >= cutoff else None


Vector = npt.NDArray[np.float32]
How = Literal["near-duplicate", "paraphrase", "new"]

_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_MENTION = re.compile(r"(?<![\w@])@[\w.-]+(?:@[\w.-]+)?")
_TRAILING_HASHTAGS = re.compile(r"(?:\s*#\w+)+\s*$")
_HASHTAG = re.compile(r"(?<!\w)#(\w+)")
_NOT_WORD = re.compile(r"[^\w\s]+")
_SPACES = re.compile(r"\s+")
_WORD = re.compile(r"\w+(?:-\w+)*")
_ELISION = re.compile(r"\b(?:[cdjlmnst]|qu|jusqu|lorsqu|puisqu)['\u2019]", re.IGNORECASE)
_INTERROGATIVE = re.compile(
    r"^\s*(?:est-ce qu|comment\b|pourquoi\b|quand\b|où\b|combien\b|quel(?:le)?s?\b|qui\b|que\b|quoi\b|"
    r"peut-on\b|puis-je\b|faut-il\b|y a-t-il\b|how\b|what\b|when\b|where\b|why\b|which\b|who\b|"
    r"is there\b|are there\b|can i\b|can we\b|could you\b|do you\b|does\b|will\b)",
    re.IGNORECASE,
)

# Words that frame a question rather than say what it is about (French and English), compared
# after accents are removed. Removing them lets the embedding weigh what the question is about:
# with e5-small, "Où peut-on se garer pour venir au salon ?" is otherwise closer to
# "Faut-il s'inscrire pour venir au salon ?" than to "Y a-t-il un parking ?".
FRAME_WORDS = frozenset(
    """
    a ai as au aux avec avoir bonjour bonsoir ca ce ces cet cette ceci cela comment combien dans de des du elle elles
    en est et etre eu faire fait faut il ils je la le les leur leurs lui ma mais me merci mes moi mon ne nos notre nous
    on ont ou par pas peut peuvent peux plus pour pourquoi pourrai pourrais pourra pourrait puis quand que quel quelle
    quelles quels qui quoi sa salut sans se ses si son sont suis sur svp stp ta te tes toi ton tu un une va vais vas
    vont vos votre vous y t-il t-elle est-ce est-il est-elle a-t-il y-a-t-il peut-on puis-je faut-il sera seront
    aura aurait etait serait voila hello hi please thanks thank
    the an is are was were will would be been to of for in at on do does did i my me you your we our us can could how
    what when where why which who there it its this that these those with by from any some have has had am not
    """.split()  # noqa: SIM905 - a word list reads better as text
)


def fold(text: str) -> str:
    """Lower case without accents (é → e, ç → c): for comparing, never for showing."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def clean(text: str) -> str:
    """The text without the noise of social networks: links, @mentions, trailing hashtags, the ``#`` of others.

    Case and accents are kept: this is what the embedding model reads.
    """
    text = _URL.sub(" ", text)
    text = _MENTION.sub(" ", text)
    text = _TRAILING_HASHTAGS.sub(" ", text)
    text = _HASHTAG.sub(r"\1", text)
    return _SPACES.sub(" ", text).strip()


def normalise(text: str) -> str:
    """Comparable form for near-duplicates: cleaned, folded, elisions and punctuation removed, spaces collapsed."""
    text = _ELISION.sub("", fold(clean(text)).replace("\u2019", "'"))
    text = _NOT_WORD.sub(" ", text)
    return _SPACES.sub(" ", text).strip()


def content(text: str) -> str:
    """What the text is about, for the embedding: the cleaned words minus question frames and stop words.

    Falls back to the cleaned text when nothing is left ("Comment ?").
    """
    cleaned = clean(text)
    kept = [
        word
        for word in _WORD.findall(_ELISION.sub("", cleaned.replace("\u2019", "'")))
        if fold(word) not in FRAME_WORDS and not word.isdigit()
    ]
    return " ".join(kept) if kept else cleaned


def asks_something(text: str) -> bool:
    """A question mark (outside links) or a sentence that starts like a question, in French or English."""
    cleaned = clean(text)
    if "?" in cleaned:
        return True
    return any(_INTERROGATIVE.match(sentence) for sentence in re.split(r"[.!\n]+", cleaned) if sentence.strip())


def near_duplicate_score(a: str, b: str) -> float:
    """0..1, on already normalised texts."""
    if not a or not b:
        return 0.0
    return _ratio(a, b)


@dataclass(frozen=True, slots=True)
class GroupingParams:
    """Thresholds of `assign` (defaults tuned on the labelled set, see docs/grouping.md).

    near_duplicate: rapidfuzz similarity (0..1) of normalised texts above which two texts are the same.
    paraphrase: cosine similarity (0..1) of a content embedding with a group's centroid above which the
        message joins the group. e5-small's similarities are compressed (unrelated questions of the same
        topic often score 0.85-0.93): a lower value groups more and mixes more.
    cross_language: the same, when the message's language is known and differs from the group's main
        language (its first member's): the same question in French and in English scores lower than two
        French wordings, and the centroid is mostly made of the main language.
    min_chars: normalised texts shorter than this are never near-duplicates ("merci", "ok").
    samples: how many normalised texts a group keeps for the near-duplicate comparison.
    """

    near_duplicate: float = 0.9
    paraphrase: float = 0.94
    cross_language: float = 0.925
    min_chars: int = 12
    samples: int = 5


DEFAULT_PARAMS = GroupingParams()


@dataclass(slots=True)
class GroupState:
    """A group as `assign` sees it. `centroid` is the (unnormalised) mean of the members' vectors, or None
    when no member was embedded (a group of near-duplicates only)."""

    key: Hashable
    size: int = 0
    centroid: Vector | None = None
    embedded: int = 0  # members that contributed to the centroid
    samples: list[str] = field(default_factory=list)  # normalised texts
    languages: list[str] = field(default_factory=list)  # in order of arrival: the first is the main one

    def add(self, normalised: str, vector: Vector | None, samples: int, language: str = "") -> None:
        self.size += 1
        if language and language not in self.languages:
            self.languages.append(language)
        if vector is not None:
            if self.centroid is None or self.embedded == 0:
                self.centroid = vector.astype(np.float32).copy()
                self.embedded = 1
            else:
                total = self.centroid * self.embedded + vector
                self.embedded += 1
                self.centroid = (total / self.embedded).astype(np.float32)
        if normalised and normalised not in self.samples:
            self.samples.append(normalised)
            if len(self.samples) > samples:
                # Keep the first one (the group's question) and the latest.
                del self.samples[1]


@dataclass(frozen=True, slots=True)
class Item:
    """One text to place. `vector`: its content embedding (None: near-duplicates only)."""

    text: str
    vector: Vector | None = None
    language: str = ""  # ISO 639-1 when known


@dataclass(frozen=True, slots=True)
class Assignment:
    index: int  # of the item
    group: int  # index in the returned list of groups (the given ones first, then the new ones)
    how: How
    score: float  # the similarity that decided (1.0 for a new group)


def _unit(vector: Vector) -> Vector:
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm else vector


def assign(
    items: Sequence[Item], groups: Iterable[GroupState], params: GroupingParams = DEFAULT_PARAMS
) -> tuple[list[Assignment], list[GroupState]]:
    """Place each item, in order, in the most similar group above the thresholds, or in a new group.

    A near-duplicate wins over a paraphrase. Groups are updated as items join them (size, centroid,
    samples), so later items of the batch see the groups earlier ones started. Returns one Assignment
    per item and the list of groups: the given ones, in order, then the new ones (keys None).
    """
    states = list(groups)
    # Every sample of every group, flat, for one C++ search per item (a sample trimmed from a group
    # later stays here: it was a member's text, still evidence for the group).
    sample_texts = [sample for state in states for sample in state.samples]
    sample_groups = [position for position, state in enumerate(states) for _ in state.samples]
    assignments: list[Assignment] = []
    for index, item in enumerate(items):
        normalised = normalise(item.text)
        best: tuple[float, int, How] | None = None
        if len(normalised) >= params.min_chars and sample_texts:
            match = _best_match(normalised, sample_texts, params.near_duplicate)
            if match is not None:
                best = (match[0], sample_groups[match[1]], "near-duplicate")
        if best is None and item.vector is not None:
            candidates = [(position, state) for position, state in enumerate(states) if state.centroid is not None]
            if candidates:
                centroids = np.stack([_unit(state.centroid) for _, state in candidates if state.centroid is not None])
                scores = centroids @ item.vector
                thresholds = np.array(
                    [
                        params.cross_language
                        if item.language and state.languages and item.language != state.languages[0]
                        else params.paraphrase
                        for _, state in candidates
                    ]
                )
                margins = scores - thresholds
                top = int(np.argmax(margins))
                if float(margins[top]) >= 0:
                    best = (float(scores[top]), candidates[top][0], "paraphrase")
        if best is None:
            states.append(GroupState(key=None))
        decision: tuple[float, int, How] = best if best is not None else (1.0, len(states) - 1, "new")
        score, position, how = decision
        kept = normalised if len(normalised) >= params.min_chars else ""
        if kept and kept not in states[position].samples:
            sample_texts.append(kept)
            sample_groups.append(position)
        states[position].add(kept, item.vector, params.samples, item.language)
        assignments.append(Assignment(index=index, group=position, how=how, score=round(score, 4)))
    return assignments, states


# --- persistence of vectors ------------------------------------------------------------------------


def vector_to_bytes(vector: Vector) -> bytes:
    """float32, little-endian, raw: no pickle."""
    return np.asarray(vector, dtype="<f4").tobytes()


def vector_from_bytes(data: bytes | memoryview | None) -> Vector | None:
    if not data:
        return None
    return np.frombuffer(bytes(data), dtype="<f4").astype(np.float32)


# --- evaluation ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PairScores:
    precision: float
    recall: float
    predicted_pairs: int
    true_pairs: int


def pair_scores(truth: Sequence[Hashable], predicted: Sequence[Hashable]) -> PairScores:
    """Precision and recall over pairs of items: a pair is positive when both are in the same group."""
    true_pairs = {(i, j) for i, j in combinations(range(len(truth)), 2) if truth[i] == truth[j]}
    predicted_pairs = {(i, j) for i, j in combinations(range(len(predicted)), 2) if predicted[i] == predicted[j]}
    hits = len(true_pairs & predicted_pairs)
    precision = hits / len(predicted_pairs) if predicted_pairs else 1.0
    recall = hits / len(true_pairs) if true_pairs else 1.0
    return PairScores(precision, recall, len(predicted_pairs), len(true_pairs))


def evaluate(
    labelled: Sequence[tuple[str, str]],
    embed: Callable[[Sequence[str]], Vector],
    params: GroupingParams = DEFAULT_PARAMS,
    languages: Sequence[str] | None = None,
) -> PairScores:
    """Group (text, label) pairs with `assign`, in the given order, and score the pairs against the labels."""
    texts = [text for text, _ in labelled]
    vectors = embed([content(text) for text in texts])
    codes = list(languages) if languages is not None else [""] * len(texts)
    items = [Item(text, vectors[i], codes[i]) for i, text in enumerate(texts)]
    assignments, _ = assign(items, [], params)
    return pair_scores([label for _, label in labelled], [item.group for item in assignments])
