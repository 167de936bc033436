"""The simulator played against a real mastodon-mock on loopback."""

from __future__ import annotations

from collections import Counter

import pytest

from parvis.simulator.corpus import ORG_POSTS
from parvis.simulator.records import Kind
from parvis.simulator.runner import CommunityRunner, SimulatorError

pytestmark = pytest.mark.network

ORG = "cci_demo"


@pytest.fixture
def org(mastodon_server):
    account = mastodon_server.create_account(ORG, display_name="CCI Lyon (démo)")
    client = mastodon_server.client(account)
    for text in ORG_POSTS:
        client.status_post(text)
    return account


def runner_for(server, **kwargs):
    options = {"server_url": server.base_url, "org_handle": ORG, "seed": 42, "pace": 0, "personas": 20}
    return CommunityRunner(**(options | kwargs))


def all_notifications(client):
    page = client.notifications(limit=40)
    notifications = list(page)
    while page:
        page = client.fetch_next(page)
        notifications += list(page or [])
    return notifications


def test_fifteen_actions_reach_the_organisation_as_mentions_and_follows(mastodon_server, org):
    runner = runner_for(mastodon_server)
    runner.setup()
    outcomes = list(runner.iter_play(steps=15))

    assert len(outcomes) == 15
    assert [o.error for o in outcomes if not o.ok] == []
    notifications = all_notifications(mastodon_server.client(org))
    kinds = Counter(n["type"] for n in notifications)
    records = [o.record for o in outcomes]
    expected_mentions = sum(f"@{ORG}" in r.text for r in records)
    expected_follows = sum(r.kind == Kind.FOLLOW for r in records)
    assert expected_mentions > 0
    assert expected_follows > 0
    assert kinds["mention"] == expected_mentions
    assert kinds["follow"] == expected_follows


def test_private_messages_and_thread_replies_arrive_as_such(mastodon_server, org):
    runner = runner_for(mastodon_server)
    runner.setup()
    outcomes = list(runner.iter_play(steps=60))
    assert all(o.ok for o in outcomes)

    client = mastodon_server.client(org)
    statuses = {str(n["status"]["id"]): n["status"] for n in all_notifications(client) if n["type"] == "mention"}
    direct = [o for o in outcomes if o.record.kind == Kind.DIRECT]
    replies = [o for o in outcomes if o.record.kind == Kind.REPLY and f"@{ORG}" in o.record.text]
    comments = [o for o in outcomes if o.record.kind == Kind.COMMENT]
    assert direct and replies and comments
    for outcome in direct:
        assert statuses[outcome.status_id]["visibility"] == "direct"
    for outcome in replies:
        assert outcome.target_id
        assert str(statuses[outcome.status_id]["in_reply_to_id"]) == outcome.target_id
    own_posts = {str(s["id"]) for s in client.account_statuses(client.me()["id"])}
    for outcome in comments:
        assert outcome.target_id in own_posts


def test_the_script_tag_is_posted_as_plain_text(mastodon_server, org):
    runner = runner_for(mastodon_server)
    runner.setup()
    hostile = next(o for o in runner.iter_play(steps=6) if "<script>" in o.record.text)
    status = mastodon_server.client(org).status(hostile.status_id)
    assert "<script>" not in status["content"]
    assert "&lt;script&gt;" in status["content"]


def test_a_second_run_logs_the_existing_personas_in(mastodon_server, org):
    runner_for(mastodon_server).setup()
    again = runner_for(mastodon_server, seed=43)
    again.setup()
    assert all(o.ok for o in again.iter_play(steps=5))


def test_without_the_organisation_account_the_runner_says_so(mastodon_server):
    with pytest.raises(SimulatorError, match="No account @cci_demo"):
        runner_for(mastodon_server).setup()


def test_without_a_server_the_runner_says_so():
    runner = CommunityRunner(server_url="http://127.0.0.1:9", org_handle=ORG, pace=0)
    with pytest.raises(SimulatorError, match="No Mastodon server"):
        runner.setup(wait=0.5)
