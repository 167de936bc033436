from __future__ import annotations

import base64
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from parvis.community.tests.factories import IdentityFactory
from parvis.core.models import Membership, Workspace
from parvis.inbox.models import Conversation, ConversationStatus
from parvis.inbox.selectors import (
    InboxFilters,
    author_history,
    conversation_count_since,
    conversation_filter,
    conversation_page,
)
from parvis.inbox.tests.factories import ConversationFactory, MessageFactory
from parvis.inbox.work import label_create
from parvis.networks.models import ConnectedAccount
from parvis.networks.tests.factories import ConnectedAccountFactory


def listed(workspace: Workspace, user: object = None, **filters: object) -> list[int]:
    return sorted(conversation_filter(workspace, InboxFilters(**filters), user=user).values_list("pk", flat=True))  # type: ignore[arg-type]


def test_it_filters_on_the_triage_of_received_messages(workspace: Workspace, account: ConnectedAccount) -> None:
    question = MessageFactory(conversation__account=account, category="question", sentiment="neutral", language="fr")
    insult = MessageFactory(conversation__account=account, category="insult-or-hate", sentiment="negative")

    assert listed(workspace, category="question") == [question.conversation_id]
    assert listed(workspace, sentiment="negative") == [insult.conversation_id]
    assert listed(workspace, language="fr") == [question.conversation_id]


def test_it_filters_on_priority_label_network_and_text(
    camille: Membership, workspace: Workspace, account: ConnectedAccount
) -> None:
    urgent = ConversationFactory(account=account, priority=80, preview="Remboursement urgent")
    calm = ConversationFactory(account=account, priority=10, preview="Merci")
    label = label_create(membership=camille, name="Presse")
    calm.labels.add(label)
    MessageFactory(conversation=calm, text="Un journaliste du Progrès demande une interview")

    assert listed(workspace, priority_min=50) == [urgent.pk]
    assert listed(workspace, label_id=label.pk) == [calm.pk]
    assert listed(workspace, text="remboursement") == [urgent.pk]
    assert listed(workspace, text="journaliste") == [calm.pk]
    assert listed(workspace, network=account.network) == sorted([urgent.pk, calm.pk])
    assert listed(workspace, network="mastodon") == []


def test_it_filters_on_the_assignee(
    camille: Membership, alice: Membership, workspace: Workspace, account: ConnectedAccount
) -> None:
    mine = ConversationFactory(account=account, assignee=camille.user, status=ConversationStatus.ASSIGNED)
    hers = ConversationFactory(account=account, assignee=alice.user, status=ConversationStatus.ASSIGNED)
    nobody = ConversationFactory(account=account)

    assert listed(workspace, camille.user, assignee="mine") == [mine.pk]
    assert listed(workspace, camille.user, assignee="unassigned") == [nobody.pk]
    assert listed(workspace, camille.user, assignee=str(alice.user_id)) == [hers.pk]


def test_overdue_means_past_the_first_answer_deadline_and_unanswered(
    workspace: Workspace, account: ConnectedAccount
) -> None:
    now = timezone.now()
    late = ConversationFactory(account=account, first_response_due_at=now - timedelta(minutes=5))
    ConversationFactory(account=account, first_response_due_at=now - timedelta(minutes=5), first_response_at=now)
    ConversationFactory(account=account, first_response_due_at=now + timedelta(hours=1))

    assert listed(workspace, overdue=True) == [late.pk]


def test_open_and_all_statuses(workspace: Workspace, account: ConnectedAccount) -> None:
    done = ConversationFactory(account=account, status=ConversationStatus.DONE)
    waiting = ConversationFactory(account=account, status=ConversationStatus.WAITING)

    assert listed(workspace, status="open") == [waiting.pk]
    assert listed(workspace, status="all") == sorted([done.pk, waiting.pk])
    assert listed(workspace, status="done") == [done.pk]


def test_pages_follow_each_other_without_gap_or_repeat_when_times_are_equal(
    workspace: Workspace, account: ConnectedAccount
) -> None:
    same_moment = timezone.now().replace(microsecond=0)
    created = [ConversationFactory(account=account, last_message_at=same_moment) for _ in range(7)]
    created += [ConversationFactory(account=account, last_message_at=same_moment - timedelta(seconds=1))]
    seen: list[int] = []
    cursor = None
    while True:
        page = conversation_page(workspace, InboxFilters(), user=None, after=cursor, size=3)
        seen += [item.pk for item in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break

    expected = [*sorted((c.pk for c in created[:7]), reverse=True), created[7].pk]
    assert seen == expected


def test_priority_pages_sort_by_priority_then_time(workspace: Workspace, account: ConnectedAccount) -> None:
    now = timezone.now()
    low = ConversationFactory(account=account, priority=10, last_message_at=now)
    high_old = ConversationFactory(account=account, priority=90, last_message_at=now - timedelta(hours=1))
    high_new = ConversationFactory(account=account, priority=90, last_message_at=now - timedelta(minutes=1))

    first = conversation_page(workspace, InboxFilters(sort="priority"), user=None, size=2)
    second = conversation_page(workspace, InboxFilters(sort="priority"), user=None, after=first.next_cursor, size=2)

    assert [item.pk for item in first.items] == [high_new.pk, high_old.pk]
    assert [item.pk for item in second.items] == [low.pk]
    assert second.next_cursor is None


def test_a_forged_cursor_starts_from_the_top(workspace: Workspace, account: ConnectedAccount) -> None:
    conversation = ConversationFactory(account=account)

    for forged in ("not-a-cursor!", base64.urlsafe_b64encode(b"99999999999999999999.1").decode()):
        page = conversation_page(workspace, InboxFilters(), user=None, after=forged)

        assert [item.pk for item in page.items] == [conversation.pk]


def test_a_page_costs_the_same_number_of_queries_whatever_its_size(
    camille: Membership, workspace: Workspace, account: ConnectedAccount
) -> None:
    label = label_create(membership=camille, name="Presse")

    def queries(rows: int) -> int:
        Conversation.objects.all().delete()
        for _ in range(rows):
            message = MessageFactory(conversation__account=account)
            message.conversation.labels.add(label)
        with CaptureQueriesContext(connection) as context:
            page = conversation_page(workspace, InboxFilters(), user=None)
            for item in page.items:
                assert item.latest_incoming.author is not None  # type: ignore[attr-defined]
                assert item.label_list == [label]  # type: ignore[attr-defined]
        return len(context.captured_queries)

    assert queries(2) == queries(12) <= 5


def test_it_counts_what_moved_since_the_page_was_shown(workspace: Workspace, account: ConnectedAccount) -> None:
    ConversationFactory(account=account, last_message_at=timezone.now() - timedelta(minutes=5))
    page = conversation_page(workspace, InboxFilters(), user=None)
    assert conversation_count_since(workspace, InboxFilters(), user=None, mark=page.newest_mark) == 0

    ConversationFactory(account=account)
    ConversationFactory(account=account)

    assert conversation_count_since(workspace, InboxFilters(), user=None, mark=page.newest_mark) == 2
    assert conversation_count_since(workspace, InboxFilters(), user=None, mark="nonsense") == 0


def test_the_author_history_gathers_the_person_across_networks_and_accounts(
    workspace: Workspace, account: ConnectedAccount
) -> None:
    other_account = ConnectedAccountFactory(workspace=workspace, network="fake")
    on_fake = IdentityFactory(member__workspace=workspace, network="fake")
    on_mastodon = IdentityFactory(member=on_fake.member, network="mastodon")
    stranger = IdentityFactory(member__workspace=workspace)
    first = MessageFactory(conversation__account=account, author=on_fake, text="Première")
    second = MessageFactory(conversation__account=other_account, author=on_mastodon, text="Deuxième")
    MessageFactory(conversation__account=account, author=stranger, text="Pas elle")

    history = author_history(workspace, on_fake)

    assert history.member == on_fake.member
    assert {identity.pk for identity in history.identities} == {on_fake.pk, on_mastodon.pk}
    assert {message.pk for message in history.messages} == {first.pk, second.pk}


def test_the_author_history_is_bounded(workspace: Workspace, account: ConnectedAccount) -> None:
    author = IdentityFactory(member__workspace=workspace)
    for _ in range(5):
        MessageFactory(conversation__account=account, author=author)

    assert len(author_history(workspace, author, limit=3).messages) == 3


def test_the_author_history_of_another_workspace_is_empty(oscar: Membership, account: ConnectedAccount) -> None:
    author = MessageFactory(conversation__account=account).author

    assert author_history(oscar.workspace, author).messages == []


@pytest.mark.parametrize(("sort", "raw"), [("newest", "90.1.2"), ("priority", "1.2")])
def test_the_first_page_ignores_a_cursor_of_the_other_sort(
    workspace: Workspace, account: ConnectedAccount, sort: str, raw: str
) -> None:
    ConversationFactory(account=account)
    cursor = base64.urlsafe_b64encode(raw.encode()).decode()

    page = conversation_page(workspace, InboxFilters(sort=sort), user=None, after=cursor)

    assert len(page.items) == 1


def test_the_newest_row_itself_never_counts_as_new(workspace: Workspace, account: ConnectedAccount) -> None:
    for micro in (1, 999_999, 123_457, 500_001):
        ConversationFactory(account=account, last_message_at=timezone.now().replace(microsecond=micro))
        page = conversation_page(workspace, InboxFilters(), user=None)
        assert conversation_count_since(workspace, InboxFilters(), user=None, mark=page.newest_mark) == 0
