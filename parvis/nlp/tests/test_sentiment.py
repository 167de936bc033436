from parvis.nlp.sentiment import analyse, analyse_batch, label_for


def test_clearly_positive_french_sentence_is_positive():
    result = analyse("Merci pour cette superbe soirée, l'équipe était géniale !", "fr")
    assert result.label == "positive"
    assert result.score > 0.3


def test_clearly_negative_french_sentence_is_negative():
    assert analyse("Service nul, je suis vraiment déçu et furieux.", "fr").label == "negative"


def test_french_negation_flips_polarity():
    assert analyse("Ce n'est pas bon du tout.", "fr").label == "negative"


def test_question_without_feeling_is_neutral():
    assert analyse("Quels sont vos horaires d'ouverture ?", "fr").label == "neutral"


def test_english_uses_english_lexicon_and_negations():
    positive, negative, negated, contracted = analyse_batch(
        [
            "Great evening, thanks to the whole team!",
            "Terrible service, very disappointed.",
            "This is not good",
            "I don't like it",
        ],
        ["en"] * 4,
    )
    assert positive.label == "positive"
    assert negative.label == "negative"
    assert negated.label == "negative"
    assert contracted.label == "negative"


def test_batch_keeps_order_and_defaults_to_french():
    results = analyse_batch(["C'est génial", "", "C'est horrible"])
    assert [r.label for r in results] == ["positive", "neutral", "negative"]
    assert results[1].score == 0.0


def test_thresholds():
    assert label_for(0.05) == "positive"
    assert label_for(0.0) == "neutral"
    assert label_for(-0.05) == "negative"
