"""Crisis mode: routing to the crisis team, the banner, paused and resumed posts, the log, the page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from parvis.core.models import Membership, Workspace
from parvis.inbox import hooks
from parvis.inbox.models import Conversation
from parvis.moderation.crisis import (
    crisis_close,
    crisis_note,
    crisis_open,
    crisis_settings_update,
    crisis_watch,
)
from parvis.moderation.models import Crisis, CrisisLogEntry
from parvis.networks.connectors.fake.connector import FakeConnector
from parvis.networks.models import Action, ActionStatus, ConnectedAccount
from parvis.networks.protocol import ActionKind
from parvis.networks.services import action_create, scheduler_tick
from parvis.networks.tests.factories import ConnectedAccountFactory
from parvis.publishing.services.posts import SOURCE_POST


@pytest.fixture(autouse=True)
def _english(client: Client) -> None:
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def team(alice: Membership, camille: Membership, nadia: Membership) -> list[Membership]:
    crisis_settings_update(membership=alice, changes={}, team=[camille.user, nadia.user])
    return [camille, nadia]


def arrive(account: ConnectedAccount, messages, count: int, **kwargs) -> list[Conversation]:
    stored = messages(account, timezone.now() - timedelta(minutes=5), count, **kwargs)
    hooks.run_after_ingest(account, stored)
    return [message.conversation for message in stored]


# --- routing ----------------------------------------------------------------------------------


def test_the_routing_hook_runs_last() -> None:
    assert hooks.registered()[-1] == "moderation.crisis"


def test_in_crisis_negative_conversations_go_to_the_team_in_turn(
    account: ConnectedAccount, messages, alice: Membership, team: list[Membership]
) -> None:
    crisis = crisis_open(membership=alice, reason="Bad buzz", now=timezone.now())

    conversations = arrive(account, messages, 5)

    camille, nadia = team[0].user, team[1].user  # team order: by user id
    assignees = [Conversation.objects.get(pk=c.pk).assignee for c in conversations]
    assert assignees == [camille, nadia, camille, nadia, camille]
    assert all(Conversation.objects.get(pk=c.pk).status == "assigned" for c in conversations)
    routed = CrisisLogEntry.objects.get(crisis=crisis, verb="routed")
    assert "5 negative conversations" in routed.summary

    # The turn goes on from where it stopped.
    [next_one] = arrive(account, messages, 1)
    assert Conversation.objects.get(pk=next_one.pk).assignee == nadia


def test_a_conversation_already_with_the_team_stays_with_them(
    account: ConnectedAccount, messages, alice: Membership, team: list[Membership]
) -> None:
    crisis_open(membership=alice, now=timezone.now())
    stored = messages(account, timezone.now() - timedelta(minutes=5), 1)
    Conversation.objects.filter(pk=stored[0].conversation_id).update(assignee=team[1].user)

    hooks.run_after_ingest(account, stored)

    assert Conversation.objects.get(pk=stored[0].conversation_id).assignee == team[1].user


def test_positive_messages_and_quiet_times_are_not_routed(
    account: ConnectedAccount, messages, alice: Membership, team: list[Membership]
) -> None:
    [quiet] = arrive(account, messages, 1)
    assert Conversation.objects.get(pk=quiet.pk).assignee is None

    crisis_open(membership=alice, now=timezone.now())
    [praise] = arrive(account, messages, 1, sentiment="positive", category="praise")
    assert Conversation.objects.get(pk=praise.pk).assignee is None


def test_a_crisis_on_one_account_routes_only_that_account(
    workspace: Workspace, account: ConnectedAccount, messages, alice: Membership, team: list[Membership]
) -> None:
    other = ConnectedAccountFactory(workspace=workspace)
    crisis_open(membership=alice, account=account, now=timezone.now())

    [elsewhere] = arrive(other, messages, 1)

    assert Conversation.objects.get(pk=elsewhere.pk).assignee is None


# --- banner -----------------------------------------------------------------------------------


def test_the_banner_shows_on_every_page_during_a_crisis(
    client: Client, account: ConnectedAccount, alice: Membership, camille: Membership
) -> None:
    client.force_login(camille.user)
    assert "Crisis mode" not in client.get("/sla/").content.decode()

    crisis_open(membership=alice, account=account, now=timezone.now())

    for url in ("/sla/", "/crisis/", "/notifications/"):
        page = client.get(url).content.decode()
        assert "crisis-banner" in page, url
        assert account.handle in page


def test_the_banner_costs_one_query_per_request(workspace: Workspace, alice: Membership) -> None:
    from django.template.loader import render_to_string

    crisis_open(membership=alice, now=timezone.now())
    request = RequestFactory().get("/")
    request.user = alice.user
    request.workspace = workspace  # type: ignore[attr-defined]

    with CaptureQueriesContext(connection) as queries:
        first = render_to_string("web/_banners.html", {"workspace": workspace, "user": alice.user}, request=request)
        render_to_string("web/_banners.html", {"workspace": workspace, "user": alice.user}, request=request)

    assert "all accounts" in first
    assert len(queries) == 1


# --- scheduled posts --------------------------------------------------------------------------


def post(account: ConnectedAccount, due, text: str) -> Action:
    return action_create(
        workspace=account.workspace,
        account=account,
        kind=ActionKind.PUBLISH,
        payload={"text": text},
        due_at=due,
        source=SOURCE_POST,
        summary=text,
    )


def test_scheduled_posts_are_paused_and_none_is_lost_when_the_crisis_closes(
    account: ConnectedAccount, alice: Membership
) -> None:
    crisis_settings_update(membership=alice, changes={"pause_scheduled_posts": True})
    real_now = timezone.now()
    opened_at = real_now - timedelta(hours=3)
    soon = post(account, opened_at + timedelta(minutes=30), "Promo du lundi")  # due during the crisis
    later = post(account, opened_at + timedelta(hours=2), "Webinaire")  # due after it closes
    tomorrow = post(account, real_now + timedelta(days=1), "Newsletter")

    crisis = crisis_open(membership=alice, reason="Bad buzz", now=opened_at)

    held = Action.objects.filter(status=ActionStatus.HELD)
    assert set(held.values_list("pk", flat=True)) == {soon.pk, later.pk, tomorrow.pk}
    assert sorted(crisis.held_actions) == sorted([soon.pk, later.pk, tomorrow.pk])
    scheduler_tick(now=opened_at + timedelta(minutes=45))
    assert FakeConnector.published == []  # nothing goes out during the crisis

    crisis_close(membership=alice, crisis=crisis, now=opened_at + timedelta(hours=1))

    soon.refresh_from_db()
    later.refresh_from_db()
    tomorrow.refresh_from_db()
    assert soon.status == later.status == tomorrow.status == ActionStatus.PENDING
    assert soon.next_attempt_at == opened_at + timedelta(hours=1)  # its time passed: now
    assert later.next_attempt_at == later.due_at  # back on its own schedule
    scheduler_tick()
    assert sorted(request.text for request in FakeConnector.published) == ["Promo du lundi", "Webinaire"]
    assert Action.objects.get(pk=tomorrow.pk).status == ActionStatus.PENDING
    verbs = list(CrisisLogEntry.objects.filter(crisis=crisis).values_list("verb", flat=True))
    assert verbs == ["opened", "posts_held", "posts_released", "closed"]


def test_overdue_posts_can_stay_held_for_a_person(account: ConnectedAccount, alice: Membership) -> None:
    crisis_settings_update(membership=alice, changes={"pause_scheduled_posts": True})
    opened_at = timezone.now() - timedelta(hours=3)
    soon = post(account, opened_at + timedelta(minutes=30), "Promo")
    crisis = crisis_open(membership=alice, now=opened_at)

    crisis_close(membership=alice, crisis=crisis, now=opened_at + timedelta(hours=1), publish_overdue=False)

    soon.refresh_from_db()
    assert soon.status == ActionStatus.HELD
    assert "reschedule" in soon.last_error


def test_posts_scheduled_during_the_crisis_are_paused_by_the_watch(
    account: ConnectedAccount, alice: Membership
) -> None:
    crisis_settings_update(membership=alice, changes={"pause_scheduled_posts": True})
    now = timezone.now()
    crisis = crisis_open(membership=alice, now=now)
    new = post(account, now + timedelta(hours=2), "Écrit pendant la crise")

    crisis_watch(now + timedelta(minutes=5))

    assert Action.objects.get(pk=new.pk).status == ActionStatus.HELD
    assert new.pk in Crisis.objects.get(pk=crisis.pk).held_actions


def test_without_the_pause_option_posts_keep_their_schedule(account: ConnectedAccount, alice: Membership) -> None:
    scheduled = post(account, timezone.now() + timedelta(hours=2), "Webinaire")

    crisis_open(membership=alice, now=timezone.now())

    assert Action.objects.get(pk=scheduled.pk).status == ActionStatus.PENDING


# --- log and permissions ----------------------------------------------------------------------


def test_the_log_records_notes_and_who_closed(
    account: ConnectedAccount, alice: Membership, camille: Membership
) -> None:
    crisis = crisis_open(membership=camille, reason="Rumeur", now=timezone.now())
    crisis_note(membership=camille, crisis=crisis, text="Communiqué publié", now=timezone.now())
    crisis_close(membership=alice, crisis=crisis, now=timezone.now())

    log = list(CrisisLogEntry.objects.filter(crisis=crisis).values_list("verb", "actor__username", "summary"))
    assert log == [("opened", "camille", "Rumeur"), ("note", "camille", "Communiqué publié"), ("closed", "alice", "")]
    with pytest.raises(ValueError, match="already closed"):
        crisis_close(membership=alice, crisis=crisis, now=timezone.now())


def test_a_contributor_cannot_open_a_crisis(theo: Membership) -> None:
    from parvis.core.permissions import PermissionDenied

    with pytest.raises(PermissionDenied):
        crisis_open(membership=theo, now=timezone.now())


# --- the page ---------------------------------------------------------------------------------


def test_the_crisis_room_opens_and_closes_crisis_mode(
    client: Client, camille: Membership, account: ConnectedAccount, messages
) -> None:
    messages(account, timezone.now() - timedelta(minutes=30), 3)
    client.force_login(camille.user)

    page = client.get("/crisis/").content.decode()
    assert "No crisis" in page
    assert 'id="crisis-chart-data"' in page
    assert "chart.umd.min.js" in page

    client.post("/crisis/open/", {"account": "", "reason": "Tempête sur X"})
    crisis = Crisis.objects.get()
    page = client.get("/crisis/").content.decode()
    assert "Crisis mode is open" in page
    assert "Tempête sur X" in page

    client.post(f"/crisis/{crisis.pk}/note/", {"text": "Réponse type validée"})
    client.post(f"/crisis/{crisis.pk}/close/", {"publish_overdue": "on"})
    crisis.refresh_from_db()
    assert crisis.closed_at is not None
    assert "Réponse type validée" in client.get("/crisis/").content.decode()


def test_the_crisis_settings_form(client: Client, alice: Membership, camille: Membership) -> None:
    client.force_login(alice.user)

    client.post(
        "/crisis/settings/",
        {
            "watch": "on",
            "baseline_days": "14",
            "sensitivity": "2.5",
            "min_count": "20",
            "pause_scheduled_posts": "on",
            "team": [str(camille.user.pk)],
        },
    )

    settings = alice.workspace.crisis_settings
    assert (settings.baseline_days, settings.sensitivity, settings.min_count) == (14, 2.5, 20)
    assert settings.pause_scheduled_posts and not settings.auto_open
    assert list(settings.team.all()) == [camille.user]
