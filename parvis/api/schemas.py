"""Input and output schemas of the JSON API, and the functions that fill the outputs from rows.

Outputs are built explicitly from model instances (no ORM magic in the schemas), so what the
API promises is visible in one place and each list page runs a known number of queries.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from ninja import Field, Schema

from parvis.inbox.models import Conversation, Message
from parvis.networks.models import Action, ActionAttempt, ConnectedAccount
from parvis.publishing.models import Delivery, Post
from parvis.publishing.selectors import post_status_of

MAX_PAGE_SIZE = 100


# --- shared -----------------------------------------------------------------------------------


class ErrorOut(Schema):
    detail: str = Field(description="What went wrong, for a person.")
    problems: list[str] = Field(default_factory=list, description="Each problem found, when there are several.")


# Error responses every authenticated endpoint may give (documented in the OpenAPI schema).
ERRORS: dict[int, type[Schema]] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class PageIn(Schema):
    limit: int = Field(20, ge=1, le=MAX_PAGE_SIZE, description="How many items to return.")
    offset: int = Field(0, ge=0, description="How many items to skip.")


class AccountBrief(Schema):
    id: int
    network: str
    handle: str


class ActionBrief(Schema):
    id: int
    status: str
    external_url: str
    error: str


def account_brief(account: ConnectedAccount) -> AccountBrief:
    return AccountBrief(id=account.pk, network=account.network, handle=account.handle)


def action_brief(action: Action) -> ActionBrief:
    return ActionBrief(id=action.pk, status=action.status, external_url=action.external_url, error=action.last_error)


def next_offset(page: PageIn, returned: int, more: bool) -> int | None:
    return page.offset + returned if more else None


# --- inbox ------------------------------------------------------------------------------------

ConversationStatusValue = Literal["new", "assigned", "waiting", "done"]


class InboxFilters(PageIn):
    status: Literal["new", "assigned", "waiting", "done", "open"] | None = Field(
        None, description='A conversation status, or "open" for everything not done.'
    )
    account_id: int | None = None
    kind: Literal["mention", "reply", "direct_message", "follow"] | None = None


class MessageOut(Schema):
    id: int
    direction: Literal["in", "out"]
    kind: str
    author_handle: str
    text: str
    language: str
    occurred_at: datetime
    url: str
    external_id: str
    in_reply_to_id: str
    sent_by: str | None = Field(description="Username of the team member who wrote a sent message.")
    action: ActionBrief | None = Field(description="The outbox action carrying a sent message to the network.")


class InboxItemOut(Schema):
    """A conversation seen through its latest incoming message (the one a reply answers)."""

    id: int
    account: AccountBrief
    kind: str
    status: str
    assignee: str | None
    message_id: int | None = Field(description="The latest incoming message, answered by default.")
    author_handle: str
    text: str
    language: str
    occurred_at: datetime
    url: str


class InboxItemDetailOut(InboxItemOut):
    messages: list[MessageOut]


class InboxPageOut(Schema):
    count: int
    limit: int
    offset: int
    next_offset: int | None
    items: list[InboxItemOut]


class ReplyIn(Schema):
    text: str = Field(max_length=10_000)
    message_id: int | None = Field(None, description="The message to answer; the latest incoming one by default.")


class StatusIn(Schema):
    status: ConversationStatusValue


def message_out(message: Message) -> MessageOut:
    return MessageOut(
        id=message.pk,
        direction=message.direction,  # type: ignore[arg-type]  # a Direction value
        kind=message.kind,
        author_handle=message.author.handle if message.author else "",
        text=message.text,
        language=message.language,
        occurred_at=message.occurred_at,
        url=message.url,
        external_id=message.external_id,
        in_reply_to_id=message.in_reply_to_id,
        sent_by=message.sent_by.get_username() if message.sent_by else None,
        action=action_brief(message.action) if message.action else None,
    )


def inbox_item_out(conversation: Conversation, latest: Message | None) -> InboxItemOut:
    return InboxItemOut(
        id=conversation.pk,
        account=account_brief(conversation.account),
        kind=conversation.kind,
        status=conversation.status,
        assignee=conversation.assignee.get_username() if conversation.assignee else None,
        message_id=latest.pk if latest else None,
        author_handle=latest.author.handle if latest and latest.author else "",
        text=latest.text if latest else conversation.preview,
        language=latest.language if latest else "",
        occurred_at=latest.occurred_at if latest else conversation.last_message_at,
        url=latest.url if latest else "",
    )


def inbox_item_detail_out(conversation: Conversation) -> InboxItemDetailOut:
    """`conversation` comes from inbox.selectors.conversation_get, its messages prefetched oldest first."""
    messages = list(conversation.messages.all())
    answerable = [message for message in messages if message.direction == "in" and message.external_id]
    latest = max(answerable, key=lambda message: (message.occurred_at, message.pk), default=None)
    item = inbox_item_out(conversation, latest)
    return InboxItemDetailOut(**item.model_dump(), messages=[message_out(message) for message in messages])


# --- publishing -------------------------------------------------------------------------------


class PostIn(Schema):
    text: str = Field(max_length=100_000)
    account_ids: list[int] = Field(description="The connected accounts to publish on.")
    scheduled_at: datetime | None = Field(
        None,
        description=(
            "ISO 8601. With an offset (2026-05-04T09:30:00+02:00 or ...Z) it is an instant; without one "
            "it is a wall-clock time in the workspace's time zone. Omitted or past: publish now."
        ),
    )


class DeliveryOut(Schema):
    account: AccountBrief
    action_id: int
    status: str = Field(description="The delivery's action status: pending, processing, done, failed, held...")
    external_url: str
    error: str


class PostOut(Schema):
    id: int
    text: str
    status: str = Field(description="scheduled, publishing, published, partial, failed, held or cancelled.")
    scheduled_at: datetime
    created_at: datetime
    deliveries: list[DeliveryOut]


class PostPageOut(Schema):
    limit: int
    offset: int
    next_offset: int | None
    items: list[PostOut]


def delivery_out(delivery: Delivery) -> DeliveryOut:
    action = delivery.action
    return DeliveryOut(
        account=account_brief(delivery.account),
        action_id=action.pk,
        status=action.status,
        external_url=action.external_url,
        error=action.last_error,
    )


def post_out(post: Post) -> PostOut:
    """`post` comes from publishing.selectors (deliveries, their accounts and actions prefetched)."""
    return PostOut(
        id=post.pk,
        text=post.text,
        status=post_status_of(post),
        scheduled_at=post.scheduled_at,
        created_at=post.created_at,
        deliveries=[delivery_out(delivery) for delivery in post.deliveries.all()],
    )


# --- accounts and ledger ----------------------------------------------------------------------


class AccountOut(Schema):
    id: int
    network: str
    handle: str
    display_name: str
    instance_url: str
    voice: str | None
    status: str = Field(description="active, needs_reauth, error or disabled.")
    last_poll_at: datetime | None
    last_poll_ok_at: datetime | None
    last_error: str
    last_error_at: datetime | None


class LedgerFilters(PageIn):
    account_id: int | None = None
    status: Literal["pending", "processing", "done", "failed", "held", "cancelled"] | None = None


class AttemptOut(Schema):
    started_at: datetime
    finished_at: datetime | None
    outcome: str
    error: str


class LedgerEntryOut(Schema):
    id: int
    account: AccountBrief
    kind: str
    status: str
    source: str
    summary: str
    due_at: datetime
    attempts: int
    external_id: str
    external_url: str
    error: str
    created_by: str | None
    created_at: datetime
    finished_at: datetime | None
    attempt_log: list[AttemptOut]


class LedgerPageOut(Schema):
    limit: int
    offset: int
    next_offset: int | None
    items: list[LedgerEntryOut]


def account_out(account: ConnectedAccount) -> AccountOut:
    return AccountOut(
        id=account.pk,
        network=account.network,
        handle=account.handle,
        display_name=account.display_name,
        instance_url=account.instance_url,
        voice=account.voice.name if account.voice else None,
        status=account.status,
        last_poll_at=account.last_poll_at,
        last_poll_ok_at=account.last_poll_ok_at,
        last_error=account.last_error,
        last_error_at=account.last_error_at,
    )


def attempt_out(attempt: ActionAttempt) -> AttemptOut:
    return AttemptOut(
        started_at=attempt.started_at, finished_at=attempt.finished_at, outcome=attempt.outcome, error=attempt.error
    )


def ledger_entry_out(action: Action) -> LedgerEntryOut:
    """`action` comes from networks.selectors.ledger_list (account, author and attempts loaded)."""
    return LedgerEntryOut(
        id=action.pk,
        account=account_brief(action.account),
        kind=action.kind,
        status=action.status,
        source=action.source,
        summary=action.summary,
        due_at=action.due_at,
        attempts=action.attempts,
        external_id=action.external_id,
        external_url=action.external_url,
        error=action.last_error,
        created_by=action.created_by.get_username() if action.created_by else None,
        created_at=action.created_at,
        finished_at=action.finished_at,
        attempt_log=[attempt_out(attempt) for attempt in action.attempt_log.all()],
    )
