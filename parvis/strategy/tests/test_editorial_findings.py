"""publishing.editorial: the charter's rules and the workspace's history, read from the database."""

from __future__ import annotations

import datetime as dt

import pytest

from parvis.networks.models import ActionStatus
from parvis.networks.tests.factories import ActionFactory, ConnectedAccountFactory
from parvis.publishing.editorial import editorial_findings
from parvis.publishing.models import Delivery, Post, PostOrigin, PostStage
from parvis.strategy.checks import BLOCKER, DraftInfo, RuleKind
from parvis.strategy.models import EditorialRule

pytestmark = pytest.mark.django_db

# Wednesday 12 March 2025, ISO week 11.
NOW = dt.datetime(2025, 3, 12, 9, tzinfo=dt.UTC)


@pytest.fixture
def linkedin(workspace):
    return ConnectedAccountFactory(workspace=workspace, network="linkedin", handle="CCI Lyon")


def planned(account, *, at, origin=PostOrigin.OWN, stage=PostStage.RELEASED, action_status=None):
    post = Post.objects.create(
        workspace=account.workspace, text="Publication", scheduled_at=at, origin=origin, stage=stage
    )
    action = ActionFactory(account=account, status=action_status) if action_status else None
    Delivery.objects.create(post=post, account=account, text=post.text, action=action)
    return post


def rule(workspace, kind, network="", severity="warning", **params):
    return EditorialRule.objects.create(
        workspace=workspace, kind=kind, network=network, severity=severity, params=params
    )


def test_no_rules_no_findings(workspace, linkedin):
    drafts = [DraftInfo(network="linkedin", account_id=linkedin.pk, text="TOUT EN CAPITALES !!!")]
    assert editorial_findings(workspace=workspace, drafts=drafts, now=NOW) == []


def test_disabled_rules_are_not_applied(workspace, linkedin):
    EditorialRule.objects.create(workspace=workspace, kind=RuleKind.TONE, params={"max_exclamations": 1}, enabled=False)
    drafts = [DraftInfo(network="linkedin", account_id=linkedin.pk, text="Venez !!!")]
    assert editorial_findings(workspace=workspace, drafts=drafts, now=NOW) == []


def test_the_weekly_frequency_counts_scheduled_and_published_posts_of_the_week(workspace, linkedin):
    rule(workspace, RuleKind.FREQUENCY, network="linkedin", max_per_week=2)
    planned(linkedin, at=NOW - dt.timedelta(days=2), action_status=ActionStatus.DONE)  # Monday, published
    planned(linkedin, at=NOW + dt.timedelta(days=1), action_status=ActionStatus.PENDING)  # Thursday, scheduled
    planned(linkedin, at=NOW - dt.timedelta(days=7))  # last week

    drafts = [
        DraftInfo(network="linkedin", account_id=linkedin.pk, text="Nouveau", scheduled_at=NOW + dt.timedelta(days=2))
    ]
    findings = editorial_findings(workspace=workspace, drafts=drafts, now=NOW)

    assert [finding.message for finding in findings] == [
        "3 posts planned this week on LinkedIn; the plan foresees 2 at most."
    ]


def test_cancelled_failed_and_draft_posts_do_not_count(workspace, linkedin):
    rule(workspace, RuleKind.FREQUENCY, network="linkedin", max_per_week=1)
    planned(linkedin, at=NOW, action_status=ActionStatus.CANCELLED)
    planned(linkedin, at=NOW, action_status=ActionStatus.FAILED)
    planned(linkedin, at=NOW, stage=PostStage.DRAFT)

    drafts = [DraftInfo(network="linkedin", account_id=linkedin.pk, text="Nouveau", scheduled_at=NOW)]
    assert editorial_findings(workspace=workspace, drafts=drafts, now=NOW) == []


def test_posts_awaiting_approval_count_as_planned(workspace, linkedin):
    rule(workspace, RuleKind.FREQUENCY, network="linkedin", max_per_week=1)
    planned(linkedin, at=NOW, stage=PostStage.IN_REVIEW)

    drafts = [DraftInfo(network="linkedin", account_id=linkedin.pk, text="Nouveau", scheduled_at=NOW)]
    assert len(editorial_findings(workspace=workspace, drafts=drafts, now=NOW)) == 1


def test_editing_a_planned_post_does_not_count_it_twice(workspace, linkedin):
    rule(workspace, RuleKind.FREQUENCY, network="linkedin", max_per_week=1)
    post = planned(linkedin, at=NOW, action_status=ActionStatus.PENDING)

    drafts = [DraftInfo(network="linkedin", account_id=linkedin.pk, text="Modifié", scheduled_at=NOW, post_id=post.pk)]
    assert editorial_findings(workspace=workspace, drafts=drafts, now=NOW) == []


def test_the_relay_share_reads_the_last_posts_of_the_network(workspace, linkedin):
    rule(workspace, RuleKind.RELAY_SHARE, last_n=3, max_share=0.34)
    planned(linkedin, at=NOW - dt.timedelta(days=2), origin=PostOrigin.RELAY)
    planned(linkedin, at=NOW - dt.timedelta(days=1), origin=PostOrigin.OWN)

    relay = [DraftInfo(network="linkedin", account_id=linkedin.pk, text="À lire", is_relay=True)]
    findings = editorial_findings(workspace=workspace, drafts=relay, now=NOW)

    assert len(findings) == 1
    assert findings[0].message.startswith("2 relayed posts among the last 3 on LinkedIn")


def test_posts_of_another_workspace_are_not_history(workspace, linkedin, oscar):
    rule(workspace, RuleKind.FREQUENCY, network="linkedin", max_per_week=1)
    other = ConnectedAccountFactory(workspace=oscar.workspace, network="linkedin")
    planned(other, at=NOW)

    drafts = [DraftInfo(network="linkedin", account_id=linkedin.pk, text="Nouveau", scheduled_at=NOW)]
    assert editorial_findings(workspace=workspace, drafts=drafts, now=NOW) == []


def test_a_blocker_rule_gives_a_blocker_finding(workspace, linkedin):
    rule(workspace, RuleKind.FORBIDDEN_WORDS, severity=BLOCKER, words=["gratuit"])

    drafts = [DraftInfo(network="linkedin", account_id=linkedin.pk, text="Entrée gratuite, conférence gratuit.")]
    findings = editorial_findings(workspace=workspace, drafts=drafts, now=NOW)

    assert [(finding.severity, finding.rule_kind) for finding in findings] == [(BLOCKER, "forbidden_words")]
