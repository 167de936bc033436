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
from parvis.publishing.selectors import PostView, VariantView

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


class VariantIn(Schema):
    """A variant written by hand for one account (otherwise it is derived from the post's text)."""

    account_id: int
    text: str = Field(max_length=100_000, description="The first post of the variant.")
    thread: list[str] = Field(
        default_factory=list,
        description="The next posts of a thread, in order. Empty: a text too long for the network is split for you.",
    )
    first_comment: str = Field("", max_length=10_000)
    media_ids: list[int] | None = Field(None, description="This variant's own media; omitted: the post's media.")


class PostIn(Schema):
    text: str = Field(max_length=100_000)
    account_ids: list[int] = Field(description="The connected accounts to publish on.")
    scheduled_at: datetime | None = Field(
        None,
        description=(
            "ISO 8601. With an offset (2026-05-04T09:30:00+02:00 or ...Z) it is an instant; without one "
            "it is a wall-clock time in the workspace's time zone. Omitted: publish now. Less than a "
            "minute ago counts as now; further in the past is refused (422)."
        ),
    )
    media_ids: list[int] = Field(default_factory=list, description="Media library items attached to every variant.")
    variants: list[VariantIn] = Field(
        default_factory=list, description="Hand-written variants, one per account at most."
    )
    first_comment: str = Field(
        "", max_length=10_000, description="Published under the post where the network has comments."
    )
    campaign_id: int | None = None
    queued: bool = Field(False, description="Take the next free queue slot of the accounts (scheduled_at is ignored).")
    submit: bool = Field(
        True,
        description=(
            "True: publish (or send for approval when your role or the workspace asks for it). False: keep a draft."
        ),
    )


class PostActionOut(Schema):
    id: int
    kind: str = Field(description="publish, reply (a first comment), repost or quote.")
    status: str
    text: str
    external_url: str
    error: str


class DeliveryOut(Schema):
    """One account's variant of the post and the actions that carry it."""

    account: AccountBrief
    action_id: int | None = Field(description="The first post's action; null until the post is released.")
    status: str = Field(
        description="The first post's action status (pending, processing, done, failed, held, cancelled); "
        "before release, the post's stage (draft, in_review, changes_requested)."
    )
    variant_status: str = Field(
        description="The whole variant, thread and first comment included: the stage before release, then "
        "scheduled, publishing, published, partial, failed, held or cancelled."
    )
    external_url: str
    error: str
    text: str = Field(description="The first post of the variant.")
    thread: list[str] = Field(description="The next posts of the thread.")
    first_comment: str
    customised: bool = Field(description="Written by hand rather than derived from the post's text.")
    media_ids: list[int]
    actions: list[PostActionOut] = Field(description="The first post, the thread's next posts, then the first comment.")


class PostOut(Schema):
    id: int
    text: str
    stage: str = Field(description="draft, in_review, changes_requested or released.")
    status: str = Field(
        description="The stage until the post is released; then scheduled, publishing, published, partial, "
        "failed, held or cancelled."
    )
    revision: int
    scheduled_at: datetime
    created_at: datetime
    first_comment: str
    campaign_id: int | None
    queued: bool
    origin: str
    media_ids: list[int]
    deliveries: list[DeliveryOut]


class PostPageOut(Schema):
    limit: int
    offset: int
    next_offset: int | None
    items: list[PostOut]


def _action_out(action: Action) -> PostActionOut:
    return PostActionOut(
        id=action.pk,
        kind=action.kind,
        status=action.status,
        text=str(action.payload.get("text", "")),
        external_url=action.external_url,
        error=action.last_error,
    )


def delivery_out(variant: VariantView) -> DeliveryOut:
    delivery = variant.delivery
    first = variant.actions[0] if variant.actions else None
    return DeliveryOut(
        account=account_brief(delivery.account),
        action_id=first.pk if first else None,
        status=first.status if first else delivery.post.stage,
        variant_status=variant.status,
        external_url=first.external_url if first else "",
        error="; ".join(variant.errors),
        text=delivery.text,
        thread=list(delivery.thread),
        first_comment=delivery.first_comment,
        customised=delivery.customised,
        media_ids=[item.pk for item in delivery.media.all()],
        actions=[_action_out(action) for action in variant.actions],
    )


def post_out(view: PostView) -> PostOut:
    """`view` comes from publishing.selectors.post_views (variants with all their actions)."""
    post = view.post
    return PostOut(
        id=post.pk,
        text=post.text,
        stage=post.stage,
        status=view.status,
        revision=post.revision,
        scheduled_at=post.scheduled_at,
        created_at=post.created_at,
        first_comment=post.first_comment,
        campaign_id=post.campaign_id,
        queued=post.queued,
        origin=post.origin,
        media_ids=[item.pk for item in post.media.all()],
        deliveries=[delivery_out(variant) for variant in view.variants],
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
