"""Each workspace's class model: the seed model, retraining on people's corrections, measuring, caching.

1. A person corrects a class (`triage_services.message_correct_label`): a `LabelCorrection` row.
   About one correction in five is held out, by a hash of the message id, and never trained on.
2. After `TRIAGE_RETRAIN_EVERY` new corrections (or on "retrain now"), a `WorkspaceClassModel`
   row is queued and a background task trains it: the seed set plus the corrections that are not
   held out (a corrected seed text takes the new label), then measures the seed model and the new
   model on the same held-out corrections, and stores the model as bytes (no pickle).
3. Ingest uses the workspace's newest ready model, deserialised once per process and version.

The seed texts are embedded once per process and reused by every training: only corrections are
embedded at training time, so a retraining costs a few milliseconds per correction, not 3 s.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import numpy as np
import numpy.typing as npt
from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from parvis.core.models import Workspace
from parvis.inbox.models import CorrectionField, LabelCorrection, TrainingStatus, WorkspaceClassModel
from parvis.nlp import triage as nlp_triage
from parvis.nlp.classes import ClassModel, Evaluation, embed_for_class, load_seed, score

logger = logging.getLogger(__name__)


HELD_OUT_PERCENT = 20
DEFAULT_RETRAIN_EVERY = 5
# A queued or running training older than this is considered lost (a worker died): a new one may start.
STALE_TRAINING = timedelta(minutes=30)
CACHE_SIZE = 64


class TrainingError(ValueError):
    """A training cannot be requested; the message says why, for the user."""


def retrain_every() -> int:
    """New corrections (not held out) that trigger a background retraining; setting TRIAGE_RETRAIN_EVERY."""
    return max(1, int(getattr(settings, "TRIAGE_RETRAIN_EVERY", DEFAULT_RETRAIN_EVERY)))


def is_held_out(message_id: int) -> bool:
    """Deterministic ~20 % split by message id: the same message is always on the same side."""
    digest = hashlib.sha256(f"parvis.triage.held-out:{message_id}".encode()).digest()
    return int.from_bytes(digest[:4], "big") % 100 < HELD_OUT_PERCENT


# --- the seed model, from embeddings computed once per process ----------------------------------


@dataclass(frozen=True)
class _Seed:
    texts: list[str]
    labels: list[str]
    vectors: npt.NDArray[np.float32]
    model: ClassModel


_seed_lock = threading.Lock()
_seed: _Seed | None = None


def _seed_data() -> _Seed:
    global _seed
    if _seed is None:
        with _seed_lock:
            if _seed is None:
                texts, labels = load_seed()
                vectors = embed_for_class(texts)
                model = ClassModel.fit_embeddings(vectors, labels)
                model.meta["source"] = "seed"
                _seed = _Seed(texts=texts, labels=labels, vectors=vectors, model=model)
    return _seed


def seed_class_model() -> ClassModel:
    """The built-in model (same data and head as `parvis.nlp.classes.seed_model`)."""
    return _seed_data().model


def warm_up() -> None:
    """Load every triage model before the ingest transaction opens (registered with the in-pipe)."""
    nlp_triage.warm_up(model=seed_class_model())


def train_class_model(texts: list[str], labels: list[str]) -> ClassModel:
    """The seed set plus corrections (a corrected seed text takes the new label); only new texts are embedded.

    Same result as `parvis.nlp.classes.retrain`, without embedding the seed set again.
    """
    seed = _seed_data()
    merged: dict[str, str] = dict(zip(seed.texts, seed.labels, strict=True))
    merged.update(zip(texts, labels, strict=True))
    seed_index = {text: index for index, text in enumerate(seed.texts)}
    new_texts = [text for text in merged if text not in seed_index]
    new_vectors = dict(zip(new_texts, embed_for_class(new_texts), strict=True)) if new_texts else {}
    vectors = np.stack([seed.vectors[seed_index[text]] if text in seed_index else new_vectors[text] for text in merged])
    model = ClassModel.fit_embeddings(vectors, list(merged.values()))
    model.meta["source"] = "seed+corrections"
    model.meta["corrections"] = len(dict(zip(texts, labels, strict=True)))
    return model


# --- the workspace's model, cached per process -------------------------------------------------

_cache_lock = threading.Lock()
_cache: OrderedDict[tuple[int, int], ClassModel] = OrderedDict()


def current_version(workspace_id: int) -> tuple[int, int] | None:
    """(pk, version) of the workspace's newest ready model, or None (one small query, no blob)."""
    row = (
        WorkspaceClassModel.objects.filter(workspace_id=workspace_id, status=TrainingStatus.READY)
        .order_by("-version")
        .values_list("pk", "version")
        .first()
    )
    return (row[0], row[1]) if row else None


def class_model_for(workspace_id: int) -> tuple[ClassModel, int | None]:
    """The model that triages this workspace's messages, and its version (None: the seed model).

    The blob is read and deserialised once per (workspace, version) per process.
    """
    current = current_version(workspace_id)
    if current is None:
        return seed_class_model(), None
    pk, version = current
    key = (workspace_id, version)
    with _cache_lock:
        cached = _cache.get(key)
        if cached is not None:
            _cache.move_to_end(key)
            return cached, version
    blob = WorkspaceClassModel.objects.filter(pk=pk).values_list("blob", flat=True).first()
    try:
        model = ClassModel.from_bytes(bytes(blob or b""))
    except (ValueError, KeyError, OSError):
        logger.exception("class model %s of workspace %s is unreadable; using the seed model", pk, workspace_id)
        return seed_class_model(), None
    with _cache_lock:
        _cache[key] = model
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return model, version


def clear_cache() -> None:
    with _cache_lock:
        _cache.clear()


# --- corrections as training and measuring data --------------------------------------------------


def _latest_category_labels(
    workspace_id: int, *, held_out: bool, up_to: int | None = None
) -> tuple[list[str], list[str]]:
    """Texts and their class from people's corrections: the newest correction of each message wins."""
    rows = LabelCorrection.objects.filter(workspace_id=workspace_id, field=CorrectionField.CATEGORY, held_out=held_out)
    if up_to is not None:
        rows = rows.filter(pk__lte=up_to)
    seen: set[int] = set()
    texts: list[str] = []
    labels: list[str] = []
    for message_id, value, text in rows.order_by("message_id", "-pk").values_list(
        "message_id", "value", "message__text"
    ):
        if message_id in seen or not (text or "").strip():
            continue
        seen.add(message_id)
        texts.append(text)
        labels.append(value)
    return texts, labels


def held_out_set(workspace_id: int) -> tuple[list[str], list[str]]:
    return _latest_category_labels(workspace_id, held_out=True)


def last_correction_id(workspace_id: int) -> int:
    value = LabelCorrection.objects.filter(workspace_id=workspace_id, field=CorrectionField.CATEGORY).aggregate(
        top=Max("pk")
    )["top"]
    return int(value or 0)


def corrections_since_training(workspace_id: int) -> int:
    """Trainable corrections (not held out) newer than what the latest training covered."""
    covered = WorkspaceClassModel.objects.filter(workspace_id=workspace_id).exclude(status=TrainingStatus.FAILED)
    since = covered.aggregate(top=Max("last_correction_id"))["top"] or 0
    return LabelCorrection.objects.filter(
        workspace_id=workspace_id, field=CorrectionField.CATEGORY, held_out=False, pk__gt=since
    ).count()


def training_in_progress(workspace_id: int) -> WorkspaceClassModel | None:
    recent = timezone.now() - STALE_TRAINING
    return (
        WorkspaceClassModel.objects.filter(
            workspace_id=workspace_id,
            status__in=[TrainingStatus.QUEUED, TrainingStatus.TRAINING],
            requested_at__gte=recent,
        )
        .defer("blob")
        .order_by("-version")
        .first()
    )


# --- requesting and running a training -------------------------------------------------------------


def _enqueue(training_id: int) -> None:
    from parvis.inbox.tasks import retrain_class_model

    retrain_class_model.enqueue(training_id)


@transaction.atomic
def workspace_model_request_training(*, workspace: Workspace, requested_by: Any = None) -> WorkspaceClassModel:
    """Queue a training of the workspace's model (or return the one already queued or running).

    The task is enqueued when the surrounding transaction commits. Raises TrainingError when
    there is nothing to learn from yet.
    """
    Workspace.objects.select_for_update().filter(pk=workspace.pk).first()  # one request at a time per workspace
    running = training_in_progress(workspace.pk)
    if running is not None:
        return running
    if not LabelCorrection.objects.filter(workspace=workspace, field=CorrectionField.CATEGORY, held_out=False).exists():
        from django.utils.translation import gettext as _

        raise TrainingError(_("No correction of a class to learn from yet: correct a few messages first."))
    top = WorkspaceClassModel.objects.filter(workspace=workspace).aggregate(top=Max("version"))["top"] or 0
    user = requested_by if requested_by is not None and getattr(requested_by, "is_authenticated", False) else None
    training = WorkspaceClassModel.objects.create(
        workspace=workspace,
        version=top + 1,
        status=TrainingStatus.QUEUED,
        requested_at=timezone.now(),
        requested_by=user,
        last_correction_id=last_correction_id(workspace.pk),
    )
    training_id = training.pk
    transaction.on_commit(lambda: _enqueue(training_id), robust=True)
    return training


def _evaluation(model: ClassModel, vectors: npt.NDArray[np.float32], labels: list[str]) -> Evaluation:
    predicted = [prediction.label for prediction in model.predict_embeddings(vectors)]
    return score(labels, predicted)


def workspace_model_train(*, training_id: int) -> WorkspaceClassModel | None:
    """Run one queued training (called by the task). None when another worker took it or it is gone.

    No transaction is held while training: the row moves queued → training → ready/failed with
    conditional updates, so two workers never train the same row.
    """
    now = timezone.now()
    claimed = WorkspaceClassModel.objects.filter(pk=training_id, status=TrainingStatus.QUEUED).update(
        status=TrainingStatus.TRAINING, started_at=now
    )
    if not claimed:
        return None
    training = WorkspaceClassModel.objects.defer("blob").get(pk=training_id)
    try:
        up_to = last_correction_id(training.workspace_id)
        texts, labels = _latest_category_labels(training.workspace_id, held_out=False, up_to=up_to)
        if not texts:
            raise TrainingError("no correction to learn from")
        model = train_class_model(texts, labels)
        model.meta["workspace"] = training.workspace_id
        model.meta["version"] = training.version
        test_texts, test_labels = _latest_category_labels(training.workspace_id, held_out=True, up_to=up_to)
        fields: dict[str, Any] = {
            "status": TrainingStatus.READY,
            "blob": model.to_bytes(),
            "trained_at": timezone.now(),
            "last_correction_id": up_to,
            "n_corrections": len(texts),
            "n_held_out": len(test_texts),
            "error": "",
        }
        if test_texts:
            vectors = embed_for_class(test_texts)
            before = _evaluation(seed_class_model(), vectors, test_labels)
            after = _evaluation(model, vectors, test_labels)
            fields.update(
                accuracy_seed=before.accuracy,
                accuracy_new=after.accuracy,
                macro_f1_seed=before.macro_f1,
                macro_f1_new=after.macro_f1,
            )
    except Exception as error:  # recorded on the row for the page; the task itself does not retry
        logger.exception("training %s failed", training_id)
        WorkspaceClassModel.objects.filter(pk=training_id).update(
            status=TrainingStatus.FAILED, error=str(error)[:2000], trained_at=timezone.now()
        )
    else:
        WorkspaceClassModel.objects.filter(pk=training_id).update(**fields)
    return WorkspaceClassModel.objects.defer("blob").get(pk=training_id)
