"""Writes for connected accounts, polling and the Action outbox.

Only these services call connectors. Everything that happens on a network is
an `Action` row created by `action_create` inside the caller's transaction
and carried out by `action_execute` in a worker.
"""

from __future__ import annotations

import logging
import random
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from parvis.core.models import Membership, Voice, Workspace
from parvis.core.permissions import Perm
from parvis.core.services import audit_record, require
from parvis.networks.errors import AuthExpired, ConnectorError, PermanentError, RateLimited, TransientError
from parvis.networks.ingest import IngestReport, route_events, warm_up_routes
from parvis.networks.models import (
    AccountStatus,
    Action,
    ActionAttempt,
    ActionStatus,
    AttemptOutcome,
    ConnectedAccount,
    Heartbeat,
    PollCursor,
)
from parvis.networks.protocol import AccountRef, ActionKind, ActionRequest, MediaFile
from parvis.networks.registry import UnknownNetwork, get_connector

logger = logging.getLogger(__name__)

# Backoff for transient failures: 30 s, 1 min, 2 min, ... capped at 1 h, with jitter.
BACKOFF_BASE_SECONDS = 30
BACKOFF_CAP_SECONDS = 3600
# How long a due action may stay enqueued without being claimed before the scheduler sends it again.
RESEND_AFTER_SECONDS = 60
# A connector that cannot be loaded (unknown network, broken SDK): how long before trying again.
CONNECTOR_UNAVAILABLE_RETRY_SECONDS = 300
# Attempts a manual retry grants (the automatic ones are spent by then).
RETRY_ATTEMPTS = 8


def backoff_delay(attempts: int) -> float:
    """Seconds to wait before attempt `attempts + 1`; the jitter never takes it past the cap."""
    exponent = min(max(0, attempts - 1), 32)  # 2**32 * 30 s is far past the cap already
    delay: float = BACKOFF_BASE_SECONDS * 2**exponent
    jittered = delay * random.uniform(0.8, 1.2)  # noqa: S311 - jitter, not cryptography
    return min(float(BACKOFF_CAP_SECONDS), jittered)


# --- accounts ---------------------------------------------------------------------------------


@transaction.atomic
def account_connect(
    *,
    membership: Membership,
    network: str,
    instance_url: str,
    credentials: dict[str, Any],
    voice: Voice | None = None,
) -> ConnectedAccount:
    """Verify credentials with the network, then create (or refresh) the connected account.

    Raises a ConnectorError with a message for the user when the network refuses.
    """
    require(membership, Perm.MANAGE_ACCOUNTS)
    workspace = membership.workspace
    connector = get_connector(network)
    instance_url = instance_url.strip()  # as given: a feed address may need its trailing slash
    probe = AccountRef(
        id=0, network=network, instance_url=instance_url, external_id="", handle="", credentials=credentials
    )
    profile = connector.verify(probe)
    now = timezone.now()
    defaults: dict[str, Any] = {
        "handle": profile.handle,
        "display_name": profile.display_name,
        "profile_url": profile.url,
        "credentials": credentials,
        "status": AccountStatus.ACTIVE,
        "last_error": "",
        "consecutive_failures": 0,
        "next_poll_at": now,
    }
    if voice is not None:
        defaults["voice"] = voice
    # A reconnection keeps the voice chosen for the account; a new account speaks for the organisation.
    create_defaults = {"voice": voice or Voice.objects.filter(workspace=workspace).order_by("id").first(), **defaults}
    account, created = ConnectedAccount.objects.update_or_create(
        workspace=workspace,
        network=network,
        instance_url=instance_url,
        external_id=profile.external_id,
        defaults=defaults,
        create_defaults=create_defaults,
    )
    # Actions put on hold by an expired token can go again.
    if not created:
        released = list(Action.objects.filter(account=account, status=ActionStatus.HELD).values_list("pk", flat=True))
        Action.objects.filter(pk__in=released, status=ActionStatus.HELD).update(
            status=ActionStatus.PENDING, next_attempt_at=now, enqueued_at=None
        )
        for action_id in released:
            transaction.on_commit(_enqueue_on_commit(action_id), robust=True)
    audit_record(
        workspace=workspace,
        actor=membership.user,
        verb="account.connect" if created else "account.reconnect",
        target=account,
        summary=f"{network}: {profile.handle}",
    )
    return account


@transaction.atomic
def account_disconnect(*, membership: Membership, account: ConnectedAccount) -> None:
    require(membership, Perm.MANAGE_ACCOUNTS)
    if account.workspace_id != membership.workspace_id:
        raise PermissionError("Not your workspace")
    account.status = AccountStatus.DISABLED
    account.credentials = {}
    account.next_poll_at = None
    account.save(update_fields=["status", "credentials", "next_poll_at"])
    Action.objects.filter(account=account, status__in=[ActionStatus.PENDING, ActionStatus.HELD]).update(
        status=ActionStatus.CANCELLED, last_error="Account disconnected"
    )
    audit_record(workspace=account.workspace, actor=membership.user, verb="account.disconnect", target=account)


# Accounts the scheduler polls: an account in error (say, a feed that is down) keeps being tried.
POLLABLE = (AccountStatus.ACTIVE, AccountStatus.ERROR)


def _account_record_failure(account: ConnectedAccount, error: ConnectorError, now: datetime) -> None:
    """Write a failed poll on the account (its health is on the accounts page) and back off.

    Conditional on the account still being polled: a disconnection or a revoked token recorded
    while the poll ran wins over this poll's outcome.
    """
    with transaction.atomic():
        current = ConnectedAccount.objects.select_for_update().filter(pk=account.pk, status__in=POLLABLE).first()
        if current is None:
            return
        failures = current.consecutive_failures + 1
        changes: dict[str, Any] = {
            "consecutive_failures": failures,
            "last_error": error.message,
            "last_error_at": now,
            "last_poll_at": now,
        }
        if isinstance(error, AuthExpired):
            changes["status"] = AccountStatus.NEEDS_REAUTH
            changes["next_poll_at"] = None
        elif isinstance(error, RateLimited):
            wait = error.retry_after if error.retry_after is not None else backoff_delay(failures)
            changes["next_poll_at"] = now + timedelta(seconds=max(wait, 1))
        else:
            if isinstance(error, PermanentError):
                changes["status"] = AccountStatus.ERROR
            changes["next_poll_at"] = now + timedelta(seconds=backoff_delay(failures))
        ConnectedAccount.objects.filter(pk=current.pk).update(**changes)


def account_poll(*, account_id: int) -> IngestReport | None:
    """Fetch what is new on one account and ingest it with the new cursor, in one transaction.

    1. Load the account; skip it unless it is active or in error (a failing feed keeps being tried).
    2. Ask the connector for events since the stored cursor.
    3. On a connector error, record it on the account (health shown on the accounts page) and back off.
    4. Otherwise store the events through the ingest routes and the cursor together: if
       anything fails half-way, nothing is stored and the next poll starts from the same cursor.
    """
    account = ConnectedAccount.objects.select_related("workspace").filter(pk=account_id).first()
    if account is None or account.status not in POLLABLE:
        return None
    now = timezone.now()
    try:
        connector = get_connector(account.network)
    except (UnknownNetwork, ImportError):
        logger.exception("connector %r of account %s cannot be loaded", account.network, account.pk)
        _account_record_failure(account, PermanentError(f"{account.network} is not available here."), now)
        return None
    cursor_row = PollCursor.objects.filter(account=account).first()
    cursor = cursor_row.value if cursor_row else {}
    try:
        result = connector.fetch(account.as_ref(), cursor)
    except ConnectorError as error:
        logger.warning("poll of account %s failed: %s", account.pk, error.message)
        _account_record_failure(account, error, now)
        return None
    except Exception:  # a connector bug must not stop the account's health from showing it
        logger.exception("poll of account %s crashed", account.pk)
        _account_record_failure(account, ConnectorError("Internal error while reading the network."), now)
        return None
    if result.events:
        # Load enrichment models (language detection takes seconds the first time) before the
        # transaction: on SQLite a write transaction blocks every other writer while it is open.
        warm_up_routes()
    try:
        with transaction.atomic():
            report = route_events(account, result.events)
            PollCursor.objects.update_or_create(account=account, defaults={"value": result.cursor})
            ConnectedAccount.objects.filter(pk=account.pk, status__in=POLLABLE).update(
                last_poll_at=now,
                last_poll_ok_at=now,
                consecutive_failures=0,
                last_error="",
                status=AccountStatus.ACTIVE,
                next_poll_at=now + timedelta(seconds=connector.capabilities.poll_interval_seconds),
            )
    except Exception:  # nothing was stored and the cursor did not move: the next poll gets it all again
        logger.exception("ingest for account %s failed; nothing stored", account.pk)
        _account_record_failure(
            account, ConnectorError("Internal error while storing what the network sent; nothing was stored."), now
        )
        return None
    return report


# --- the outbox -------------------------------------------------------------------------------


def action_create(
    *,
    workspace: Workspace,
    account: ConnectedAccount,
    kind: ActionKind,
    payload: dict[str, Any],
    due_at: datetime | None = None,
    source: str = "",
    summary: str = "",
    created_by: AbstractBaseUser | None = None,
    parent: Action | None = None,
    late_after: datetime | None = None,
) -> Action:
    """Write one Action; it is enqueued when the surrounding transaction commits (if due).

    With `parent`, the action waits until the parent is done (the next post of a thread, a first
    comment); a payload with "reply_to_parent": true answers the parent's post. `late_after` is
    the lateness cutoff: past it, the action is held for a person instead of going out late.
    """
    if account.workspace_id != workspace.pk:
        raise ValueError("The account does not belong to this workspace")
    if parent is not None and parent.workspace_id != workspace.pk:
        raise ValueError("The parent action belongs to another workspace")
    now = timezone.now()
    due = due_at or now
    action = Action.objects.create(
        workspace=workspace,
        account=account,
        kind=kind.value,
        payload=payload,
        idempotency_key=uuid.uuid4().hex,
        due_at=due,
        next_attempt_at=due,
        source=source,
        summary=summary[:300],
        created_by_id=created_by.pk if created_by is not None and created_by.is_authenticated else None,
        parent=parent,
        late_after=late_after,
    )
    if due <= now and (parent is None or parent.status == ActionStatus.DONE):
        transaction.on_commit(_enqueue_on_commit(action.pk), robust=True)
    return action


# An action runs when it has no parent or its parent is done.
PARENT_DONE = Q(parent__isnull=True) | Q(parent__status=ActionStatus.DONE)


def _enqueue_on_commit(action_id: int) -> Callable[[], None]:
    # A named function rather than functools.partial: Django logs a failing robust
    # on_commit callback by its __qualname__, which partial objects lack.
    def enqueue() -> None:
        _enqueue_action(action_id)

    return enqueue


def _enqueue_action(action_id: int) -> None:
    """Hand a due action to the workers. Runs on commit, `robust`: if the queue is down, the
    scheduler sends it again a minute later, and the user's request does not fail for it."""
    from parvis.networks.tasks import execute_action

    updated = (
        Action.objects.filter(pk=action_id, status=ActionStatus.PENDING)
        .filter(PARENT_DONE)
        .update(enqueued_at=timezone.now())
    )
    if updated:
        execute_action.enqueue(action_id)


def _request_for(action: Action) -> ActionRequest:
    payload = action.payload
    media = tuple(
        MediaFile(
            path=str(settings.MEDIA_ROOT / item["path"]),
            mime_type=item.get("mime_type", ""),
            alt_text=item.get("alt_text", ""),
        )
        for item in payload.get("media", [])
    )
    in_reply_to_id = payload.get("in_reply_to_id", "")
    thread_root_id = payload.get("thread_root_id", "")
    if payload.get("reply_to_parent") and action.parent_id is not None:
        # The parent is done (the claim checked it): answer its post, under the thread's first post.
        chain = Action.objects.get(pk=action.parent_id)
        in_reply_to_id = chain.external_id
        while chain.parent_id is not None:
            chain = Action.objects.get(pk=chain.parent_id)
        thread_root_id = chain.external_id
    return ActionRequest(
        kind=ActionKind(action.kind),
        idempotency_key=action.idempotency_key,
        text=payload.get("text", ""),
        in_reply_to_id=in_reply_to_id,
        in_reply_to_author=payload.get("in_reply_to_author", ""),
        target_id=payload.get("target_id", ""),
        visibility=payload.get("visibility", ""),
        media=media,
        thread_root_id=thread_root_id,
        link_url=payload.get("link_url", ""),
    )


def action_claim(*, action_id: int) -> Action | None:
    """Take the action for this worker with one conditional UPDATE; None if someone else has it."""
    now = timezone.now()
    claimed = (
        Action.objects.filter(pk=action_id, status=ActionStatus.PENDING, next_attempt_at__lte=now)
        .filter(PARENT_DONE)
        .update(status=ActionStatus.PROCESSING, claimed_at=now, attempts=F("attempts") + 1)
    )
    if claimed != 1:
        return None
    return Action.objects.select_related("account").get(pk=action_id)


def action_execute(*, action_id: int) -> Action | None:
    """Carry out one due action through its connector and write the outcome to the ledger.

    1. Claim it atomically (a second worker, or a duplicate task, gets nothing).
    2. Re-check the account: an account that needs reconnection holds the action, never drops it.
    3. Call the connector; map its error kind to what happens next:
       transient → retry with backoff; rate limited → retry after the network's delay;
       auth expired → account flagged, action held; permanent → failed with the network's message.
    """
    action = action_claim(action_id=action_id)
    if action is None:
        return None
    account = action.account
    started = timezone.now()
    attempt = ActionAttempt.objects.create(action=action, started_at=started)
    if account.status == AccountStatus.NEEDS_REAUTH:
        return _action_finish(action, attempt, AuthExpired(f"{account.handle} must be reconnected"))
    if account.status == AccountStatus.DISABLED:
        return _action_finish(action, attempt, PermanentError(f"{account.handle} is disconnected"))
    if action.late_after is not None and started > action.late_after:
        return _action_finish(action, attempt, LateError())
    try:
        result = get_connector(account.network).execute(account.as_ref(), _request_for(action))
    except ConnectorError as error:
        return _action_finish(action, attempt, error)
    except Exception as error:  # a bug must not leave the row in PROCESSING forever
        logger.exception("action %s crashed", action.pk)
        return _action_finish(action, attempt, error)
    now = timezone.now()
    with transaction.atomic():
        attempt.finished_at = now
        attempt.outcome = AttemptOutcome.OK
        attempt.save(update_fields=["finished_at", "outcome"])
        action.status = ActionStatus.DONE
        action.external_id = result.external_id
        action.external_url = result.url
        action.last_error = ""
        action.finished_at = now
        action.save(update_fields=["status", "external_id", "external_url", "last_error", "finished_at"])
        # What waited for this post (the rest of a thread, a first comment) can go now.
        children = list(
            Action.objects.filter(parent=action, status__in=[ActionStatus.PENDING, ActionStatus.HELD]).values_list(
                "pk", flat=True
            )
        )
        Action.objects.filter(pk__in=children).update(
            status=ActionStatus.PENDING, next_attempt_at=now, enqueued_at=None, last_error=""
        )
        for child_id in children:
            transaction.on_commit(_enqueue_on_commit(child_id), robust=True)
    return action


class LateError(ConnectorError):
    """Not a network error: the lateness cutoff passed before a worker got to the action."""

    def __init__(self) -> None:
        super().__init__("Too late to publish on its own: choose to publish now or reschedule.")


def _action_finish(action: Action, attempt: ActionAttempt, error: Exception) -> Action:
    now = timezone.now()
    message = error.message if isinstance(error, ConnectorError) else f"Internal error: {error.__class__.__name__}"
    with transaction.atomic():
        action.last_error = message
        action.enqueued_at = None
        if isinstance(error, LateError):
            outcome = AttemptOutcome.LATE
            action.status = ActionStatus.HELD
        elif isinstance(error, AuthExpired):
            outcome = AttemptOutcome.AUTH_EXPIRED
            action.status = ActionStatus.HELD
            # Conditional: a disconnection recorded meanwhile stays a disconnection.
            ConnectedAccount.objects.filter(pk=action.account_id, status__in=POLLABLE).update(
                status=AccountStatus.NEEDS_REAUTH, last_error=message, last_error_at=now, next_poll_at=None
            )
        elif isinstance(error, RateLimited):
            outcome = AttemptOutcome.RATE_LIMITED
            wait = error.retry_after if error.retry_after is not None else backoff_delay(action.attempts)
            action.status = ActionStatus.PENDING
            action.next_attempt_at = now + timedelta(seconds=max(wait, 1))
        elif isinstance(error, TransientError | PermanentError) or not isinstance(error, ConnectorError):
            transient = isinstance(error, TransientError)
            outcome = (
                AttemptOutcome.TRANSIENT
                if transient
                else AttemptOutcome.PERMANENT
                if isinstance(error, PermanentError)
                else AttemptOutcome.CRASHED
            )
            if transient and action.attempts < action.max_attempts:
                action.status = ActionStatus.PENDING
                action.next_attempt_at = now + timedelta(seconds=backoff_delay(action.attempts))
            else:
                action.status = ActionStatus.FAILED
                action.finished_at = now
        else:  # pragma: no cover - ConnectorError subclasses are exhaustive
            outcome = AttemptOutcome.PERMANENT
            action.status = ActionStatus.FAILED
        if action.status == ActionStatus.FAILED and action.finished_at is None:
            action.finished_at = now
        if action.status == ActionStatus.FAILED:
            # The rest of a thread cannot answer a post that does not exist: it waits for a person.
            Action.objects.filter(parent=action, status=ActionStatus.PENDING).update(
                status=ActionStatus.HELD, last_error="Waiting for the post it follows, which failed."
            )
        action.save(update_fields=["status", "last_error", "next_attempt_at", "enqueued_at", "finished_at"])
        attempt.finished_at = now
        attempt.outcome = outcome
        attempt.error = message
        attempt.save(update_fields=["finished_at", "outcome", "error"])
    return action


@transaction.atomic
def action_retry(*, membership: Membership, action: Action) -> Action:
    """Put a failed or held action back in the queue, now. Done actions cannot be retried."""
    require(membership, Perm.PUBLISH)
    if action.workspace_id != membership.workspace_id:
        raise PermissionError("Not your workspace")
    # Decide on the row as it is now, not as the caller loaded it: a worker may have finished it since.
    current = Action.objects.select_for_update().select_related("account").get(pk=action.pk)
    if current.status not in {ActionStatus.FAILED, ActionStatus.HELD}:
        raise ValueError(
            _("Only failed or held actions can be retried (this one is %(status)s).") % {"status": current.status}
        )
    if current.account.status == AccountStatus.NEEDS_REAUTH:
        raise ValueError(_("Reconnect %(handle)s first.") % {"handle": current.account.handle})
    if current.account.status == AccountStatus.DISABLED:
        raise ValueError(_("%(handle)s is disconnected.") % {"handle": current.account.handle})
    Action.objects.filter(pk=current.pk).update(
        status=ActionStatus.PENDING,
        next_attempt_at=timezone.now(),
        enqueued_at=None,
        finished_at=None,
        # The automatic attempts are spent: a person asking again grants a new series.
        max_attempts=F("attempts") + RETRY_ATTEMPTS,
        late_after=None,  # a person asking now is the decision the cutoff waited for
    )
    transaction.on_commit(_enqueue_on_commit(current.pk), robust=True)
    audit_record(workspace=current.workspace, actor=membership.user, verb="action.retry", target=current)
    action.refresh_from_db()
    return action


# --- the scheduler ----------------------------------------------------------------------------


def scheduler_tick(*, now: datetime | None = None) -> dict[str, int]:
    """One pass of the scheduler: hand due actions and due polls to the workers.

    1. Actions left in PROCESSING past the run timeout belong to a dead worker: their open attempt
       is closed as abandoned and they go back to the queue (the idempotency key sent with every
       publish makes the network drop a second copy), or fail once their attempts are spent.
    2. Due pending actions not enqueued recently are enqueued (a lost task is re-sent after a minute).
       The mark is a conditional UPDATE, so two schedulers never enqueue the same action twice.
    3. Active accounts whose next poll is due get their poll enqueued; next_poll_at moves first,
       with a conditional UPDATE, so two schedulers never poll the same account twice.
    4. The heartbeat tells the status page the scheduler is alive.
    """
    from parvis.networks.tasks import execute_action, poll_account

    now = now or timezone.now()
    abandoned = _actions_recover_abandoned(now)

    resend = now - timedelta(seconds=RESEND_AFTER_SECONDS)
    not_recently_enqueued = Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=resend)
    due = list(
        Action.objects.filter(status=ActionStatus.PENDING, next_attempt_at__lte=now)
        .filter(not_recently_enqueued)
        .filter(PARENT_DONE)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:500]
    )
    enqueued = 0
    for action_id in due:
        marked = (
            Action.objects.filter(pk=action_id, status=ActionStatus.PENDING)
            .filter(not_recently_enqueued)
            .update(enqueued_at=now)
        )
        if marked:
            execute_action.enqueue(action_id)
            enqueued += 1

    polls = 0
    due_accounts = ConnectedAccount.objects.filter(status__in=POLLABLE, next_poll_at__lte=now).order_by("next_poll_at")
    for account_id, network, next_poll_at in list(due_accounts.values_list("pk", "network", "next_poll_at")[:500]):
        interval = _poll_interval(network)
        moved = ConnectedAccount.objects.filter(pk=account_id, next_poll_at=next_poll_at).update(
            next_poll_at=now + timedelta(seconds=interval)
        )
        if moved:
            poll_account.enqueue(account_id)
            polls += 1

    Heartbeat.objects.update_or_create(name="scheduler", defaults={"at": now})
    return {"abandoned": abandoned, "actions": enqueued, "polls": polls}


def _poll_interval(network: str) -> int:
    """The network's poll interval; a connector that cannot be loaded is retried now and then.

    Its poll still runs, so the failure is recorded on the account where people see it.
    """
    try:
        return get_connector(network).capabilities.poll_interval_seconds
    except (UnknownNetwork, ImportError):
        logger.exception("connector %r cannot be loaded", network)
        return CONNECTOR_UNAVAILABLE_RETRY_SECONDS


def _actions_recover_abandoned(now: datetime) -> int:
    """Put back (or fail) the actions a dead worker left in PROCESSING; returns how many."""
    stale = now - timedelta(seconds=settings.PARVIS_ACTION_RUN_TIMEOUT)
    abandoned = list(
        Action.objects.filter(status=ActionStatus.PROCESSING, claimed_at__lt=stale).values_list(
            "pk", "claimed_at", "attempts", "max_attempts"
        )
    )
    recovered = 0
    message = "Worker stopped before finishing"
    for action_id, claimed_at, attempts, max_attempts in abandoned:
        with transaction.atomic():
            spent = attempts >= max_attempts
            changes: dict[str, Any] = (
                {"status": ActionStatus.FAILED, "finished_at": now}
                if spent
                else {"status": ActionStatus.PENDING, "next_attempt_at": now}
            )
            updated = Action.objects.filter(pk=action_id, status=ActionStatus.PROCESSING, claimed_at__lt=stale).update(
                enqueued_at=None, last_error=message, **changes
            )
            if not updated:
                continue  # the worker finished after all
            recovered += 1
            closed = ActionAttempt.objects.filter(action_id=action_id, finished_at__isnull=True).update(
                finished_at=now, outcome=AttemptOutcome.ABANDONED, error=message
            )
            if not closed:  # the worker died between its claim and its first write
                ActionAttempt.objects.create(
                    action_id=action_id,
                    started_at=claimed_at or now,
                    finished_at=now,
                    outcome=AttemptOutcome.ABANDONED,
                    error=message,
                )
        logger.warning("action %s abandoned by its worker: %s", action_id, "failed" if spent else "requeued")
    return recovered
