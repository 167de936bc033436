from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from parvis.publishing.models import Delivery, Post, PostOrigin, PostStage, RelayKind
from parvis.publishing.selectors_curation import curation_list, relay_share
from parvis.publishing.services.curation import curation_dismiss, curation_relay

pytestmark = pytest.mark.django_db


def test_relayed_and_dismissed_entries_leave_the_list_to_relay(camille, article, network_post, demo_account, workspace):
    curation_relay(membership=camille, entry=article, relay_kind=RelayKind.LINK, accounts=[demo_account])

    todo = [row.entry for row in curation_list(workspace)]
    relayed = curation_list(workspace, show="relayed")

    assert todo == [network_post]
    assert [row.entry for row in relayed] == [article]
    assert relayed[0].relays[0].relay_url == article.url

    curation_dismiss(membership=camille, entry=network_post)
    assert curation_list(workspace) == []
    assert [row.entry for row in curation_list(workspace, show="dismissed")] == [network_post]
    assert len(curation_list(workspace, show="all")) == 2


def test_a_post_relayed_by_its_network_id_counts_as_relayed(camille, network_post, demo_account, workspace):
    curation_relay(membership=camille, entry=network_post, relay_kind=RelayKind.REPOST, accounts=[demo_account])

    assert curation_list(workspace) == []


def test_entries_of_other_workspaces_are_not_listed(oscar, article):
    assert curation_list(oscar.workspace, show="all") == []


def _posted(account, *, origin, at):
    post = Post.objects.create(
        workspace=account.workspace, text="x", scheduled_at=at, origin=origin, stage=PostStage.RELEASED
    )
    Delivery.objects.create(post=post, account=account, text="x")
    return post


def test_the_counter_gives_own_and_relayed_posts_per_network_and_this_week(workspace, demo_account):
    from parvis.networks.tests.factories import ConnectedAccountFactory

    linkedin = ConnectedAccountFactory(workspace=workspace, network="linkedin")
    now = dt.datetime(2025, 3, 12, 10, tzinfo=dt.UTC)  # a Wednesday
    _posted(demo_account, origin=PostOrigin.OWN, at=now - dt.timedelta(days=10))
    _posted(demo_account, origin=PostOrigin.RELAY, at=now - dt.timedelta(days=1))
    both = _posted(linkedin, origin=PostOrigin.OWN, at=now - dt.timedelta(hours=2))
    Delivery.objects.create(post=both, account=demo_account, text="x")

    overall, *lines = relay_share(workspace, now=now)

    assert (overall.network, overall.last.own, overall.last.relayed, overall.week.own, overall.week.relayed) == (
        "",
        2,
        1,
        1,
        1,
    )
    by_network = {line.network: line for line in lines}
    assert (by_network["fake"].last.own, by_network["fake"].last.relayed) == (2, 1)
    assert (by_network["fake"].week.total, by_network["fake"].week.relayed_percent) == (2, 50)
    assert (by_network["linkedin"].last.own, by_network["linkedin"].last.relayed) == (1, 0)


def test_the_counter_looks_at_the_last_n_posts_only(workspace, demo_account):
    now = timezone.now()
    for days in range(5, 0, -1):
        _posted(demo_account, origin=PostOrigin.RELAY if days > 3 else PostOrigin.OWN, at=now - dt.timedelta(days=days))

    overall = relay_share(workspace, last_n=3, now=now)[0]

    assert (overall.last.own, overall.last.relayed) == (3, 0)


def test_the_counter_uses_the_window_of_the_charters_relay_rule(workspace, demo_account):
    from parvis.strategy.models import EditorialRule

    EditorialRule.objects.create(workspace=workspace, kind="relay_share", params={"last_n": 4, "max_share": 0.25})

    assert relay_share(workspace)[0].last_n == 4
