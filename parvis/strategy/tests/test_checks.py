"""The charter's pure checks, rule kind by rule kind, on French text."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest

from parvis.strategy.checks import (
    BLOCKER,
    WARNING,
    DraftInfo,
    PastPost,
    RuleKind,
    RuleSpec,
    caps_share,
    ends_with_question,
    fold,
    forbidden_hits,
    has_blocker,
    run_checks,
    sentences_of,
)

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
# Wednesday 12 March 2025 (ISO week 11), 10:00 in Paris.
NOW = dt.datetime(2025, 3, 12, 10, tzinfo=PARIS)


def draft(text="Bonjour à tous.", network="mastodon", **kwargs) -> DraftInfo:
    return DraftInfo(network=network, account_id=kwargs.pop("account_id", 1), text=text, **kwargs)


def check(rule: RuleSpec, *drafts: DraftInfo, history=()) -> list:
    return run_checks([rule], list(drafts), list(history), now=NOW, zone=PARIS)


# --- image_required -------------------------------------------------------------------------


def test_a_facebook_post_without_an_image_is_reported():
    findings = check(RuleSpec(kind=RuleKind.IMAGE_REQUIRED, network="facebook"), draft(network="facebook"))

    assert [(f.rule_kind, f.network, f.severity) for f in findings] == [("image_required", "facebook", WARNING)]
    assert "Facebook" in findings[0].message


def test_a_facebook_post_with_an_image_passes():
    assert (
        check(RuleSpec(kind=RuleKind.IMAGE_REQUIRED, network="facebook"), draft(network="facebook", media_count=1))
        == []
    )


def test_an_image_rule_for_facebook_says_nothing_of_mastodon():
    assert check(RuleSpec(kind=RuleKind.IMAGE_REQUIRED, network="facebook"), draft(network="mastodon")) == []


def test_a_repost_needs_no_image():
    rule = RuleSpec(kind=RuleKind.IMAGE_REQUIRED, network="facebook")
    assert check(rule, draft(text="", network="facebook", is_relay=True, relay_kind="repost")) == []


# --- sentence_length ------------------------------------------------------------------------

LONG = (
    "La chambre de commerce et d'industrie de Lyon organise cette année encore son grand salon des "
    "entreprises qui réunira plus de deux cents exposants venus de toute la région Auvergne-Rhône-Alpes "
    "pour présenter leurs savoir-faire."
)


def test_long_sentences_are_counted_with_the_longest_length():
    text = f"{LONG} {LONG} Venez nombreux !"

    findings = check(RuleSpec(kind=RuleKind.SENTENCE_LENGTH, params={"max_words": 25}), draft(text))

    assert len(findings) == 1
    assert findings[0].message.startswith("2 sentences longer than 25 words (the longest has 34)")


def test_short_sentences_pass():
    text = "Le salon ouvre jeudi. Deux cents exposants vous attendent ! Vous venez ?"
    assert check(RuleSpec(kind=RuleKind.SENTENCE_LENGTH, params={"max_words": 25}), draft(text)) == []


def test_links_do_not_count_as_words_and_line_breaks_end_sentences():
    text = "Programme complet https://cci.example/un/tres/long/chemin/avec/des/mots\nInscriptions ici"
    assert check(RuleSpec(kind=RuleKind.SENTENCE_LENGTH, params={"max_words": 3}), draft(text)) == []
    assert sentences_of("Un. Deux ? Trois !\nQuatre… Cinq") == ["Un.", "Deux ?", "Trois !", "Quatre…", "Cinq"]


def test_the_thread_is_checked_too():
    findings = check(RuleSpec(kind=RuleKind.SENTENCE_LENGTH, params={"max_words": 25}), draft("Court.", thread=(LONG,)))
    assert len(findings) == 1


def test_the_french_message_carries_the_numbers():
    from django.utils import translation

    with translation.override("fr"):
        message = check(RuleSpec(kind=RuleKind.SENTENCE_LENGTH, params={"max_words": 25}), draft(f"{LONG} {LONG}"))[
            0
        ].message

    assert "2" in message and "25" in message and "34" in message


# --- question_ending ------------------------------------------------------------------------

QUESTION = RuleSpec(kind=RuleKind.QUESTION_ENDING, params={"goals": ["conversation"]})


def test_a_conversation_post_without_a_final_question_is_reported():
    findings = check(QUESTION, draft("Le salon ouvre jeudi.", goal="conversation"))
    assert [f.rule_kind for f in findings] == ["question_ending"]


@pytest.mark.parametrize(
    "text",
    [
        "Le salon ouvre jeudi. Qu'en pensez-vous ?",
        "Vous venez ? 👇",
        "Vous venez ? https://cci.example/salon #SalonCCI @marie",
        "Et vous, qu\u2019attendez-vous du salon ?»",
    ],
)
def test_a_final_question_satisfies_the_rule(text):
    assert ends_with_question(text)
    assert check(QUESTION, draft(text, goal="conversation")) == []


def test_the_question_rule_waits_for_a_conversation_goal():
    assert check(QUESTION, draft("Le salon ouvre jeudi.", goal="")) == []
    assert check(QUESTION, draft("Le salon ouvre jeudi.", goal="awareness")) == []


def test_a_question_rule_without_goals_applies_to_every_post():
    rule = RuleSpec(kind=RuleKind.QUESTION_ENDING, params={"goals": []})
    assert len(check(rule, draft("Le salon ouvre jeudi."))) == 1


def test_a_question_in_the_middle_is_not_an_ending():
    assert not ends_with_question("Vous venez ? Le salon ouvre jeudi.")


# --- forbidden_words / forbidden_topic ------------------------------------------------------


def test_forbidden_words_match_without_accents_or_case_and_report_the_texts_spelling():
    rule = RuleSpec(kind=RuleKind.FORBIDDEN_WORDS, params={"words": ["gratuit", "evenement"]}, severity=BLOCKER)

    findings = check(rule, draft("Entrée GRATUITE ? Non : GRATUIT pour les membres, à l'Événement de jeudi."))

    assert len(findings) == 1
    assert findings[0].severity == BLOCKER
    assert "« GRATUIT »" in findings[0].message
    assert "« Événement »" in findings[0].message
    assert "GRATUITE" not in findings[0].message  # whole words only


def test_forbidden_words_are_whole_words_only():
    rule = RuleSpec(kind=RuleKind.FORBIDDEN_WORDS, params={"words": ["con"]})
    assert check(rule, draft("Une conférence au contenu concret.")) == []


def test_a_star_matches_any_ending_and_phrases_match_across_spaces():
    assert forbidden_hits("Quelle arnaque, ces arnaqueurs ! Prix  cassés.", ["arnaque*", "prix cassés"]) == [
        "arnaque",
        "arnaqueurs",
        "Prix  cassés",
    ]


def test_ligatures_and_typographic_apostrophes_are_folded():
    assert fold("Œuvre d\u2019Élise") == "oeuvre d'elise"
    assert forbidden_hits("Une belle œuvre", ["oeuvre"]) == ["oeuvre"]


def test_a_forbidden_topic_names_the_topic():
    rule = RuleSpec(kind=RuleKind.FORBIDDEN_TOPIC, params={"topic": "politique", "words": ["élection*", "parti"]})

    findings = check(rule, draft("Avant les élections municipales, le salon reste ouvert."))

    assert len(findings) == 1
    assert "politique" in findings[0].message
    assert "« élections »" in findings[0].message


def test_the_first_comment_is_checked_for_forbidden_words():
    rule = RuleSpec(kind=RuleKind.FORBIDDEN_WORDS, params={"words": ["promo"]})
    assert len(check(rule, draft("Le salon ouvre.", first_comment="Code PROMO : CCI25"))) == 1


# --- tone -----------------------------------------------------------------------------------

TONE = RuleSpec(kind=RuleKind.TONE, params={"max_caps_share": 0.3, "max_exclamations": 1})


def test_shouting_in_capitals_is_reported_with_its_share():
    findings = check(TONE, draft("VENEZ TOUS AU SALON DES ENTREPRISES jeudi"))

    assert len(findings) == 1
    assert findings[0].message.startswith("86 % of the words are in capitals (30 % at most)")


def test_acronyms_and_hashtags_are_not_shouting():
    assert check(TONE, draft("La CCI et les PME au salon #SALONCCI avec @BPIFRANCE, inscriptions sur le site.")) == []
    assert caps_share("La CCI et les PME") == (2, 5)


def test_runs_of_exclamation_marks_are_reported_french_spacing_included():
    findings = check(TONE, draft("Le salon ouvre !!! Venez ! ! Merci !"))

    assert len(findings) == 1
    assert findings[0].message.startswith("2 runs of exclamation marks (up to 3 in a row, 1 at most)")


def test_a_single_exclamation_mark_is_fine():
    assert check(TONE, draft("Le salon ouvre jeudi ! Venez !")) == []


# --- relay_share ----------------------------------------------------------------------------


def past(*kinds: str, network="linkedin", start=NOW - dt.timedelta(days=20)) -> list[PastPost]:
    """One past post per letter: "o" own, "r" relayed, a day apart, oldest first."""
    return [
        PastPost(network=network, is_relay=kind == "r", published_at=start + dt.timedelta(days=i), post_id=100 + i)
        for i, kind in enumerate(kinds)
    ]


RELAY_MAX = RuleSpec(kind=RuleKind.RELAY_SHARE, params={"last_n": 9, "max_share": 1 / 3})
RELAY_MIN = RuleSpec(kind=RuleKind.RELAY_SHARE, params={"last_n": 9, "min_share": 0.11})


def test_one_relay_too_many_among_the_last_posts_is_reported():
    findings = check(RELAY_MAX, draft(network="linkedin", is_relay=True), history=past(*"oorrooro"))

    assert len(findings) == 1
    assert findings[0].message.startswith(
        "4 relayed posts among the last 9 on LinkedIn; the editorial line allows 3 at most"
    )


def test_relays_within_the_share_pass():
    assert check(RELAY_MAX, draft(network="linkedin", is_relay=True), history=past(*"ooorooooo")) == []


def test_older_posts_than_the_last_n_do_not_count():
    assert check(RELAY_MAX, draft(network="linkedin", is_relay=True), history=past(*"rrrrr", *"oooooooo")) == []


def test_own_content_is_never_blamed_for_too_many_relays():
    assert check(RELAY_MAX, draft(network="linkedin"), history=past(*"rrrrrrrr")) == []


def test_posts_on_other_networks_do_not_count():
    history = past(*"rrrrrrrr", network="mastodon")
    assert check(RELAY_MAX, draft(network="linkedin", is_relay=True), history=history) == []


def test_too_few_relays_is_reported_once_the_window_is_full():
    findings = check(RELAY_MIN, draft(network="linkedin"), history=past(*"oooooooo"))

    assert len(findings) == 1
    assert "asks for 1 at least" in findings[0].message


def test_a_young_account_is_not_blamed_for_too_few_relays():
    assert check(RELAY_MIN, draft(network="linkedin"), history=past(*"ooo")) == []


def test_posts_planned_after_the_draft_are_not_in_its_window():
    later = past(*"rrrr", start=NOW + dt.timedelta(days=3))
    assert check(RELAY_MAX, draft(network="linkedin", is_relay=True, scheduled_at=NOW), history=later) == []


def test_the_post_being_edited_is_not_counted_twice():
    history = past(*"oorrooor")  # 3 relays, the last one is the post being edited
    edited = draft(network="linkedin", is_relay=True, post_id=history[-1].post_id)
    assert check(RELAY_MAX, edited, history=history) == []


# --- frequency ------------------------------------------------------------------------------


def this_week(count: int, network="linkedin") -> list[PastPost]:
    monday = dt.datetime(2025, 3, 10, 9, tzinfo=PARIS)
    return [
        PastPost(network=network, is_relay=False, published_at=monday + dt.timedelta(hours=6 * i), post_id=200 + i)
        for i in range(count)
    ]


FREQUENCY = RuleSpec(kind=RuleKind.FREQUENCY, network="linkedin", params={"min_per_week": 1, "max_per_week": 2})


def test_one_post_too_many_this_week_is_reported_with_the_plan():
    findings = check(FREQUENCY, draft(network="linkedin", scheduled_at=NOW), history=this_week(2))

    assert len(findings) == 1
    assert findings[0].message == "3 posts planned this week on LinkedIn; the plan foresees 2 at most."


def test_the_french_frequency_message_reads_naturally():
    from django.utils import translation

    with translation.override("fr"):
        findings = check(FREQUENCY, draft(network="linkedin", scheduled_at=NOW), history=this_week(2))

    assert "LinkedIn" in findings[0].message and "3" in findings[0].message and "2" in findings[0].message


def test_posts_within_the_plan_pass():
    assert check(FREQUENCY, draft(network="linkedin", scheduled_at=NOW), history=this_week(1)) == []


def test_the_week_is_the_iso_week_in_the_workspace_time_zone():
    # Sunday 16 March 23:30 in Paris is Sunday 22:30 UTC: still week 11 here, not week 12.
    sunday_night = dt.datetime(2025, 3, 16, 22, 30, tzinfo=dt.UTC)
    history = this_week(2)
    assert len(check(FREQUENCY, draft(network="linkedin", scheduled_at=sunday_night), history=history)) == 1
    # Monday 17 March 00:30 in Paris starts week 12.
    monday = dt.datetime(2025, 3, 16, 23, 30, tzinfo=dt.UTC)
    assert check(FREQUENCY, draft(network="linkedin", scheduled_at=monday), history=history) == []


def test_other_weeks_are_named_by_their_monday():
    rule = RuleSpec(kind=RuleKind.FREQUENCY, params={"max_per_week": 0})

    next_week = check(rule, draft(scheduled_at=NOW + dt.timedelta(days=7)))[0].message
    later = check(rule, draft(scheduled_at=NOW + dt.timedelta(days=14)))[0].message

    assert next_week == "1 post planned next week on Mastodon; the plan foresees 0 at most."
    assert later == "1 post planned in the week of March 24 on Mastodon; the plan foresees 0 at most."


def test_a_week_below_the_plan_is_reported():
    rule = RuleSpec(kind=RuleKind.FREQUENCY, params={"min_per_week": 3})

    findings = check(rule, draft(network="mastodon", scheduled_at=NOW), history=this_week(1, network="mastodon"))

    assert findings[0].message == "2 posts planned this week on Mastodon; the plan foresees 3 at least."


def test_one_post_to_two_accounts_of_a_network_counts_once():
    drafts = [
        draft(network="linkedin", account_id=1, scheduled_at=NOW),
        draft(network="linkedin", account_id=2, scheduled_at=NOW),
    ]

    findings = run_checks([FREQUENCY], drafts, this_week(2), now=NOW, zone=PARIS)

    assert len(findings) == 1
    assert findings[0].message.startswith("3 posts")


# --- run_checks -----------------------------------------------------------------------------


def test_blockers_come_first_and_duplicates_are_merged():
    rules = [
        RuleSpec(id=1, kind=RuleKind.SENTENCE_LENGTH, params={"max_words": 3}),
        RuleSpec(id=2, kind=RuleKind.FORBIDDEN_WORDS, params={"words": ["promo"]}, severity=BLOCKER),
    ]
    drafts = [
        draft("Une promo pour tous nos membres.", account_id=1),
        draft("Une promo pour tous nos membres.", account_id=2),
    ]

    findings = run_checks(rules, drafts, [], now=NOW, zone=PARIS)

    assert [(f.rule_id, f.severity) for f in findings] == [(2, BLOCKER), (1, WARNING)]
    assert has_blocker(findings)


def test_text_rules_say_nothing_of_a_repost():
    rule = RuleSpec(kind=RuleKind.FORBIDDEN_WORDS, params={"words": ["promo"]})
    assert check(rule, draft("promo", is_relay=True, relay_kind="repost")) == []


def test_an_unknown_rule_kind_is_ignored():
    assert check(RuleSpec(kind="astrology"), draft()) == []
