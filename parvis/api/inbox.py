"""/inbox: conversations from every connected account, answering them, triage."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.errors import HttpError

from parvis.api.auth import acting_membership
from parvis.api.schemas import (
    ERRORS,
    InboxFilters,
    InboxItemDetailOut,
    InboxItemOut,
    InboxPageOut,
    MessageOut,
    ReplyIn,
    StatusIn,
    inbox_item_detail_out,
    inbox_item_out,
    message_out,
    next_offset,
)
from parvis.core.permissions import Perm
from parvis.core.services import require
from parvis.inbox.selectors import (
    conversation_get,
    conversation_list,
    latest_incoming,
    latest_incoming_for,
    message_get,
)
from parvis.inbox.services import conversation_set_status, message_reply
from parvis.networks.selectors import action_get

router = Router(tags=["inbox"])


@router.get("/items", response={200: InboxPageOut, **ERRORS}, summary="List conversations, newest first")
def list_items(request: HttpRequest, filters: Query[InboxFilters]) -> InboxPageOut:
    membership = acting_membership(request)
    require(membership, Perm.VIEW_INBOX)
    conversations = conversation_list(
        membership.workspace, account_id=filters.account_id, status=filters.status, kind=filters.kind
    )
    count = conversations.count()
    page = list(conversations[filters.offset : filters.offset + filters.limit])
    latest = latest_incoming_for(page)
    return InboxPageOut(
        count=count,
        limit=filters.limit,
        offset=filters.offset,
        next_offset=next_offset(filters, len(page), more=filters.offset + len(page) < count),
        items=[inbox_item_out(conversation, latest.get(conversation.pk)) for conversation in page],
    )


@router.get("/items/{item_id}", response={200: InboxItemDetailOut, **ERRORS}, summary="One conversation")
def get_item(request: HttpRequest, item_id: int) -> InboxItemDetailOut:
    membership = acting_membership(request)
    require(membership, Perm.VIEW_INBOX)
    return inbox_item_detail_out(conversation_get(membership.workspace, item_id))


@router.post(
    "/items/{item_id}/reply",
    response={202: MessageOut, **ERRORS},
    summary="Answer on the network the message came from",
    description=(
        "Answers `message_id` (default: the latest incoming message) in its thread. The reply is sent "
        "by a worker: the response carries its outbox action, whose status moves from pending to done "
        "(or failed, with the network's error) — follow it with GET /ledger."
    ),
)
def reply(request: HttpRequest, item_id: int, payload: ReplyIn) -> Status[MessageOut]:
    membership = acting_membership(request)
    workspace = membership.workspace
    conversation = conversation_get(workspace, item_id)
    if payload.message_id is not None:
        message = message_get(workspace, payload.message_id)
        if message.conversation_id != conversation.pk:
            raise HttpError(404, _("That message is not part of this conversation."))
    else:
        latest = latest_incoming(conversation)
        if latest is None:
            raise HttpError(422, _("There is no received message to answer in this conversation."))
        message = latest
    sent = message_reply(membership=membership, message=message, text=payload.text)
    if sent.action_id is not None:
        # Read the action again: a worker may already have carried it out.
        sent.action = action_get(workspace, sent.action_id)
    return Status(202, message_out(sent))


@router.post("/items/{item_id}/status", response={200: InboxItemOut, **ERRORS}, summary="Change the status")
def set_status(request: HttpRequest, item_id: int, payload: StatusIn) -> InboxItemOut:
    membership = acting_membership(request)
    conversation = conversation_get(membership.workspace, item_id)
    conversation = conversation_set_status(membership=membership, conversation=conversation, status=payload.status)
    return inbox_item_out(conversation, latest_incoming(conversation))
