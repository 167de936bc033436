"""The message class: a logistic-regression head on e5 embeddings.

Classes (issue 4, triage on arrival): question, praise, criticism, aggressive,
insult-or-hate, spam-or-advertising, other. The built-in starting model is
trained at first use from ``data/seed_labels.jsonl`` (original examples written
for Parvis, French mostly, some English). A workspace's model is the same head
retrained on the seed set plus the community manager's corrections; it is
stored as bytes (numpy arrays in an ``.npz`` read with ``allow_pickle=False``,
plus JSON), never as a pickle.
"""

from __future__ import annotations

import io
import json
import re
import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

import numpy as np
import numpy.typing as npt

from parvis.nlp.embeddings import embed

LABELS = (
    "question",
    "praise",
    "criticism",
    "aggressive",
    "insult-or-hate",
    "spam-or-advertising",
    "other",
)
FORMAT = "parvis.nlp.classes/1"
DEFAULT_C = 10.0
SEED_FILE = "seed_labels.jsonl"

# @handles say who is addressed, not what is said; an unknown handle (with digits, underscores,
# a server name) made the model lean towards spam: "@cci_demo Merci pour l'info" came out as spam.
_MENTION = re.compile(r"(?<![\w@])@[\w.-]+(?:@[\w.-]+(?::\d+)?)?")
_SPACES = re.compile(r"\s+")


def class_text(text: str) -> str:
    """The text the class is read from: without @mentions (a text of mentions only stays as it is)."""
    stripped = _SPACES.sub(" ", _MENTION.sub(" ", text)).strip()
    return stripped or text


def embed_for_class(texts: Sequence[str]) -> npt.NDArray[np.float32]:
    """Embeddings of `class_text` of each text: what the class head is trained and read on."""
    return embed([class_text(text) for text in texts])


FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Prediction:
    label: str
    score: float  # probability of the label
    probabilities: dict[str, float]


@dataclass(frozen=True, slots=True)
class Evaluation:
    macro_f1: float
    accuracy: float
    support: int
    per_class: dict[str, dict[str, float]]  # label -> precision, recall, f1, support
    report: str  # scikit-learn's text report


class ClassModel:
    """Multinomial logistic regression over L2-normalised e5 ("query: ") embeddings."""

    def __init__(
        self,
        classes: Sequence[str],
        coef: FloatArray,
        intercept: FloatArray,
        meta: dict[str, Any] | None = None,
    ) -> None:
        self.classes = tuple(classes)
        self.coef = np.asarray(coef, dtype=np.float64)
        self.intercept = np.asarray(intercept, dtype=np.float64)
        self.meta = dict(meta or {})
        if self.coef.ndim != 2 or self.intercept.shape != (self.coef.shape[0],):
            raise ValueError("coef must be (k, dim) and intercept (k,)")
        binary = len(self.classes) == 2 and self.coef.shape[0] == 1
        if not binary and self.coef.shape[0] != len(self.classes):
            raise ValueError("one row of coefficients per class is expected")

    # -- training -------------------------------------------------------------------

    @classmethod
    def fit(cls, texts: Sequence[str], labels: Sequence[str], c: float = DEFAULT_C) -> ClassModel:
        """Train on texts and their labels (any label names; at least two distinct)."""
        if len(texts) != len(labels):
            raise ValueError("texts and labels must have the same length")
        return cls.fit_embeddings(embed_for_class(texts), labels, c=c)

    @classmethod
    def fit_embeddings(
        cls, vectors: npt.NDArray[np.floating[Any]], labels: Sequence[str], c: float = DEFAULT_C
    ) -> ClassModel:
        from sklearn.linear_model import LogisticRegression

        if len(set(labels)) < 2:
            raise ValueError("at least two distinct labels are needed to train")
        head = LogisticRegression(C=c, class_weight="balanced", max_iter=2000)
        head.fit(np.asarray(vectors, dtype=np.float64), list(labels))
        counts = Counter(labels)
        meta = {"c": c, "examples": len(labels), "per_class": {str(k): counts[k] for k in head.classes_}}
        return cls([str(label) for label in head.classes_], head.coef_, head.intercept_, meta)

    # -- prediction -----------------------------------------------------------------

    def probabilities(self, vectors: npt.NDArray[np.floating[Any]]) -> FloatArray:
        scores = np.asarray(vectors, dtype=np.float64) @ self.coef.T + self.intercept
        if scores.shape[1] == 1:  # binary head: one logit for the second class
            positive = 1.0 / (1.0 + np.exp(-scores[:, 0]))
            return np.column_stack([1.0 - positive, positive])
        scores -= scores.max(axis=1, keepdims=True)
        exp = np.exp(scores)
        result: FloatArray = exp / exp.sum(axis=1, keepdims=True)
        return result

    def predict_embeddings(self, vectors: npt.NDArray[np.floating[Any]]) -> list[Prediction]:
        probabilities = self.probabilities(vectors)
        predictions = []
        for row in probabilities:
            best = int(np.argmax(row))
            predictions.append(
                Prediction(
                    label=self.classes[best],
                    score=float(row[best]),
                    probabilities={label: float(p) for label, p in zip(self.classes, row, strict=True)},
                )
            )
        return predictions

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        if not texts:
            return []
        return self.predict_embeddings(embed_for_class(texts))

    # -- storage --------------------------------------------------------------------

    def to_bytes(self) -> bytes:
        header = {"format": FORMAT, "classes": list(self.classes), "meta": self.meta}
        buffer = io.BytesIO()
        np.savez_compressed(
            buffer,
            header=np.frombuffer(json.dumps(header).encode("utf-8"), dtype=np.uint8),
            coef=self.coef,
            intercept=self.intercept,
        )
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> ClassModel:
        """Load a model saved by ``to_bytes``; arrays only, no pickle, so untrusted bytes cannot run code."""
        with np.load(io.BytesIO(data), allow_pickle=False) as arrays:
            header = json.loads(arrays["header"].tobytes().decode("utf-8"))
            if header.get("format") != FORMAT:
                raise ValueError(f"not a Parvis class model: {header.get('format')!r}")
            coef = np.array(arrays["coef"], dtype=np.float64)
            intercept = np.array(arrays["intercept"], dtype=np.float64)
        classes = header["classes"]
        if not isinstance(classes, list) or not all(isinstance(label, str) for label in classes):
            raise ValueError("classes must be a list of strings")
        if not (np.all(np.isfinite(coef)) and np.all(np.isfinite(intercept))):
            raise ValueError("non-finite coefficients")
        return cls(classes, coef, intercept, header.get("meta") or {})


# -- evaluation ----------------------------------------------------------------------


def evaluate(model: ClassModel, texts: Sequence[str], labels: Sequence[str]) -> Evaluation:
    """Scores of ``model`` on held-out labelled texts."""
    predicted = [prediction.label for prediction in model.predict(texts)]
    return score(labels, predicted)


def score(truth: Sequence[str], predicted: Sequence[str]) -> Evaluation:
    from sklearn.metrics import accuracy_score, classification_report, f1_score

    names = sorted(set(truth) | set(predicted))
    raw = classification_report(truth, predicted, labels=names, output_dict=True, zero_division=0)
    per_class = {
        name: {key: float(raw[name][key]) for key in ("precision", "recall", "f1-score", "support")} for name in names
    }
    return Evaluation(
        macro_f1=float(f1_score(truth, predicted, labels=names, average="macro", zero_division=0)),
        accuracy=float(accuracy_score(truth, predicted)),
        support=len(truth),
        per_class=per_class,
        report=str(classification_report(truth, predicted, labels=names, zero_division=0, digits=3)),
    )


def cross_validate(texts: Sequence[str], labels: Sequence[str], folds: int = 5, c: float = DEFAULT_C) -> Evaluation:
    """Stratified k-fold: every text is predicted by a model that did not see it; one pooled score."""
    from sklearn.model_selection import StratifiedKFold

    vectors = embed_for_class(texts)
    label_array = np.asarray(labels)
    predicted = np.empty(len(labels), dtype=object)
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=0)
    for train, test in splitter.split(vectors, label_array):
        model = ClassModel.fit_embeddings(vectors[train], list(label_array[train]), c=c)
        predicted[test] = [p.label for p in model.predict_embeddings(vectors[test])]
    return score(list(labels), [str(label) for label in predicted])


# -- the built-in starting model ---------------------------------------------------------


def load_seed() -> tuple[list[str], list[str]]:
    """The seed set: (texts, labels)."""
    raw = resources.files("parvis.nlp").joinpath("data", SEED_FILE).read_text(encoding="utf-8")
    texts, labels = [], []
    for line in raw.splitlines():
        if line.strip():
            row = json.loads(line)
            texts.append(str(row["text"]))
            labels.append(str(row["label"]))
    return texts, labels


_seed_lock = threading.Lock()
_seed_model: ClassModel | None = None


def seed_model() -> ClassModel:
    """The starting model, trained once per process from the seed set (a few seconds)."""
    global _seed_model
    if _seed_model is None:
        with _seed_lock:
            if _seed_model is None:
                texts, labels = load_seed()
                model = ClassModel.fit(texts, labels)
                model.meta["source"] = "seed"
                _seed_model = model
    return _seed_model


def retrain(extra_texts: Sequence[str], extra_labels: Sequence[str], c: float = DEFAULT_C) -> ClassModel:
    """A workspace model: the seed set plus corrections (a correction of a seed text replaces its label)."""
    if len(extra_texts) != len(extra_labels):
        raise ValueError("texts and labels must have the same length")
    texts, labels = load_seed()
    corrected = dict(zip(extra_texts, extra_labels, strict=True))
    merged = {text: label for text, label in zip(texts, labels, strict=True)}
    merged.update(corrected)
    model = ClassModel.fit(list(merged), list(merged.values()), c=c)
    model.meta["source"] = "seed+corrections"
    model.meta["corrections"] = len(corrected)
    return model
