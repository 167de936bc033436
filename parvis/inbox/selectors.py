"""Reads for the inbox."""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import OuterRef, Prefetch, QuerySet, Subquery

from parvis.core.models import Workspace
from parvis.inbox.models import Conversation, Direction, Message


def conversation_list(
    workspace: Workspace,
    *,
    account_id: int | None = None,
    status: str | None = None,
    kind: str | None = None,
) -> QuerySet[Conversation]:
    """Newest first. `status="open"` means everything not done."""
    conversations = Conversation.objects.filter(workspace=workspace).select_related("account", "assignee")
    if account_id:
        conversations = conversations.filter(account_id=account_id)
    if status == "open":
        conversations = conversations.exclude(status="done")
    elif status:
        conversations = conversations.filter(status=status)
    if kind:
        conversations = conversations.filter(kind=kind)
    return conversations.order_by("-last_message_at", "-id")


def conversation_get(workspace: Workspace, conversation_id: int) -> Conversation:
    return (
        Conversation.objects.select_related("account", "assignee")
        .prefetch_related(
            Prefetch(
                "messages",
                queryset=Message.objects.select_related("author", "action", "sent_by").order_by("occurred_at", "id"),
            )
        )
        .get(workspace=workspace, pk=conversation_id)
    )


def message_get(workspace: Workspace, message_id: int) -> Message:
    return Message.objects.select_related("account", "author", "conversation").get(workspace=workspace, pk=message_id)


def latest_incoming(conversation: Conversation) -> Message | None:
    return (
        Message.objects.filter(conversation=conversation, direction=Direction.IN)
        .exclude(external_id="")
        .order_by("-occurred_at", "-id")
        .select_related("author", "account")
        .first()
    )


def latest_incoming_for(conversations: Sequence[Conversation]) -> dict[int, Message]:
    """`latest_incoming` of each conversation of a page, in two queries instead of one per row."""
    latest = (
        Message.objects.filter(conversation=OuterRef("pk"), direction=Direction.IN)
        .exclude(external_id="")
        .order_by("-occurred_at", "-id")
        .values("id")[:1]
    )
    ids = (
        Conversation.objects.filter(pk__in=[conversation.pk for conversation in conversations])
        .annotate(latest_id=Subquery(latest))
        .values_list("latest_id", flat=True)
    )
    messages = Message.objects.filter(pk__in=[pk for pk in ids if pk is not None]).select_related("author", "account")
    return {message.conversation_id: message for message in messages}
