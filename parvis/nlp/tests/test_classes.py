import numpy as np
import pytest

from parvis.nlp import classes
from parvis.nlp.classes import LABELS, ClassModel


def test_seed_set_covers_every_class():
    texts, labels = classes.load_seed()
    assert set(labels) == set(LABELS)
    assert min(labels.count(label) for label in LABELS) >= 30
    assert len(set(texts)) == len(texts)


@pytest.mark.parametrize(
    "text",
    [
        "Bonjour, comment faire pour réserver une table pour vendredi ?",
        "Quand est-ce que la piscine rouvre après la fermeture technique ?",
        "When does the summer festival start?",
    ],
)
def test_seed_model_classifies_questions(seed, text):
    (prediction,) = seed.predict([text])
    assert prediction.label == "question"
    assert prediction.score == max(prediction.probabilities.values())
    assert sum(prediction.probabilities.values()) == pytest.approx(1.0)


def test_seed_model_on_other_classes(seed):
    predictions = seed.predict(
        [
            "Merci à toute l'équipe pour ce magnifique week-end, bravo !",
            "Gagnez 1000€ par semaine sans rien faire, cliquez sur le lien http://argent.example",
            "Bande de connards, vous êtes tous des abrutis.",
        ]
    )
    assert [p.label for p in predictions] == ["praise", "spam-or-advertising", "insult-or-hate"]


def test_round_trip_gives_identical_predictions(seed):
    texts = ["Quel est le prix d'entrée ?", "Vous êtes nuls", "Super concert !", "Je passerai demain"]
    copy = ClassModel.from_bytes(seed.to_bytes())
    assert copy.classes == seed.classes
    assert copy.meta == seed.meta
    before, after = seed.predict(texts), copy.predict(texts)
    assert [p.label for p in before] == [p.label for p in after]
    assert np.allclose([p.score for p in before], [p.score for p in after])


def test_from_bytes_refuses_pickles_and_foreign_data():
    import io
    import pickle

    with pytest.raises(ValueError):
        ClassModel.from_bytes(pickle.dumps({"coef": 1}))
    buffer = io.BytesIO()
    np.savez(buffer, header=np.array([{"format": "x"}], dtype=object))
    with pytest.raises(ValueError):  # object arrays need pickle: refused
        ClassModel.from_bytes(buffer.getvalue())


def test_retraining_on_corrections_changes_their_prediction(seed):
    # This workspace counts ticket resale offers as "other" (members helping each other), not spam.
    corrections = [
        "Je revends deux places pour le concert de samedi, au prix coûtant",
        "Qui veut ma place pour la pièce de jeudi ? Je ne peux plus y aller",
        "Je cède mon billet pour le festival, même prix que moi",
        "Place à vendre pour le spectacle de dimanche, prix d'achat",
        "Je revends mon pass week-end, je ne peux plus venir",
        "Deux billets à céder pour vendredi soir, au prix payé",
    ]
    probe = "Je revends ma place pour le concert de vendredi, au prix coûtant"
    assert seed.predict([probe])[0].label != "other"
    model = classes.retrain(corrections, ["other"] * len(corrections))
    assert model.meta["corrections"] == len(corrections)
    assert model.predict([probe])[0].label == "other"
    assert [p.label for p in model.predict(corrections)] == ["other"] * len(corrections)


def test_fit_with_custom_labels_and_binary_head(seed):
    model = ClassModel.fit(
        ["horaires ?", "prix ?", "quand ?", "génial", "bravo", "merci"], ["q", "q", "q", "p", "p", "p"]
    )
    assert model.classes == ("p", "q")
    assert model.predict(["c'est ouvert quand ?"])[0].label == "q"
    assert ClassModel.from_bytes(model.to_bytes()).predict(["bravo !"])[0].label == "p"
    with pytest.raises(ValueError):
        ClassModel.fit(["a", "b"], ["x", "x"])


def test_evaluate_reports_macro_f1_and_per_class(seed):
    texts = ["Quels sont vos tarifs ?", "Bravo pour tout !", "Vous êtes des idiots"]
    result = classes.evaluate(seed, texts, ["question", "praise", "insult-or-hate"])
    assert result.macro_f1 == pytest.approx(1.0)
    assert set(result.per_class) == {"question", "praise", "insult-or-hate"}
    assert "macro avg" in result.report
    partial = classes.score(["a", "b"], ["a", "a"])
    assert partial.accuracy == 0.5
    assert partial.per_class["b"]["recall"] == 0.0
