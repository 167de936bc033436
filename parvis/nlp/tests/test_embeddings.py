import numpy as np
import pytest

from parvis.nlp.embeddings import DIM, embed


def test_batch_is_normalised_and_ordered(seed):
    texts = ["Quels sont vos horaires ?", "À quelle heure ouvrez-vous ?", "Achetez des followers pas chers"]
    vectors = embed(texts)
    assert vectors.shape == (3, DIM)
    assert vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    # Two ways of asking the opening hours are closer to each other than to spam.
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]
    # Batch and one-by-one agree, and the order is kept.
    assert np.allclose(embed([texts[2]])[0], vectors[2], atol=1e-5)


def test_empty_inputs(seed):
    assert embed([]).shape == (0, DIM)
    assert np.allclose(np.linalg.norm(embed(["", "  "]), axis=1), 1.0, atol=1e-5)


def test_single_string_is_refused():
    with pytest.raises(TypeError):
        embed("texte")  # type: ignore[arg-type]


def test_query_and_passage_prefixes_differ(seed):
    query, passage = embed(["horaires"], kind="query")[0], embed(["horaires"], kind="passage")[0]
    assert not np.allclose(query, passage)
