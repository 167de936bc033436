"""Acceptance on the demo network (mastodon-mock on loopback): a charter rule acts on an insulting reply.

Mastodon has no way to hide a reply to your post: the documented fallback is a report to the
instance's moderators citing the clause, and a mute of the author; the message is hidden in
Parvis only and recorded as such. The explanation is a real reply on the instance.
"""

from __future__ import annotations

import pytest
from django.utils import timezone

from parvis.core.models import Membership
from parvis.inbox.models import Message, ModerationState
from parvis.moderation.models import CharterClause, DecisionOutcome, ModerationDecision
from parvis.moderation.selectors import transparency_summary
from parvis.moderation.services import rule_save
from parvis.networks.models import ActionStatus
from parvis.networks.protocol import ActionKind
from parvis.networks.registry import get_connector
from parvis.networks.services import account_poll, action_execute
from parvis.testing.fixtures import ConnectMastodon
from parvis.testing.mastodon import MastodonMockServer

pytestmark = [pytest.mark.network, pytest.mark.django_db]

MASTODON_MODERATES = {ActionKind.REPORT, ActionKind.MUTE} <= get_connector("mastodon").capabilities.actions


def _insult_on_arrival(
    server: MastodonMockServer, connect: ConnectMastodon, camille: Membership, insults: CharterClause
) -> tuple[ModerationDecision, object, object, dict[str, object]]:
    rule = rule_save(membership=camille, name="Insultes", keywords=["abruti*"], removal="hide", clause=insults)
    account, org = connect(camille)
    bob = server.create_account("bob", display_name="Bob")
    post = server.client(org).status_post("Le salon ouvre jeudi à 9 h.")
    insult = server.client(bob).status_post(f"{org.mention} bande d'abrutis", in_reply_to_id=post["id"])

    account_poll(account_id=account.pk)

    message = Message.objects.get(account=account, external_id=str(insult["id"]))
    decision = ModerationDecision.objects.get(message=message)
    assert decision.rule == rule and decision.clause == insults
    for action in decision.actions.all():
        done = action_execute(action_id=action.pk)
        assert done is not None and done.status == ActionStatus.DONE, done.last_error if done else None
    return decision, org, bob, insult


def test_a_charter_rule_acts_on_an_insulting_reply_and_explains_it_on_mastodon(
    mastodon_server: MastodonMockServer, mastodon_connect: ConnectMastodon, camille: Membership, insults: CharterClause
) -> None:
    decision, org, _bob, insult = _insult_on_arrival(mastodon_server, mastodon_connect, camille, insults)

    # Never claimed hidden on the network: Mastodon cannot hide a reply.
    assert decision.outcome == DecisionOutcome.PARVIS_ONLY
    assert not decision.actions.filter(kind=ActionKind.HIDE).exists()
    assert Message.objects.get(pk=decision.message_id).moderation_state == ModerationState.HIDDEN
    # The explanation is on the instance, answering the insult, citing the clause and the charter.
    assert decision.explanation is not None
    reply = mastodon_server.client(org).status(decision.explanation.external_id)
    assert str(reply["in_reply_to_id"]) == str(insult["id"])
    assert "1.1" in reply["content"]
    assert "https://parvis.cci-lyon.example/charter/cci-lyon/#clause-1-1" in reply["content"]
    # It says what really happened: the message is still visible on Mastodon, it was reported.
    assert "masqué" not in reply["content"] and "signalé aux modérateurs" in reply["content"]
    # ... and in the month's transparency summary.
    summary = transparency_summary(camille.workspace, timezone.localdate())
    assert summary.total == 1 and summary.by_rules == 1
    assert summary.by_clause[0]["code"] == "1.1"


@pytest.mark.skipif(not MASTODON_MODERATES, reason="the Mastodon connector cannot REPORT/MUTE yet (area G)")
def test_the_fallback_reports_to_the_instance_and_mutes_the_author(
    mastodon_server: MastodonMockServer, mastodon_connect: ConnectMastodon, camille: Membership, insults: CharterClause
) -> None:
    decision, org, bob, insult = _insult_on_arrival(mastodon_server, mastodon_connect, camille, insults)

    assert sorted(decision.actions.exclude(pk=decision.explanation_id).values_list("kind", flat=True)) == [
        "mute",
        "report",
    ]
    client = mastodon_server.client(org)
    assert [str(account["id"]) for account in client.mutes()] == [str(bob.id)]
    reports = client.admin_reports()
    assert len(reports) == 1
    assert [str(status["id"]) for status in reports[0]["statuses"]] == [str(insult["id"])]
    assert "1.1" in reports[0]["comment"]
