"""The pure helpers: reading a charter, matching rule conditions, filling templates."""

from __future__ import annotations

import time

import pytest

from parvis.moderation.tests.conftest import CHARTER
from parvis.moderation.text import (
    PatternError,
    charter_clauses,
    charter_render,
    has_link,
    keyword_found,
    mentions_only,
    pattern_check,
    pattern_search,
    same_text_key,
    template_fill,
)


def test_clauses_are_the_numbered_headings_with_their_text() -> None:
    clauses = charter_clauses(CHARTER)

    assert [(c.code, c.title) for c in clauses] == [
        ("1", "Respect"),
        ("1.1", "Pas d'insultes"),
        ("1.2", "Pas de diffamation"),
        ("2", "Spam"),
    ]
    assert clauses[1].text.startswith("Les insultes")


def test_rendering_escapes_html_and_refuses_script_links() -> None:
    html = charter_render("## 3.2 Titre <script>alert(1)</script>\n\n[clic](javascript:alert(1)) <img src=x onerror=y>")

    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<img" not in html
    assert 'href="javascript' not in html
    assert 'id="clause-3-2"' in html


def test_nested_repetition_is_refused_and_long_patterns_too() -> None:
    with pytest.raises(PatternError):
        pattern_check("(a+)+$")
    with pytest.raises(PatternError):
        pattern_check("a" * 201)
    with pytest.raises(PatternError):
        pattern_check("([unclosed")
    assert pattern_check(r"\bcasino\b")


def test_a_slow_pattern_counts_as_no_match_within_the_timeout() -> None:
    # Not caught by the nested-repetition check, still exponential in the `regex` engine without the timeout.
    started = time.monotonic()
    found = pattern_search(r"(?:a|a)*b", "a" * 40)
    assert found is False
    assert time.monotonic() - started < 2


def test_keywords_ignore_case_and_accents_and_match_whole_words() -> None:
    assert keyword_found("connard", "Quel CONNARD celui-là")
    assert keyword_found("debile", "c'est débile")
    assert not keyword_found("con", "le conseil municipal")
    assert keyword_found("idiot*", "bande d'idiots")


def test_links_and_mention_only_messages() -> None:
    assert has_link("voir https://spam.example/x")
    assert has_link("www.casino.example")
    assert not has_link("pas de lien ici")
    assert mentions_only("@a @b@social.example @c !!")
    assert not mentions_only("@org merci pour l'info")
    assert same_text_key("@org  ACHETEZ maintenant") == same_text_key("@autre achetez   maintenant")


def test_templates_fill_known_variables_only() -> None:
    text = template_fill(
        "{author} clause {clause_code} {unknown} {author.__class__}", {"author": "@bob", "clause_code": "1.1"}
    )

    assert text == "@bob clause 1.1 {unknown} {author.__class__}"
