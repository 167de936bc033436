"""Welcome: follow back and thank new followers, skip likely spam, rate-limit by deferring."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from parvis.community.tests.factories import IdentityFactory
from parvis.core.models import AuditEntry, Membership
from parvis.core.permissions import PermissionDenied
from parvis.inbox import hooks, welcome_hooks
from parvis.inbox.models import Category, Message, ThanksMode, WelcomeDecision, WelcomeLog, WelcomeRule
from parvis.inbox.tests.factories import ConversationFactory, MessageFactory
from parvis.inbox.welcome import digits_heavy, next_slot, welcome_followers, welcome_rule_save
from parvis.networks.connectors.fake.connector import FakeConnector
from parvis.networks.models import Action, ConnectedAccount
from parvis.networks.protocol import ActionKind, Author, EventKind, NetworkEvent
from parvis.networks.services import account_poll

pytestmark = pytest.mark.django_db

PERSON = {"display_name": "Marie Curie", "avatar_url": "https://social.example/avatars/marie.png"}


def _follow(account: ConnectedAccount, handle: str = "@marie@social.example", **identity: object) -> Message:
    author = IdentityFactory(
        member__workspace=account.workspace,
        workspace=account.workspace,
        network=account.network,
        handle=handle,
        **{**PERSON, **identity},
    )
    message: Message = MessageFactory(
        conversation=ConversationFactory(account=account, kind="follow"), kind="follow", text="", author=author
    )
    return message


def _rule(account: ConnectedAccount, **fields: object) -> WelcomeRule:
    rule: WelcomeRule = WelcomeRule.objects.create(account=account, enabled=True, **fields)
    return rule


def test_a_new_follower_is_followed_back_and_thanked_by_a_public_mention(account: ConnectedAccount) -> None:
    _rule(account, thanks=ThanksMode.MENTION, mention_template="Bienvenue {handle} ({name}) chez {account} !")
    message = _follow(account)

    [log] = welcome_followers(account, [message])

    assert log.decision == WelcomeDecision.WELCOMED
    assert log.follow_action is not None and log.follow_action.kind == ActionKind.FOLLOW
    assert log.follow_action.payload == {
        "target_id": message.author.external_id,
        "target_handle": "@marie@social.example",
    }
    assert log.thanks_action is not None and log.thanks_action.kind == ActionKind.PUBLISH
    assert log.thanks_action.payload["text"] == f"Bienvenue @marie@social.example (Marie Curie) chez {account.handle} !"


def test_thanks_by_private_message_when_the_rule_says_so(account: ConnectedAccount) -> None:
    _rule(account, thanks=ThanksMode.DIRECT, follow_back=False, direct_template="Merci {name} !")

    [log] = welcome_followers(account, [_follow(account)])

    assert log.follow_action is None
    assert log.thanks_action is not None and log.thanks_action.kind == ActionKind.SEND_DIRECT
    assert log.thanks_action.payload["text"] == "Merci Marie Curie !"
    assert log.thanks_action.payload["target_handle"] == "@marie@social.example"


def test_a_mention_template_without_the_handle_still_mentions_them(account: ConnectedAccount) -> None:
    _rule(account, thanks=ThanksMode.MENTION, mention_template="Merci de nous suivre !")

    [log] = welcome_followers(account, [_follow(account)])

    assert log.thanks_action is not None
    assert log.thanks_action.payload["text"] == "@marie@social.example Merci de nous suivre !"


@pytest.mark.parametrize(
    ("identity", "reason"),
    [
        ({"is_bot": True}, "bot"),
        ({"display_name": ""}, "no display name"),
        ({"handle": "@jean84736291@social.example"}, "handle full of digits"),
        ({"avatar_url": "https://social.example/avatars/original/missing.png"}, "default avatar"),
    ],
)
def test_likely_spam_accounts_are_skipped(account: ConnectedAccount, identity: dict[str, object], reason: str) -> None:
    _rule(account, thanks=ThanksMode.MENTION)

    [log] = welcome_followers(account, [_follow(account, **identity)])

    assert log.decision == WelcomeDecision.SKIPPED and reason in log.reasons
    assert not Action.objects.exists()


def test_authors_of_spam_are_skipped(account: ConnectedAccount) -> None:
    _rule(account)
    follow = _follow(account)
    MessageFactory(
        conversation=ConversationFactory(account=account), author=follow.author, category=Category.SPAM_OR_ADVERTISING
    )

    [log] = welcome_followers(account, [follow])

    assert log.decision == WelcomeDecision.SKIPPED and "messages classed as spam" in log.reasons


def test_a_skip_test_can_be_turned_off(account: ConnectedAccount) -> None:
    _rule(account, skip_no_display_name=False)

    [log] = welcome_followers(account, [_follow(account, display_name="")])

    assert log.decision == WelcomeDecision.WELCOMED


def test_the_rate_limit_defers_the_excess_it_drops_nothing(account: ConnectedAccount) -> None:
    _rule(account, thanks=ThanksMode.MENTION, per_hour=2, per_day=3)
    follows = [_follow(account, handle=f"@person{letter}@social.example") for letter in "abcdef"]

    logs = welcome_followers(account, follows)

    now = timezone.now()
    assert [log.decision for log in logs] == ["welcomed", "welcomed"] + ["deferred"] * 4
    due = [log.due_at for log in logs]
    assert all(d is not None for d in due)
    assert due[2] >= due[0] + timedelta(hours=1)  # the third waits for the first hour to pass
    assert due[3] >= due[0] + timedelta(days=1)  # past three a day, the next day
    assert Action.objects.filter(kind=ActionKind.FOLLOW).count() == 6
    assert Action.objects.filter(kind=ActionKind.FOLLOW, due_at__gt=now + timedelta(minutes=1)).count() == 4
    for log in logs:
        assert log.follow_action.due_at == log.due_at and log.thanks_action.due_at == log.due_at


def test_quiet_hours_defer_to_their_end(account: ConnectedAccount) -> None:
    rule = _rule(account, quiet_start=time(22, 0), quiet_end=time(8, 0))
    zone = account.workspace.zone
    late = datetime(2026, 5, 4, 23, 30, tzinfo=zone)

    slot = next_slot(rule, [], late, zone)

    assert slot == datetime(2026, 5, 5, 8, 0, tzinfo=zone)
    assert next_slot(rule, [], datetime(2026, 5, 4, 12, 0, tzinfo=UTC), zone) == datetime(2026, 5, 4, 12, 0, tzinfo=UTC)


def test_a_disabled_or_missing_rule_does_nothing_and_a_follower_is_welcomed_once(account: ConnectedAccount) -> None:
    follow = _follow(account)
    assert welcome_followers(account, [follow]) == []
    WelcomeRule.objects.create(account=account, enabled=False)
    assert welcome_followers(account, [follow]) == []
    WelcomeRule.objects.filter(account=account).update(enabled=True)

    assert len(welcome_followers(account, [follow])) == 1
    assert welcome_followers(account, [follow]) == []
    assert WelcomeLog.objects.count() == 1


def test_digit_handles() -> None:
    assert digits_heavy("@jean84736291@mastodon.social")
    assert digits_heavy("@12ab")
    assert not digits_heavy("@marie2@social.example")
    assert not digits_heavy("@cci_lyon")


def test_a_follow_through_ingest_is_welcomed_by_the_hook(
    account: ConnectedAccount, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(hooks, "_HOOKS", dict(hooks._HOOKS))
    welcome_hooks.register()
    _rule(account, thanks=ThanksMode.DIRECT)
    FakeConnector.inbox.append(
        NetworkEvent(
            kind=EventKind.FOLLOW,
            external_id="follow-1",
            occurred_at=timezone.now(),
            author=Author(
                external_id="a-1",
                handle="@marie@social.example",
                display_name="Marie",
                avatar_url="https://social.example/a.png",
            ),
        )
    )

    account_poll(account_id=account.pk)

    log = WelcomeLog.objects.get()
    assert log.decision == WelcomeDecision.WELCOMED
    assert sorted(Action.objects.values_list("kind", flat=True)) == ["follow", "send_direct"]


def test_saving_a_rule_needs_the_reply_permission_and_is_audited(
    camille: Membership, theo: Membership, account: ConnectedAccount
) -> None:
    rule = welcome_rule_save(membership=camille, account=account, enabled=True, thanks=ThanksMode.MENTION, per_hour=5)

    assert rule.per_hour == 5
    assert AuditEntry.objects.filter(verb="inbox.welcome_rule").exists()
    with pytest.raises(PermissionDenied):
        welcome_rule_save(membership=theo, account=account, enabled=False)


def test_the_welcome_page_saves_a_rule_and_shows_the_log(
    client: Client, camille: Membership, account: ConnectedAccount
) -> None:
    client.force_login(camille.user)
    WelcomeLog.objects.create(
        workspace=account.workspace, account=account, handle="@<b>x</b>", decision="skipped", reasons=["bot"]
    )

    page = client.get(reverse("web:welcome"))
    saved = client.post(
        reverse("web:welcome"),
        {
            "account": account.pk,
            "enabled": "on",
            "follow_back": "on",
            "thanks": "direct",
            "mention_template": "Merci {handle}",
            "direct_template": "Merci {name}",
            "per_hour": 3,
            "per_day": 10,
        },
    )

    assert page.status_code == 200 and "@&lt;b&gt;x&lt;/b&gt;" in page.content.decode()
    assert saved.status_code == 302
    rule = WelcomeRule.objects.get(account=account)
    assert rule.enabled and rule.thanks == "direct" and rule.per_hour == 3
