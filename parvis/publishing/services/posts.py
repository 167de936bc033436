"""Writes for publishing: compose once, one variant per account, released to the outbox once allowed.

A post's life:

1. `post_create` checks every variant against its network's rules (`composition.plan_variant`)
   and the editorial charter, then writes the Post and one Delivery (the variant) per account.
   Nothing is in the outbox yet.
2. A member who may publish (and a workspace that does not ask approval for everyone) releases
   it at once (`post_release`); anyone else submits it for approval (`review_request`, in
   approvals.py), whose final approval calls `post_release`; or it stays a draft.
3. `post_release` writes the actions: the first post of each variant, the thread's next posts as
   child actions answering the previous one, the first comment under the first post, all in one
   transaction, due at the post's time with the workspace's lateness cutoff.
4. `post_update` edits a post that has not gone out: its pending actions are cancelled and it is
   approved or released again. `post_reschedule` moves it (calendar drag and drop).
   `post_cancel` stops what has not gone out; `post_delete` removes a post that never went out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from parvis.core.models import Membership, Workspace
from parvis.core.permissions import Perm, role_has
from parvis.core.services import audit_record, require
from parvis.networks.models import AccountStatus, Action, ActionStatus, ConnectedAccount
from parvis.networks.protocol import ActionKind, Capabilities
from parvis.networks.registry import UnknownNetwork, get_connector
from parvis.networks.services import action_create
from parvis.publishing.composition import MediaInfo, NetworkRules, VariantPlan, plan_variant
from parvis.publishing.models import (
    Campaign,
    Delivery,
    MediaItem,
    Post,
    PostOrigin,
    PostStage,
    PublishingSettings,
    RelayKind,
)
from parvis.publishing.services.media import CompositionError, media_upload

__all__ = [
    "CompositionError",
    "CompositionReport",
    "VariantInput",
    "approval_needed",
    "composition_check",
    "media_upload",
    "post_cancel",
    "post_check",
    "post_create",
    "post_delete",
    "post_release",
    "post_reschedule",
    "post_update",
    "publishing_settings",
    "variant_plan",
]

# A time up to this far in the past is "now" (the form was filled in a minute ago); further back
# it is refused: a post scheduled for yesterday was probably meant for another day.
PAST_TOLERANCE = timedelta(minutes=1)
SOURCE_POST = "publishing.delivery"
SOURCE_THREAD = "publishing.thread"
SOURCE_COMMENT = "publishing.first_comment"
# Actions of a post that have gone out, or are going out right now: the post is history.
GONE_OUT = (ActionStatus.DONE, ActionStatus.PROCESSING)
# Actions that can still be stopped.
STOPPABLE = (ActionStatus.PENDING, ActionStatus.HELD, ActionStatus.FAILED)


@dataclass(frozen=True)
class VariantInput:
    """A variant edited by hand for one account: its own text, thread, first comment and media.

    An empty `thread` lets a too-long `text` be split into a thread automatically; `media` None
    takes the post's media.
    """

    text: str
    thread: Sequence[str] = ()
    first_comment: str = ""
    media: Sequence[int] | None = None


@dataclass
class CompositionReport:
    """The live check of a post: a plan per account, what blocks it, what is worth a second look."""

    plans: dict[int, VariantPlan] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


# --- reading the rules --------------------------------------------------------------------------


def publishing_settings(workspace: Workspace) -> PublishingSettings:
    """The workspace's publishing settings; the defaults (unsaved) when it has none yet."""
    found = PublishingSettings.objects.filter(workspace=workspace).first()
    return found if found is not None else PublishingSettings(workspace=workspace)


def approval_needed(*, membership: Membership) -> bool:
    """Whether a post by this member waits for an approver before it goes out."""
    if not role_has(membership.role, Perm.PUBLISH):
        return True
    return publishing_settings(membership.workspace).approval_for_everyone


def _short_link_length(settings: PublishingSettings) -> int:
    if not settings.shorten_links:
        return 0
    from parvis.publishing.services.links import short_link_length

    return short_link_length()


def network_rules(network: str, *, short_link_length: int = 0) -> NetworkRules | None:
    """The composer's view of a network, from its connector; None when the connector cannot load."""
    try:
        connector = get_connector(network)
    except (UnknownNetwork, ImportError, AttributeError):
        return None
    return NetworkRules(
        network=network,
        display_name=connector.display_name,
        capabilities=connector.capabilities,
        count=connector.count_characters,
        short_link_length=short_link_length,
    )


def media_info(item: MediaItem) -> MediaInfo:
    name = (item.title or item.file.name or "").rsplit("/", 1)[-1]
    return MediaInfo(
        name=name,
        mime_type=item.mime_type,
        size=item.size,
        alt_text=item.alt_text,
        width=item.width,
        height=item.height,
        duration_seconds=item.duration_seconds,
        url=item.file.url if item.file else "",
        id=item.pk,
    )


@dataclass(frozen=True)
class _Relay:
    origin: str = PostOrigin.OWN
    kind: str = ""
    url: str = ""
    network: str = ""
    external_id: str = ""

    def on_same_network(self, account: ConnectedAccount, capabilities: Capabilities) -> ActionKind | None:
        """REPOST or QUOTE when the relayed post lives on this account's network and it can do that."""
        if self.origin != PostOrigin.RELAY or not self.external_id or account.network != self.network:
            return None
        kind = {RelayKind.REPOST.value: ActionKind.REPOST, RelayKind.QUOTE.value: ActionKind.QUOTE}.get(self.kind)
        if kind is None or kind not in capabilities.actions:
            return None
        return kind

    def link_text(self, text: str) -> str:
        """A relay published as a link post carries the link in its text."""
        if self.origin != PostOrigin.RELAY or not self.url or self.url in text:
            return text
        return f"{text.rstrip()}\n\n{self.url}" if text.strip() else self.url


def _relay_of(post: Post) -> _Relay:
    return _Relay(
        origin=post.origin,
        kind=post.relay_kind,
        url=post.relay_url,
        network=post.relay_network,
        external_id=post.relay_external_id,
    )


def variant_plan(
    *,
    account: ConnectedAccount,
    text: str,
    media: Sequence[MediaItem] = (),
    first_comment: str = "",
    thread: Sequence[str] | None = None,
    short_link_length: int = 0,
    relay: _Relay | None = None,
) -> VariantPlan:
    """What `account` will publish (the preview) and what its network's rules say about it."""
    rules = network_rules(account.network, short_link_length=short_link_length)
    if rules is None:
        return VariantPlan(
            network=account.network,
            display_name=account.network.title(),
            label=account.handle,
            posts=(),
            first_comment=None,
            problems=(_("%(handle)s: this network cannot be reached from Parvis now.") % {"handle": account.handle},),
            warnings=(),
        )
    relay = relay or _Relay()
    kind = relay.on_same_network(account, rules.capabilities)
    if kind == ActionKind.REPOST:  # a boost has no text of its own
        return VariantPlan(
            network=rules.network,
            display_name=rules.display_name,
            label=account.handle,
            posts=(),
            first_comment=None,
            problems=(),
            warnings=(),
            capabilities=rules.capabilities,
        )
    if kind is None:
        text = relay.link_text(text)
    return plan_variant(
        rules=rules,
        label=account.handle,
        text=text,
        media=[media_info(item) for item in media],
        first_comment=first_comment,
        thread=thread,
    )


def _account_problems(account: ConnectedAccount) -> list[str]:
    rules = network_rules(account.network)
    if rules is not None and ActionKind.PUBLISH not in rules.capabilities.actions:
        return [
            _("%(handle)s: %(network)s does not accept posts.")
            % {"handle": account.handle, "network": rules.display_name}
        ]
    if account.status == AccountStatus.DISABLED:
        return [_("%(handle)s: the account is disconnected.") % {"handle": account.handle}]
    return []


def post_check(
    *,
    workspace: Workspace,
    text: str,
    accounts: Sequence[ConnectedAccount],
    media: Sequence[MediaItem] = (),
    variants: Mapping[int, VariantInput] | None = None,
    first_comment: str = "",
    scheduled_at: datetime | None = None,
    relay: _Relay | None = None,
    variant_media: Mapping[int, Sequence[MediaItem]] | None = None,
    post_id: int | None = None,
    editorial: bool = True,
) -> CompositionReport:
    """Check a post as composed, writing nothing: one plan per account, problems and warnings.

    This is the composer's live check and the gate of `post_create` / `post_update`. The
    editorial charter (`publishing.editorial`) adds its findings: blockers are problems.
    """
    relay = relay or _Relay()
    variants = variants or {}
    variant_media = variant_media or {}
    report = CompositionReport()
    is_repost = relay.origin == PostOrigin.RELAY and relay.kind == RelayKind.REPOST
    if not text.strip() and not media and not relay.url and not is_repost and not variants:
        report.problems.append(_("The post is empty."))
    if not accounts:
        report.problems.append(_("Choose at least one account."))
    shortened = _short_link_length(publishing_settings(workspace))
    for account in accounts:
        account_problems = _account_problems(account)
        if account_problems:
            report.problems.extend(account_problems)
            continue
        variant = variants.get(account.pk)
        if variant is not None:
            plan = variant_plan(
                account=account,
                text=variant.text,
                media=variant_media.get(account.pk, media),
                first_comment=variant.first_comment,
                thread=list(variant.thread) if variant.thread else None,
                short_link_length=shortened,
                relay=relay,
            )
            if not variant.text.strip() and not variant_media.get(account.pk, media):
                report.problems.append(_("%(handle)s: the variant is empty.") % {"handle": account.handle})
        else:
            plan = variant_plan(
                account=account,
                text=text,
                media=media,
                first_comment=first_comment,
                short_link_length=shortened,
                relay=relay,
            )
        report.plans[account.pk] = plan
        report.problems.extend(plan.problems)
        report.warnings.extend(plan.warnings)
    if editorial and report.plans:
        _editorial(
            report, workspace=workspace, accounts=accounts, scheduled_at=scheduled_at, relay=relay, post_id=post_id
        )
    return report


def _editorial(
    report: CompositionReport,
    *,
    workspace: Workspace,
    accounts: Sequence[ConnectedAccount],
    scheduled_at: datetime | None,
    relay: _Relay,
    post_id: int | None,
) -> None:
    from parvis.publishing.editorial import editorial_findings
    from parvis.strategy.checks import DraftInfo

    handles = {account.pk: account.handle for account in accounts}
    drafts = [
        DraftInfo(
            network=plan.network,
            account_id=account_id,
            text=plan.text,
            media_count=len(plan.posts[0].media) if plan.posts else 0,
            is_relay=relay.origin == PostOrigin.RELAY,
            scheduled_at=scheduled_at,
            relay_kind=relay.kind,
            thread=tuple(plan.thread),
            first_comment=plan.first_comment.text if plan.first_comment else "",
            post_id=post_id,
        )
        for account_id, plan in report.plans.items()
    ]
    for finding in editorial_findings(workspace=workspace, drafts=drafts):
        handle = handles.get(finding.account_id or 0)
        message = (
            _("%(handle)s: %(message)s") % {"handle": handle, "message": finding.message} if handle else finding.message
        )
        target = report.problems if finding.is_blocker else report.warnings
        if message not in target:
            target.append(message)


def composition_check(*, text: str, accounts: Sequence[ConnectedAccount], media: Sequence[MediaItem]) -> list[str]:
    """Every rule the text and media break on each target network, in the user's words.

    Network rules only (no editorial charter): for the CSV import's line-by-line report.
    """
    if not accounts:
        return [_("Choose at least one account.")]
    workspace = accounts[0].workspace
    return post_check(workspace=workspace, text=text, accounts=accounts, media=media, editorial=False).problems


# --- guards -------------------------------------------------------------------------------------


def _same_workspace(
    workspace: Workspace,
    *,
    accounts: Sequence[ConnectedAccount] = (),
    media: Sequence[MediaItem] = (),
    campaign: Campaign | None = None,
) -> None:
    if any(account.workspace_id != workspace.pk for account in accounts):
        raise PermissionError("An account does not belong to this workspace")
    if any(item.workspace_id != workspace.pk for item in media):
        raise PermissionError("An image does not belong to this workspace")
    if campaign is not None and campaign.workspace_id != workspace.pk:
        raise PermissionError("The campaign does not belong to this workspace")


def _may_edit(membership: Membership, post: Post) -> None:
    """Authors edit their own posts; editing someone else's takes the publish permission."""
    require(membership, Perm.DRAFT)
    if post.workspace_id != membership.workspace_id:
        raise PermissionError("Not your workspace")
    if post.created_by_id != membership.user_id:
        require(membership, Perm.PUBLISH)


def resolve_time(scheduled_at: datetime | None, *, now: datetime) -> datetime:
    """When the post is due: now when no time is given or the time is less than a minute ago.

    Raises ValueError for a naive time (a programming error) and CompositionError for a time
    further in the past (a person's mistake, said in their words).
    """
    if scheduled_at is None:
        return now
    if timezone.is_naive(scheduled_at):
        raise ValueError("scheduled_at must be timezone-aware")
    if scheduled_at < now - PAST_TOLERANCE:
        raise CompositionError([_("This time has already passed. Choose a time in the future.")])
    return max(scheduled_at, now)


_Row = TypeVar("_Row", ConnectedAccount, MediaItem)


def _unique(items: Sequence[_Row]) -> list[_Row]:
    return list({item.pk: item for item in items}.values())


def _variant_media(workspace: Workspace, variants: Mapping[int, VariantInput]) -> dict[int, list[MediaItem]]:
    wanted = {media_id for variant in variants.values() for media_id in (variant.media or ())}
    found = {item.pk: item for item in MediaItem.objects.filter(workspace=workspace, pk__in=wanted)}
    if len(found) != len(wanted):
        raise PermissionError("A media item does not belong to this workspace")
    return {
        account_id: [found[media_id] for media_id in dict.fromkeys(variant.media)]
        for account_id, variant in variants.items()
        if variant.media is not None
    }


def _queue_time(accounts: Sequence[ConnectedAccount], now: datetime) -> datetime:
    from parvis.publishing.services.calendar import CalendarError, queue_next_common_slot

    try:
        return queue_next_common_slot(accounts=accounts, after=now)
    except CalendarError as exc:
        raise CompositionError([str(exc)]) from exc


# --- create -------------------------------------------------------------------------------------


@transaction.atomic
def post_create(
    *,
    membership: Membership,
    text: str,
    accounts: Sequence[ConnectedAccount],
    scheduled_at: datetime | None = None,
    media: Sequence[MediaItem] = (),
    variants: Mapping[int, VariantInput] | None = None,
    first_comment: str = "",
    campaign: Campaign | None = None,
    queued: bool = False,
    origin: str = PostOrigin.OWN,
    relay_kind: str = "",
    relay_url: str = "",
    relay_network: str = "",
    relay_external_id: str = "",
    submit: bool = True,
) -> Post:
    """Compose a post once: a Post and one Delivery (variant) per account, then release or review.

    1. Check the members' rights, the workspace of everything, the time (now, later, the
       queue's next slot), every variant against its network and the editorial charter:
       CompositionError before anything is written.
    2. Write the post and its variants (hand-edited ones from `variants`, keyed by account id).
    3. `submit=False` keeps a draft. Otherwise a member who needs approval submits it
       (IN_REVIEW, approvers notified); anyone else releases it to the outbox.
    """
    require(membership, Perm.DRAFT)
    workspace = membership.workspace
    accounts = _unique(accounts)
    media = _unique(media)
    variants = {account_id: variant for account_id, variant in (variants or {}).items()}
    _same_workspace(workspace, accounts=accounts, media=media, campaign=campaign)
    chosen = {account.pk for account in accounts}
    variants = {account_id: variant for account_id, variant in variants.items() if account_id in chosen}
    variant_media = _variant_media(workspace, variants)
    now = timezone.now()
    if queued and scheduled_at is None and accounts:
        scheduled_at = _queue_time(accounts, now)
    due = resolve_time(scheduled_at, now=now)
    relay = _Relay(origin=origin, kind=relay_kind, url=relay_url, network=relay_network, external_id=relay_external_id)
    report = post_check(
        workspace=workspace,
        text=text,
        accounts=accounts,
        media=media,
        variants=variants,
        first_comment=first_comment,
        scheduled_at=due if scheduled_at is not None else None,
        relay=relay,
        variant_media=variant_media,
    )
    if report.problems:
        raise CompositionError(report.problems, warnings=report.warnings)
    post = Post.objects.create(
        workspace=workspace,
        voice=accounts[0].voice if accounts else None,
        text=text,
        scheduled_at=due,
        stage=PostStage.DRAFT,
        campaign=campaign,
        first_comment=first_comment,
        queued=queued,
        origin=origin,
        relay_kind=relay_kind,
        relay_url=relay_url,
        relay_network=relay_network,
        relay_external_id=relay_external_id,
        created_by=membership.user,
    )
    post.media.set(media)
    _write_deliveries(post, accounts, report, variants=variants, media=media, variant_media=variant_media)
    audit_record(
        workspace=workspace,
        actor=membership.user,
        verb="post.create",
        target=post,
        summary=text[:300],
        data={"accounts": [account.pk for account in accounts], "due": due.isoformat(), "submit": submit},
    )
    _after_save(post, membership=membership, submit=submit)
    post.refresh_from_db()
    return post


def _write_deliveries(
    post: Post,
    accounts: Sequence[ConnectedAccount],
    report: CompositionReport,
    *,
    variants: Mapping[int, VariantInput],
    media: Sequence[MediaItem],
    variant_media: Mapping[int, Sequence[MediaItem]],
) -> None:
    """One Delivery per account (created or updated), holding the variant exactly as checked."""
    existing = {delivery.account_id: delivery for delivery in Delivery.objects.filter(post=post)}
    Delivery.objects.filter(post=post).exclude(account__in=accounts).delete()
    for account in accounts:
        plan = report.plans[account.pk]
        delivery = existing.get(account.pk) or Delivery(post=post, account=account)
        delivery.text = plan.text
        delivery.thread = plan.thread
        delivery.first_comment = plan.first_comment.text if plan.first_comment else ""
        delivery.customised = account.pk in variants
        delivery.action = None
        delivery.save()
        delivery.media.set(variant_media.get(account.pk, media))


def _after_save(post: Post, *, membership: Membership, submit: bool) -> None:
    """Draft, review or release, for a post just created or edited."""
    if not submit:
        post.stage = PostStage.DRAFT
        post.save(update_fields=["stage", "updated_at"])
        return
    if approval_needed(membership=membership):
        from parvis.publishing.services.approvals import review_request

        post.stage = PostStage.IN_REVIEW
        post.save(update_fields=["stage", "updated_at"])
        review_request(post=post, actor=membership.user)
        return
    post_release(post=post, actor=membership.user)


# --- release ------------------------------------------------------------------------------------


def _media_payload(items: Sequence[MediaItem]) -> list[dict[str, str]]:
    return [{"path": item.file.name or "", "mime_type": item.mime_type, "alt_text": item.alt_text} for item in items]


@transaction.atomic
def post_release(*, post: Post, actor: User | None) -> None:
    """Put the post in the outbox: every variant's actions, in one transaction. Calling it again does nothing.

    Each delivery gets its first post (PUBLISH; REPOST or QUOTE of a relayed post on its own
    network; PUBLISH with `link_url` for a relayed link), the thread's next posts as a chain of
    child actions each answering the one before (REPLY to our own post), and the first comment under the first post
    (where the network has comments). Texts go through the short-link service. The first post is
    due at the post's time (now, if that passed while it waited for approval) and held past the
    workspace's lateness cutoff; what follows it waits for it and is not cut off: a thread that
    started goes on.
    """
    from parvis.publishing.services.links import links_shorten_text

    post = Post.objects.select_for_update(of=("self",)).select_related("workspace", "campaign").get(pk=post.pk)
    deliveries = list(post.deliveries.select_related("account").prefetch_related("media").order_by("pk"))
    if post.stage == PostStage.RELEASED and all(delivery.action_id for delivery in deliveries):
        return
    workspace = post.workspace
    settings = publishing_settings(workspace)
    now = timezone.now()
    due = max(post.scheduled_at, now)
    cutoff = due + timedelta(minutes=settings.late_cutoff_minutes) if settings.late_cutoff_minutes else None
    relay = _relay_of(post)
    user = actor if actor is not None and actor.is_authenticated else None
    for delivery in deliveries:
        if delivery.action_id:
            continue
        account = delivery.account

        def shortened(value: str, account: ConnectedAccount = account) -> str:
            return links_shorten_text(post=post, account=account, text=value)

        rules = network_rules(account.network)
        capabilities = rules.capabilities if rules is not None else Capabilities()
        media = _media_payload(list(delivery.media.all()))
        kind = relay.on_same_network(account, capabilities)
        payload: dict[str, Any]
        if kind == ActionKind.REPOST:
            payload = {"target_id": relay.external_id}
        elif kind == ActionKind.QUOTE:
            payload = {"text": shortened(delivery.text), "target_id": relay.external_id, "media": media}
        else:
            kind = ActionKind.PUBLISH
            payload = {"text": shortened(delivery.text), "media": media}
            if relay.origin == PostOrigin.RELAY and relay.url:
                payload["link_url"] = relay.url
        if post.approved_revision is not None and post.approved_revision == post.revision:
            # A reviewer's approval is the decision: the worker does not re-check the author's rights.
            payload["approved"] = True
        root = action_create(
            workspace=workspace,
            account=account,
            kind=kind,
            payload=payload,
            due_at=due,
            source=SOURCE_POST,
            summary=payload.get("text") or relay.url or relay.external_id,
            created_by=user,
            late_after=cutoff,
        )
        previous = root
        for part in delivery.thread if kind != ActionKind.REPOST else []:
            text = shortened(part)
            # A REPLY to our own previous post: what every connector with threads understands
            # (Mastodon adds no mention when answering itself; X and Bluesky chain the replies).
            previous = action_create(
                workspace=workspace,
                account=account,
                kind=ActionKind.REPLY,
                payload={"text": text, "reply_to_parent": True, "in_reply_to_author": account.handle},
                due_at=due,
                source=SOURCE_THREAD,
                summary=text,
                created_by=user,
                parent=previous,
            )
        if delivery.first_comment.strip() and capabilities.first_comment:
            text = shortened(delivery.first_comment)
            action_create(
                workspace=workspace,
                account=account,
                kind=ActionKind.REPLY,
                payload={"text": text, "reply_to_parent": True},
                due_at=due,
                source=SOURCE_COMMENT,
                summary=text,
                created_by=user,
                parent=root,
            )
        delivery.action = root
        delivery.save(update_fields=["action"])
    post.stage = PostStage.RELEASED
    post.scheduled_at = due
    post.save(update_fields=["stage", "scheduled_at", "updated_at"])
    audit_record(
        workspace=workspace,
        actor=user,
        verb="post.schedule" if due > now else "post.publish",
        target=post,
        summary=post.text[:300],
        data={
            "accounts": [delivery.account_id for delivery in deliveries],
            "due": due.isoformat(),
            "revision": post.revision,
        },
    )


# --- the actions of a post ----------------------------------------------------------------------


def post_actions(post: Post) -> list[Action]:
    """Every action of a post: each variant's first post and everything chained to it."""
    level = list(Action.objects.filter(delivery__post=post))
    found = list(level)
    while level:
        level = list(Action.objects.filter(parent__in=level))
        found.extend(level)
    return found


def _gone_out(actions: Sequence[Action]) -> list[Action]:
    return [action for action in actions if action.status in GONE_OUT]


def _refuse_if_gone_out(actions: Sequence[Action], message: str) -> None:
    gone = _gone_out(actions)
    if gone:
        handles = sorted({action.account.handle for action in gone})
        raise CompositionError([message % {"accounts": ", ".join(handles)}])


def _stop(actions: Sequence[Action], *, reason: str) -> int:
    """Cancel what has not gone out; a thread's posts with it."""
    ids = [action.pk for action in actions if action.status in STOPPABLE]
    if not ids:
        return 0
    return Action.objects.filter(pk__in=ids, status__in=STOPPABLE).update(
        status=ActionStatus.CANCELLED, finished_at=timezone.now(), enqueued_at=None, last_error=reason
    )


def _withdraw_from_outbox(post: Post, actions: Sequence[Action], *, reason: str) -> None:
    _stop(actions, reason=reason)
    Delivery.objects.filter(post=post).update(action=None)


def _locked(post: Post) -> Post:
    return Post.objects.select_for_update().select_related("workspace").get(pk=post.pk)


# --- edit ---------------------------------------------------------------------------------------


@transaction.atomic
def post_update(
    *,
    membership: Membership,
    post: Post,
    text: str,
    accounts: Sequence[ConnectedAccount],
    scheduled_at: datetime | None = None,
    media: Sequence[MediaItem] = (),
    variants: Mapping[int, VariantInput] | None = None,
    first_comment: str = "",
    campaign: Campaign | None = None,
    queued: bool = False,
    submit: bool = True,
) -> Post:
    """Replace what a post says, where and when, as long as nothing of it has gone out.

    Every edit bumps the revision, so an approval given before no longer holds: a released post
    whose actions are all still waiting has them cancelled, then goes back to the approvers when
    the editor needs approval, else is released again. A post already (partly) published cannot
    be edited (CompositionError says where it went out).
    """
    _may_edit(membership, post)
    post = _locked(post)
    workspace = membership.workspace
    accounts = _unique(accounts)
    media = _unique(media)
    _same_workspace(workspace, accounts=accounts, media=media, campaign=campaign)
    actions = post_actions(post)
    _refuse_if_gone_out(
        actions,
        _(
            "This post has already gone out on %(accounts)s: it can no longer be edited. "
            "Write a new post, or cancel what has not gone out yet."
        ),
    )
    chosen = {account.pk for account in accounts}
    variants = {account_id: variant for account_id, variant in (variants or {}).items() if account_id in chosen}
    variant_media = _variant_media(workspace, variants)
    now = timezone.now()
    if queued and scheduled_at is None and accounts:
        scheduled_at = _queue_time(accounts, now)
    due = resolve_time(scheduled_at, now=now)
    report = post_check(
        workspace=workspace,
        text=text,
        accounts=accounts,
        media=media,
        variants=variants,
        first_comment=first_comment,
        scheduled_at=due if scheduled_at is not None else None,
        relay=_relay_of(post),
        variant_media=variant_media,
        post_id=post.pk,
    )
    if report.problems:
        raise CompositionError(report.problems, warnings=report.warnings)
    _withdraw_from_outbox(post, actions, reason=_("Replaced by an edit of the post."))
    post.text = text
    post.scheduled_at = due
    post.first_comment = first_comment
    post.campaign = campaign
    post.queued = queued
    post.revision += 1
    post.stage = PostStage.DRAFT
    post.save()
    post.media.set(media)
    _write_deliveries(post, accounts, report, variants=variants, media=media, variant_media=variant_media)
    audit_record(
        workspace=workspace,
        actor=membership.user,
        verb="post.update",
        target=post,
        summary=text[:300],
        data={"revision": post.revision, "accounts": sorted(chosen), "due": due.isoformat(), "submit": submit},
    )
    _after_save(post, membership=membership, submit=submit)
    post.refresh_from_db()
    return post


@transaction.atomic
def post_reschedule(*, membership: Membership, post: Post, scheduled_at: datetime) -> Post:
    """Move a post to another time (the calendar's drag and drop), whatever its stage.

    A released post's waiting actions move with it (their lateness cutoff too; one held for
    lateness waits again). Moving is an edit: the revision goes up, and a member who needs
    approval sends a released post back to the approvers. A post that has gone out stays put.
    """
    _may_edit(membership, post)
    post = _locked(post)
    actions = post_actions(post)
    _refuse_if_gone_out(actions, _("This post has already gone out on %(accounts)s: its time can no longer change."))
    now = timezone.now()
    due = resolve_time(scheduled_at, now=now)
    previous = post.scheduled_at
    post.scheduled_at = due
    post.revision += 1
    post.save(update_fields=["scheduled_at", "revision", "updated_at"])
    if post.stage == PostStage.RELEASED:
        if approval_needed(membership=membership):
            from parvis.publishing.services.approvals import review_request

            _withdraw_from_outbox(post, actions, reason=_("Moved: waiting for approval again."))
            post.stage = PostStage.IN_REVIEW
            post.save(update_fields=["stage", "updated_at"])
            review_request(post=post, actor=membership.user)
        else:
            _move_actions(post, actions, due)
    audit_record(
        workspace=membership.workspace,
        actor=membership.user,
        verb="post.reschedule",
        target=post,
        summary=post.text[:300],
        data={"from": previous.isoformat(), "to": due.isoformat(), "revision": post.revision},
    )
    return post


def _move_actions(post: Post, actions: Sequence[Action], due: datetime) -> None:
    settings = publishing_settings(post.workspace)
    cutoff = due + timedelta(minutes=settings.late_cutoff_minutes) if settings.late_cutoff_minutes else None
    waiting = [action.pk for action in actions if action.status in (ActionStatus.PENDING, ActionStatus.HELD)]
    roots = Action.objects.filter(pk__in=waiting, parent__isnull=True)
    roots.update(
        due_at=due, next_attempt_at=due, late_after=cutoff, status=ActionStatus.PENDING, enqueued_at=None, last_error=""
    )
    # The rest of a thread waits for its parent; it only carries the new time.
    Action.objects.filter(pk__in=waiting, parent__isnull=False).update(due_at=due, next_attempt_at=due)


# --- stop ---------------------------------------------------------------------------------------


@transaction.atomic
def post_cancel(*, membership: Membership, post: Post) -> Post:
    """Stop what has not gone out: a released post's waiting actions are cancelled; a post awaiting
    approval goes back to the drafts. What already went out stays on the networks."""
    _may_edit(membership, post)
    post = _locked(post)
    if post.stage != PostStage.RELEASED:
        post.stage = PostStage.DRAFT
        post.save(update_fields=["stage", "updated_at"])
        verb = "post.withdraw"
    else:
        actions = post_actions(post)
        if not _stop(actions, reason=_("Cancelled by %(name)s.") % {"name": membership.user.get_username()}):
            raise CompositionError([_("Nothing is left to cancel: this post has already gone out.")])
        verb = "post.cancel"
    audit_record(workspace=membership.workspace, actor=membership.user, verb=verb, target=post, summary=post.text[:300])
    return post


@transaction.atomic
def post_delete(*, membership: Membership, post: Post) -> None:
    """Delete a post that never went out (its cancelled actions stay in the ledger)."""
    _may_edit(membership, post)
    post = _locked(post)
    actions = post_actions(post)
    _refuse_if_gone_out(actions, _("This post has already gone out on %(accounts)s: cancel it instead of deleting it."))
    _stop(actions, reason=_("The post was deleted."))
    audit_record(
        workspace=membership.workspace,
        actor=membership.user,
        verb="post.delete",
        target=post,
        summary=post.text[:300],
    )
    post.delete()
