from parvis.nlp.signals import compute, compute_batch, profanity


def test_profanity_from_safetext_lists_french_and_english():
    assert profanity("Bande de connards") == ("connards",)
    assert profanity("You moron") == ("moron",)
    assert profanity("Bonjour, quels sont vos horaires ?") == ()


def test_profanity_is_a_signal_even_in_counter_speech():
    # Quoting an insult to denounce it still matches: that is why it is never a hide decision alone.
    assert compute("Traiter les gens de connards n'est pas acceptable.").profanity == ("connards",)


def test_links_mentions_hashtags():
    signals = compute("@alice regarde https://example.org/promo et www.spam.example #promo")
    assert signals.links == 2
    assert signals.mentions == 1
    assert signals.hashtags == 1
    assert not signals.mentions_only


def test_mentions_only():
    assert compute("@alice @bob@mastodon.social").mentions_only
    assert not compute("@alice merci !").mentions_only
    assert not compute("merci !").mentions_only


def test_caps_repeats_and_punctuation():
    signals = compute("RÉPONDEZ MAINTENANT !!!")
    assert signals.caps_share == 1.0
    assert signals.repeated_chars == 1
    assert signals.exclamations == 3
    calm = compute("Quand ouvrez-vous ?")
    assert calm.caps_share < 0.2
    assert calm.question_mark
    assert calm.repeated_chars == 0


def test_empty_and_batch():
    empty, other = compute_batch(["", "ok"])
    assert empty.caps_share == 0.0
    assert empty.as_dict()["profanity"] == []
    assert other.links == 0
