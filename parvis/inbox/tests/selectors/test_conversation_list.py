from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from parvis.core.models import Workspace
from parvis.core.tests.factories import WorkspaceFactory
from parvis.inbox.models import ConversationStatus, MessageKind
from parvis.inbox.selectors import conversation_list
from parvis.inbox.tests.factories import ConversationFactory
from parvis.networks.models import ConnectedAccount
from parvis.networks.tests.factories import ConnectedAccountFactory


def _ids(conversations: object) -> list[int]:
    return [conversation.pk for conversation in conversations]  # type: ignore[attr-defined]


def test_it_lists_the_newest_conversation_first(account: ConnectedAccount) -> None:
    now = timezone.now()
    older = ConversationFactory(account=account, last_message_at=now - timedelta(hours=1))
    newer = ConversationFactory(account=account, last_message_at=now)
    middle = ConversationFactory(account=account, last_message_at=now - timedelta(minutes=5))

    assert _ids(conversation_list(account.workspace)) == [newer.pk, middle.pk, older.pk]


def test_it_lists_only_the_workspaces_conversations(account: ConnectedAccount) -> None:
    ours = ConversationFactory(account=account)
    ConversationFactory(account=ConnectedAccountFactory(workspace=WorkspaceFactory()))

    assert _ids(conversation_list(account.workspace)) == [ours.pk]


def test_it_filters_by_account(workspace: Workspace) -> None:
    first = ConnectedAccountFactory(workspace=workspace)
    second = ConnectedAccountFactory(workspace=workspace)
    wanted = ConversationFactory(account=second)
    ConversationFactory(account=first)

    assert _ids(conversation_list(workspace, account_id=second.pk)) == [wanted.pk]


def test_it_filters_by_status(account: ConnectedAccount) -> None:
    waiting = ConversationFactory(account=account, status=ConversationStatus.WAITING)
    ConversationFactory(account=account, status=ConversationStatus.NEW)

    assert _ids(conversation_list(account.workspace, status=ConversationStatus.WAITING)) == [waiting.pk]


def test_open_means_everything_not_done(account: ConnectedAccount) -> None:
    now = timezone.now()
    opened = [
        ConversationFactory(account=account, status=status, last_message_at=now - timedelta(minutes=index))
        for index, status in enumerate(
            [ConversationStatus.NEW, ConversationStatus.ASSIGNED, ConversationStatus.WAITING]
        )
    ]
    ConversationFactory(account=account, status=ConversationStatus.DONE)

    assert _ids(conversation_list(account.workspace, status="open")) == [c.pk for c in opened]


def test_it_filters_by_kind(account: ConnectedAccount) -> None:
    follow = ConversationFactory(account=account, kind=MessageKind.FOLLOW)
    ConversationFactory(account=account, kind=MessageKind.MENTION)

    assert _ids(conversation_list(account.workspace, kind=MessageKind.FOLLOW)) == [follow.pk]


def test_filters_combine(workspace: Workspace) -> None:
    first = ConnectedAccountFactory(workspace=workspace)
    second = ConnectedAccountFactory(workspace=workspace)
    wanted = ConversationFactory(account=first, status=ConversationStatus.NEW)
    ConversationFactory(account=first, status=ConversationStatus.DONE)
    ConversationFactory(account=second, status=ConversationStatus.NEW)

    assert _ids(conversation_list(workspace, account_id=first.pk, status="open")) == [wanted.pk]
