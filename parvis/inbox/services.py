"""Writes for the inbox: answering on the network the message came from, statuses, assignment.

Notes, labels, saved replies, saved views, assignment rules and bulk actions are in inbox.work.
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from parvis.core.models import Membership
from parvis.core.permissions import Perm, role_has
from parvis.core.services import audit_record, require
from parvis.inbox.models import Conversation, ConversationStatus, Direction, Message, MessageKind
from parvis.inbox.sla import sla_record_answer, sla_record_status
from parvis.inbox.triage import conversations_refresh_priority
from parvis.networks.models import AccountStatus
from parvis.networks.protocol import ActionKind
from parvis.networks.registry import get_connector
from parvis.networks.services import action_create

MAX_REPLY_LENGTH = 10_000


class ReplyError(ValueError):
    """The reply cannot be sent; the message says why, for the user."""


@transaction.atomic
def message_reply(*, membership: Membership, message: Message, text: str) -> Message:
    """Answer `message` on its own network and thread: a sent Message plus the Action that delivers it.

    The conversation moves to "waiting" (for the other person); the answer is in the audit log
    because it is something the organisation says.
    """
    require(membership, Perm.REPLY)
    if message.workspace_id != membership.workspace_id:
        raise PermissionError("Not your workspace")
    text = text.strip()
    if not text:
        raise ReplyError(_("The reply is empty."))
    if message.kind == MessageKind.FOLLOW or not message.external_id:
        raise ReplyError(_("This item cannot be answered on its network."))
    account = message.account
    if account.status not in {AccountStatus.ACTIVE, AccountStatus.ERROR, AccountStatus.NEEDS_REAUTH}:
        raise ReplyError(_("The account %(handle)s is disconnected.") % {"handle": account.handle})
    connector = get_connector(account.network)
    if ActionKind.REPLY not in connector.capabilities.actions:
        raise ReplyError(_("%(network)s does not allow replies from Parvis.") % {"network": connector.display_name})
    limit = connector.capabilities.max_characters or MAX_REPLY_LENGTH
    author_handle = message.author.handle if message.author else ""
    payload = {
        "text": text,
        "in_reply_to_id": message.external_id,
        "in_reply_to_author": author_handle,
        "visibility": message.visibility,
    }
    length = connector.count_characters(text)
    if connector.capabilities.reply_mentions_author and author_handle and author_handle.lower() not in text.lower():
        # The connector will prefix "@author " so the person is notified: count it now, not at the network.
        length += connector.count_characters(author_handle + " ")
    if length > limit:
        raise ReplyError(
            _("The reply is too long for %(network)s (maximum %(limit)s characters).")
            % {"network": connector.display_name, "limit": limit}
        )
    action = action_create(
        workspace=membership.workspace,
        account=account,
        kind=ActionKind.REPLY,
        payload=payload,
        source="inbox.reply",
        summary=text[:300],
        created_by=membership.user,
    )
    now = timezone.now()
    sent = Message.objects.create(
        workspace=membership.workspace,
        conversation=message.conversation,
        account=account,
        direction=Direction.OUT,
        # An answer to a private message stays private: it is one too.
        kind=MessageKind.DIRECT_MESSAGE if message.kind == MessageKind.DIRECT_MESSAGE else MessageKind.REPLY,
        in_reply_to_id=message.external_id,
        text=text,
        visibility=message.visibility,
        occurred_at=now,
        sent_by=membership.user,
        action=action,
    )
    Conversation.objects.filter(pk=message.conversation_id).update(
        status=ConversationStatus.WAITING, last_message_at=now
    )
    conversation = message.conversation
    conversation.status = ConversationStatus.WAITING
    conversation.last_message_at = now
    sla_record_answer(conversation=conversation, at=now)
    # Answered: its priority drops now, not at the next refresh.
    conversations_refresh_priority(conversation_ids=[conversation.pk], now=now)
    audit_record(
        workspace=membership.workspace,
        actor=membership.user,
        verb="inbox.reply",
        target=sent,
        summary=text,
        data={"account": account.pk, "in_reply_to": message.external_id},
    )
    return sent


@transaction.atomic
def conversation_set_status(*, membership: Membership, conversation: Conversation, status: str) -> Conversation:
    """Move a conversation to new, assigned, waiting or done (the SLA timers follow).

    "assigned" without an assignee takes it for oneself.
    """
    require(membership, Perm.REPLY)
    if conversation.workspace_id != membership.workspace_id:
        raise PermissionError("Not your workspace")
    new_status = ConversationStatus(status)
    previous = conversation.status
    conversation.status = new_status
    if new_status == ConversationStatus.ASSIGNED and conversation.assignee_id is None:
        conversation.assignee = membership.user
    conversation.save(update_fields=["status", "assignee"])
    if previous != new_status:
        sla_record_status(conversation=conversation, status=new_status, at=timezone.now())
        audit_record(
            workspace=membership.workspace,
            actor=membership.user,
            verb="inbox.status",
            target=conversation,
            summary=f"{previous} → {new_status}",
            data={"from": previous, "to": str(new_status)},
        )
    return conversation


def assignable_member(membership: Membership, user_id: int) -> User:
    """The user `user_id` if they can answer in the workspace of `membership`; else PermissionError."""
    target = (
        Membership.objects.select_related("user").filter(workspace_id=membership.workspace_id, user_id=user_id).first()
    )
    if target is None or not role_has(target.role, Perm.REPLY):
        raise PermissionError("This person cannot be given conversations in this workspace")
    return target.user


@transaction.atomic
def conversation_assign(*, membership: Membership, conversation: Conversation, assignee_id: int | None) -> Conversation:
    """Give a conversation to a member of the team (status "assigned"), or take it back (status "new")."""
    require(membership, Perm.REPLY)
    if conversation.workspace_id != membership.workspace_id:
        raise PermissionError("Not your workspace")
    assignee = assignable_member(membership, assignee_id) if assignee_id is not None else None
    previous = conversation.status
    conversation.assignee = assignee
    if assignee is not None and previous in {ConversationStatus.NEW, ConversationStatus.ASSIGNED}:
        conversation.status = ConversationStatus.ASSIGNED
    elif assignee is None and previous == ConversationStatus.ASSIGNED:
        conversation.status = ConversationStatus.NEW
    conversation.save(update_fields=["status", "assignee"])
    if conversation.status != previous:
        sla_record_status(conversation=conversation, status=conversation.status, at=timezone.now())
    audit_record(
        workspace=membership.workspace,
        actor=membership.user,
        verb="inbox.assign",
        target=conversation,
        summary=assignee.get_username() if assignee else "",
        data={"assignee": assignee.pk if assignee else None},
    )
    return conversation
