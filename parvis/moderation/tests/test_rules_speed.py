"""How long the rules take on arrival: 1,000 messages against 5 rules that match none (every condition read).

Run:
    PARVIS_BENCHMARKS=1 .venv/bin/pytest --nomigrations -p no:cacheprovider \
        parvis/moderation/tests/test_rules_speed.py -s
(skipped in the suite: it spends its time making the 1,000 messages).
"""

from __future__ import annotations

import os
import time

import pytest

from parvis.core.models import Membership
from parvis.inbox.tests.factories import ConversationFactory, MessageFactory
from parvis.moderation.models import CharterClause
from parvis.moderation.rules import moderation_rules_run
from parvis.moderation.services import rule_save
from parvis.moderation.text import fold
from parvis.networks.models import ConnectedAccount

pytestmark = [
    pytest.mark.benchmark,
    pytest.mark.django_db,
    pytest.mark.skipif(not os.environ.get("PARVIS_BENCHMARKS"), reason="a measurement: set PARVIS_BENCHMARKS=1"),
]


def test_rules_on_a_thousand_messages(
    camille: Membership, account: ConnectedAccount, insults: CharterClause, spam: CharterClause
) -> None:
    rule_save(membership=camille, name="a", keywords=["connard*", "abruti*", "idiot"], removal="hide", clause=insults)
    rule_save(membership=camille, name="b", patterns=[r"\bcasino\w*", r"gagn(ez|er) \d+"], removal="hide", clause=spam)
    rule_save(
        membership=camille, name="c", has_links=True, categories=["spam-or-advertising"], removal="hide", clause=spam
    )
    rule_save(membership=camille, name="d", mentions_only=True, removal="hide", clause=spam)
    rule_save(membership=camille, name="e", repeat_count=3, repeat_window_minutes=60, removal="hide", clause=spam)
    conversation = ConversationFactory(account=account)
    messages = [
        MessageFactory(conversation=conversation, text=f"@org Bonjour, une question numéro {i} sur le salon ?")
        for i in range(1000)
    ]
    fold.cache_clear()

    started = time.perf_counter()
    moderation_rules_run(account, messages)
    elapsed = time.perf_counter() - started

    print(f"\n1,000 messages x 5 rules: {elapsed * 1000:.0f} ms, {elapsed * 1000:.0f} µs per message")  # noqa: T201
    assert elapsed < 5
