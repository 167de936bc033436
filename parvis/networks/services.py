"""Writes for connected accounts, polling and the Action outbox.

Only these services call connectors. Everything that happens on a network is
an `Action` row created by `action_create` inside the caller's transaction
and carried out by `action_execute` in a worker.
"""

from __future__ import annotations

import logging
import random
import signal
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from datetime import datetime, timedelta
from types import FrameType
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import F, Min, OuterRef, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks.base import Task

from parvis.core.models import AuditEntry, Membership, Voice, Workspace
from parvis.core.permissions import Perm, role_has
from parvis.core.services import audit_record, notification_send, require
from parvis.networks.errors import AuthExpired, ConnectorError, PermanentError, RateLimited, TransientError
from parvis.networks.ingest import IngestReport, prepared, route_events, warm_up_routes
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
from parvis.networks.periodic import run_due
from parvis.networks.protocol import AccountRef, ActionKind, ActionRequest, ActionResult, Connector, MediaFile
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
# Without PARVIS_ACTION_REDELIVERY_AFTER, an action is taken back from a silent worker this long
# after its attempt was cut off by the run timeout (clock differences between hosts, the final write).
REDELIVERY_GRACE_SECONDS = 60
# Kinds that create a post on the network: sending one again after an uncertain attempt may publish twice.
POST_KINDS = frozenset({ActionKind.PUBLISH.value, ActionKind.REPLY.value, ActionKind.QUOTE.value})
# Kinds re-checked against the publish permission at run time (the others against the reply permission).
PUBLISH_KINDS = frozenset({ActionKind.PUBLISH.value, ActionKind.QUOTE.value, ActionKind.REPOST.value})
# Attempts after which the network may have done the action without Parvis hearing it.
UNCERTAIN_OUTCOMES = (AttemptOutcome.TRANSIENT, AttemptOutcome.ABANDONED, AttemptOutcome.CRASHED)
# A read-back looks this much further back than the uncertain attempt (clocks of two machines differ).
READ_BACK_MARGIN = timedelta(minutes=5)
# Read-back of a published post: seconds after publishing; still missing after the last → a warning.
VERIFY_SCHEDULE = (15, 120, 600)
VERIFY_RETRY_AFTER_ERROR = 300
VERIFY_WINDOW_SECONDS = 24 * 3600
VERIFY_PRIORITY = -10  # after deliveries, when the queue is busy
VERIFY_MISSING_MESSAGE = (
    "Published, but the network does not show this post any more (removed by a moderator or by hand?). "
    "Parvis does not send it again on its own: check the account, then publish it again if needed."
)
# The scheduler hands out due work in batches, for at most this long per tick.
ENQUEUE_BATCH = 500
ENQUEUE_BUDGET_SECONDS = 5.0


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
    # Actions put on hold by an expired token can go again (not those waiting for a person's decision:
    # past their lateness cutoff, or refused at run time).
    if not created:
        last_outcome = (
            ActionAttempt.objects.filter(action=OuterRef("pk")).order_by("-started_at", "-id").values("outcome")[:1]
        )
        released = list(
            Action.objects.filter(account=account, status=ActionStatus.HELD)
            .annotate(last_outcome=Subquery(last_outcome))
            .filter(Q(last_outcome__isnull=True) | ~Q(last_outcome__in=[AttemptOutcome.LATE, AttemptOutcome.PERMANENT]))
            .values_list("pk", flat=True)
        )
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
        with prepared(account, result.events), transaction.atomic():
            # Take turns with a stream storing events of the same account (networks.streaming takes the
            # same lock): otherwise both could run the after-ingest hooks on the same new message.
            ConnectedAccount.objects.select_for_update().filter(pk=account.pk).first()
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
    from parvis.networks.media_urls import media_public_url  # a network that downloads media (Instagram)

    payload = action.payload
    media = tuple(
        MediaFile(
            path=str(settings.MEDIA_ROOT / item["path"]),
            mime_type=item.get("mime_type", ""),
            alt_text=item.get("alt_text", ""),
            public_url=media_public_url(item["path"]),
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
    text = payload.get("text", "")
    if payload.get("parent_url_in_text") and action.parent_id is not None:
        # "Answered here: {parent_url}": the address of the parent's post is known once it is done.
        parent = Action.objects.get(pk=action.parent_id)
        text = text.replace("{parent_url}", parent.external_url)
    return ActionRequest(
        kind=ActionKind(action.kind),
        idempotency_key=action.idempotency_key,
        text=text,
        in_reply_to_id=in_reply_to_id,
        in_reply_to_author=payload.get("in_reply_to_author", ""),
        target_id=payload.get("target_id", ""),
        visibility=payload.get("visibility", ""),
        media=media,
        thread_root_id=thread_root_id,
        link_url=payload.get("link_url", ""),
        target_handle=payload.get("target_handle", ""),
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


def _claimed(action: Action) -> QuerySet[Action]:
    """The action's row, only while it is still under this worker's claim: every write of an attempt's
    outcome goes through it, so a worker that lost its claim (re-delivered meanwhile) overwrites nothing."""
    return Action.objects.filter(pk=action.pk, status=ActionStatus.PROCESSING, claimed_at=action.claimed_at)


# --- run timeout ----------------------------------------------------------------------------------


def redelivery_after_seconds() -> float:
    """How long an action may stay PROCESSING before the scheduler takes it back from a dead worker.

    PARVIS_ACTION_REDELIVERY_AFTER when set, else the run timeout plus a grace period. It must exceed
    PARVIS_ACTION_RUN_TIMEOUT (the `networks.E001` system check says so at startup): an attempt is
    cut off at the run timeout, so past this window it cannot still be running.
    """
    configured = getattr(settings, "PARVIS_ACTION_REDELIVERY_AFTER", None)
    if configured:
        return float(configured)
    return float(settings.PARVIS_ACTION_RUN_TIMEOUT) + REDELIVERY_GRACE_SECONDS


class AttemptTimedOut(BaseException):
    """The attempt ran past PARVIS_ACTION_RUN_TIMEOUT. A BaseException, so that connector or SDK code
    catching Exception cannot swallow it and carry on past the limit."""


@contextmanager
def attempt_deadline(seconds: float) -> Iterator[None]:
    """Cut the attempt off after `seconds` (SIGALRM, in a worker's main thread, where db_worker runs tasks).

    This bound is what lets the scheduler re-deliver safely: past the run timeout the attempt is over,
    so an action still PROCESSING after the re-delivery window belongs to a dead worker. Where no alarm
    can be set (a thread, another platform), each network call's own timeout bounds the attempt.
    """
    usable = (
        seconds > 0
        and hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
        and signal.getsignal(signal.SIGALRM) in (signal.SIG_DFL, None)
    )
    if not usable:
        yield
        return

    def expire(signum: int, frame: FrameType | None) -> None:
        raise AttemptTimedOut

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


# --- carrying an action out -----------------------------------------------------------------------


class LateError(ConnectorError):
    """Not a network error: the lateness cutoff passed before a worker got to the action."""

    def __init__(self) -> None:
        super().__init__("Too late to publish on its own: choose to publish now or reschedule.")


class HoldError(ConnectorError):
    """Not a network error: the action must wait for a person (who asked for it may no longer
    publish; a network without read-back may already have the post)."""


def action_execute(*, action_id: int) -> Action | None:
    """Carry out one due action through its connector and write the outcome to the ledger.

    1. Claim it atomically (a second worker, or a duplicate task, gets nothing).
    2. Re-check what may have changed since it was decided: the account's health (an account that
       needs reconnection holds the action, never drops it), the lateness cutoff, and whether whoever
       asked for it may still publish.
    3. After an uncertain attempt (a worker killed mid-call, a crash, a timeout: the network may have
       published without Parvis hearing it), read back first: found → done, not sent a second time.
    4. Call the connector, within the run timeout; map its error kind to what happens next:
       transient → retry with backoff; rate limited → retry after the network's delay;
       auth expired → account flagged, action held; permanent → failed with the network's message.
    Every write after the claim is conditional on the claim still being this worker's.
    """
    action = action_claim(action_id=action_id)
    if action is None:
        return None
    account = action.account
    started = timezone.now()
    attempt = ActionAttempt.objects.create(action=action, started_at=started)
    refusal = _run_time_refusal(action, started)
    if refusal is not None:
        return _action_finish(action, attempt, refusal)
    try:
        connector = get_connector(account.network)
    except (UnknownNetwork, ImportError) as error:  # an installation problem, not the network's answer
        logger.exception("connector %r of action %s cannot be loaded", account.network, action.pk)
        return _action_finish(action, attempt, error)
    found: ActionResult | None = None
    result: ActionResult | None = None
    try:
        with attempt_deadline(float(settings.PARVIS_ACTION_RUN_TIMEOUT)):
            request = _request_for(action)
            uncertain_since = _uncertain_since(action, attempt)
            if uncertain_since is not None:
                found = _read_back(connector, account, action, request, uncertain_since)
            if found is None:
                result = connector.execute(account.as_ref(), request)
    except AttemptTimedOut:
        message = (
            f"The attempt took longer than {settings.PARVIS_ACTION_RUN_TIMEOUT} s and was stopped; "
            "Parvis checks whether the post went out before trying again."
        )
        return _action_finish(action, attempt, TransientError(message))
    except ConnectorError as error:
        return _action_finish(action, attempt, error)
    except Exception as error:  # a bug must not leave the row in PROCESSING forever
        logger.exception("action %s crashed", action.pk)
        return _action_finish(action, attempt, error)
    if found is not None:
        return _action_succeed(action, attempt, found, outcome=AttemptOutcome.FOUND)
    if result is None:  # pragma: no cover - execute returned or raised above
        raise RuntimeError("the connector returned nothing")
    return _action_succeed(action, attempt, result, outcome=AttemptOutcome.OK)


def _run_time_refusal(action: Action, now: datetime) -> ConnectorError | None:
    """Why the action must not go out now (None: it may): checked when it runs, not when it was decided."""
    account = action.account
    if account.status == AccountStatus.NEEDS_REAUTH:
        return AuthExpired(f"{account.handle} must be reconnected")
    if account.status == AccountStatus.DISABLED:
        return PermanentError(f"{account.handle} is disconnected")
    if action.late_after is not None and now > action.late_after:
        return LateError()
    return _requester_refusal(action)


def _requester_refusal(action: Action) -> HoldError | None:
    """Whoever asked for the action must still be allowed to, unless the post was approved.

    The next posts of a thread and a first comment follow their parent, which passed this check.
    An action nobody asked for (a rule, the system) has no one to check. Publishing puts
    "approved": true in the payload of a post approved by a reviewer: the approval is the decision.
    """
    if action.created_by_id is None or action.parent_id is not None or action.payload.get("approved"):
        return None
    perm = Perm.PUBLISH if action.source.startswith("publishing") or action.kind in PUBLISH_KINDS else Perm.REPLY
    membership = (
        Membership.objects.filter(workspace_id=action.workspace_id, user_id=action.created_by_id, user__is_active=True)
        .select_related("user")
        .first()
    )
    if membership is not None and role_has(membership.role, perm):
        return None
    who = membership.user.get_username() if membership is not None else _username(action.created_by_id)
    if membership is None:
        return HoldError(
            f"{who}, who asked for it, is no longer a member of this workspace: "
            "a publisher must publish it now, reschedule it or cancel it."
        )
    return HoldError(
        f"{who}, who asked for it, may no longer do this in this workspace: "
        "a publisher must publish it now, reschedule it or cancel it."
    )


def _username(user_id: int) -> str:
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(pk=user_id).first()
    return user.get_username() if user is not None else "The person"


def _uncertain_since(action: Action, current: ActionAttempt) -> datetime | None:
    """When the first attempt that may have reached the network without Parvis knowing it started.

    Only for actions that create a post (sending one again would publish it twice), and only the
    attempts after the last one known to have succeeded.
    """
    if action.kind not in POST_KINDS or action.attempts <= 1:  # a first attempt has nothing before it
        return None
    earlier = ActionAttempt.objects.filter(action=action).exclude(pk=current.pk)
    last_success = (
        earlier.filter(outcome__in=[AttemptOutcome.OK, AttemptOutcome.FOUND])
        .order_by("-started_at")
        .values_list("started_at", flat=True)
        .first()
    )
    uncertain = earlier.filter(outcome__in=UNCERTAIN_OUTCOMES)
    if last_success is not None:
        uncertain = uncertain.filter(started_at__gt=last_success)
    return uncertain.order_by("started_at").values_list("started_at", flat=True).first()


def _read_back(
    connector: Connector, account: ConnectedAccount, action: Action, request: ActionRequest, since: datetime
) -> ActionResult | None:
    """After an uncertain attempt: the post if the network already has it, None if it must be sent.

    1. A network with read-back is asked for the account's posts since that attempt (same text).
    2. A network that drops a second copy sent with the same idempotency key gets it again.
    3. Otherwise nobody can tell: the action waits for a person, unless a person already asked
       for it again after that attempt (the ledger's retry, after checking the network).
    """
    capabilities = connector.capabilities
    if capabilities.read_back:
        return connector.locate(account.as_ref(), request, since=since - READ_BACK_MARGIN)
    if capabilities.idempotent_publish:
        return None
    retried = AuditEntry.objects.filter(
        workspace_id=action.workspace_id,
        verb="action.retry",
        target_type="Action",
        target_id=str(action.pk),
        created_at__gt=since,
    ).exists()
    if retried:
        return None
    raise HoldError(
        f"The previous attempt may have reached {connector.display_name}, which cannot be asked whether "
        "the post exists: check the account, then publish it again or cancel it."
    )


def _action_succeed(action: Action, attempt: ActionAttempt, result: ActionResult, *, outcome: str) -> Action:
    """Write a success (sent now, or found on the network by a read-back) and release what waited for it."""
    now = timezone.now()
    changes: dict[str, Any] = {
        "status": ActionStatus.DONE,
        "external_id": result.external_id,
        "external_url": result.url[:500],
        "last_error": "",
        "finished_at": now,
        "enqueued_at": None,
        # A post read back just now is verified; a post just sent is read back a little later.
        "verified_at": now if outcome == AttemptOutcome.FOUND else None,
        "next_attempt_at": now + timedelta(seconds=VERIFY_SCHEDULE[0]),
    }
    with transaction.atomic():
        attempt.finished_at = now
        attempt.outcome = outcome
        attempt.error = "Already on the network: not sent again." if outcome == AttemptOutcome.FOUND else ""
        attempt.save(update_fields=["finished_at", "outcome", "error"])
        if not _claimed(action).update(**changes):
            logger.warning(
                "action %s: claim lost before its success was recorded (external id %s)", action.pk, result.external_id
            )
            action.refresh_from_db()
            return action
        for field, value in changes.items():
            setattr(action, field, value)
        # What waited for this post (the rest of a thread, a first comment) can go now, whatever
        # its own cutoff: the decision to publish the first post covers the rest.
        children = list(
            Action.objects.filter(parent=action, status__in=[ActionStatus.PENDING, ActionStatus.HELD]).values_list(
                "pk", flat=True
            )
        )
        Action.objects.filter(pk__in=children).update(
            status=ActionStatus.PENDING, next_attempt_at=now, enqueued_at=None, last_error="", late_after=None
        )
        for child_id in children:
            transaction.on_commit(_enqueue_on_commit(child_id), robust=True)
    return action


def _action_finish(action: Action, attempt: ActionAttempt, error: BaseException) -> Action:
    """Write a failed attempt and decide what comes next (retry, hold for a person, or fail)."""
    now = timezone.now()
    message = error.message if isinstance(error, ConnectorError) else f"Internal error: {error.__class__.__name__}"
    changes: dict[str, Any] = {"last_error": message, "enqueued_at": None}
    held_reason = ""
    if isinstance(error, LateError):
        outcome = AttemptOutcome.LATE
        changes["status"] = ActionStatus.HELD
        held_reason = "late"
    elif isinstance(error, HoldError):
        outcome = AttemptOutcome.PERMANENT
        changes["status"] = ActionStatus.HELD
        held_reason = "decision"
    elif isinstance(error, AuthExpired):
        outcome = AttemptOutcome.AUTH_EXPIRED
        changes["status"] = ActionStatus.HELD
    elif isinstance(error, RateLimited):
        outcome = AttemptOutcome.RATE_LIMITED
        wait = error.retry_after if error.retry_after is not None else backoff_delay(action.attempts)
        changes["status"] = ActionStatus.PENDING
        changes["next_attempt_at"] = now + timedelta(seconds=max(wait, 1))
    elif isinstance(error, TransientError):
        outcome = AttemptOutcome.TRANSIENT
        if action.attempts < action.max_attempts:
            changes["status"] = ActionStatus.PENDING
            changes["next_attempt_at"] = now + timedelta(seconds=backoff_delay(action.attempts))
        else:
            changes["status"] = ActionStatus.FAILED
    elif isinstance(error, ConnectorError):  # PermanentError, and any other refusal
        outcome = AttemptOutcome.PERMANENT
        changes["status"] = ActionStatus.FAILED
    else:
        outcome = AttemptOutcome.CRASHED
        changes["status"] = ActionStatus.FAILED
    if changes["status"] == ActionStatus.FAILED:
        changes["finished_at"] = now
    with transaction.atomic():
        attempt.finished_at = now
        attempt.outcome = outcome
        attempt.error = message
        attempt.save(update_fields=["finished_at", "outcome", "error"])
        if not _claimed(action).update(**changes):
            logger.warning("action %s: claim lost before its outcome (%s) was recorded", action.pk, outcome)
            action.refresh_from_db()
            return action
        for field, value in changes.items():
            setattr(action, field, value)
        if isinstance(error, AuthExpired):
            # Conditional: a disconnection recorded meanwhile stays a disconnection.
            flagged = ConnectedAccount.objects.filter(pk=action.account_id, status__in=POLLABLE).update(
                status=AccountStatus.NEEDS_REAUTH, last_error=message, last_error_at=now, next_poll_at=None
            )
            if flagged:
                _notify_reconnect(action.account)
        if changes["status"] == ActionStatus.FAILED:
            # The rest of a thread cannot answer a post that does not exist: it waits for a person.
            Action.objects.filter(parent=action, status=ActionStatus.PENDING).update(
                status=ActionStatus.HELD, last_error="Waiting for the post it follows, which failed."
            )
        if held_reason:
            _notify_held(action, late=held_reason == "late")
    return action


def _notify_held(action: Action, *, late: bool) -> None:
    """Tell the publishers something waits for their decision (one unread notification per workspace)."""
    workspace = action.workspace
    with translation.override(workspace.language):
        if late:
            title = _("A post missed its lateness cutoff and waits for your decision")
        else:
            title = _("A post waits for a publisher's decision")
        body = _(
            "“%(summary)s” on %(handle)s was not published: %(reason)s Open the ledger to publish it now, "
            "reschedule it or cancel it."
        ) % {"summary": action.summary[:120], "handle": action.account.handle, "reason": action.last_error}
    notification_send(
        workspace=workspace,
        kind="delivery.held",
        title=title,
        body=body,
        url=reverse("web:ledger") + "?status=held",
        perm=Perm.PUBLISH,
        level="warning",
        email=True,
        dedupe_key=f"delivery.held:{workspace.pk}",
    )


def _notify_reconnect(account: ConnectedAccount) -> None:
    workspace = account.workspace
    with translation.override(workspace.language):
        title = _("Reconnect %(handle)s: its posts are on hold") % {"handle": account.handle}
        body = _(
            "%(network)s no longer accepts Parvis's access to %(handle)s. Nothing is lost: its posts wait "
            "and go out as soon as the account is reconnected."
        ) % {"network": account.network, "handle": account.handle}
    notification_send(
        workspace=workspace,
        kind="account.needs_reauth",
        title=title,
        body=body,
        url=reverse("web:accounts"),
        perm=Perm.MANAGE_ACCOUNTS,
        level="alert",
        email=True,
        dedupe_key=f"account.needs_reauth:{account.pk}",
    )


# --- a person's decisions -------------------------------------------------------------------------


def verification_missing(action: Action) -> bool:
    """A published post the read-back could not find afterwards (it waits for a person's decision)."""
    return (
        action.status == ActionStatus.DONE
        and action.verified_at is None
        and action.last_error == VERIFY_MISSING_MESSAGE
    )


def _descendants(action_ids: list[int]) -> list[int]:
    found: list[int] = []
    level = action_ids
    while level:
        level = list(Action.objects.filter(parent_id__in=level).values_list("pk", flat=True))
        found.extend(level)
    return found


def _decision_target(membership: Membership, action: Action) -> Action:
    require(membership, Perm.PUBLISH)
    if action.workspace_id != membership.workspace_id:
        raise PermissionError("Not your workspace")
    # Decide on the row as it is now, not as the caller loaded it: a worker may have finished it since.
    return Action.objects.select_for_update().get(pk=action.pk)


def _require_account_usable(action: Action) -> None:
    if action.account.status == AccountStatus.NEEDS_REAUTH:
        raise ValueError(_("Reconnect %(handle)s first.") % {"handle": action.account.handle})
    if action.account.status == AccountStatus.DISABLED:
        raise ValueError(_("%(handle)s is disconnected.") % {"handle": action.account.handle})


@transaction.atomic
def action_retry(*, membership: Membership, action: Action) -> Action:
    """Put a failed or held action back in the queue, now ("retry safely", "publish now").

    Safe to click twice, or by two people at once: the status changes with a conditional UPDATE, so
    only one retry happens; the other gets a ValueError. Safe after an uncertain attempt: the worker
    reads the post back from the network before sending it again. A published post that the read-back
    could not find can be published again too (a person decided). The retrying member becomes the one
    who asked for it (the permission re-checked at run time is theirs).
    """
    current = _decision_target(membership, action)
    retryable = current.status in {ActionStatus.FAILED, ActionStatus.HELD} or verification_missing(current)
    if not retryable:
        raise ValueError(
            _("Only failed or held actions can be retried (this one is %(status)s).")
            % {"status": current.get_status_display()}
        )
    _require_account_usable(current)
    changes: dict[str, Any] = {
        "status": ActionStatus.PENDING,
        "next_attempt_at": timezone.now(),
        "enqueued_at": None,
        "finished_at": None,
        # The automatic attempts are spent: a person asking again grants a new series.
        "max_attempts": F("attempts") + RETRY_ATTEMPTS,
        "late_after": None,  # a person asking now is the decision the cutoff waited for
        "created_by_id": membership.user.pk,
    }
    if current.status == ActionStatus.DONE:
        changes.update(external_id="", external_url="", last_error="")
    updated = Action.objects.filter(pk=current.pk, status=current.status).update(**changes)
    if not updated:  # pragma: no cover - the row is locked above on databases that lock rows
        raise ValueError(_("Someone else changed this action meanwhile; reload the page."))
    # The rest of its thread follows it, whatever their own cutoff.
    Action.objects.filter(
        pk__in=_descendants([current.pk]), status__in=[ActionStatus.PENDING, ActionStatus.HELD]
    ).update(late_after=None)
    transaction.on_commit(_enqueue_on_commit(current.pk), robust=True)
    audit_record(workspace=current.workspace, actor=membership.user, verb="action.retry", target=current)
    action.refresh_from_db()
    return action


@transaction.atomic
def action_reschedule(*, membership: Membership, action: Action, due_at: datetime) -> Action:
    """Give a held or failed action a new time; it keeps the same lateness cutoff after that time."""
    if timezone.is_naive(due_at):
        raise ValueError("due_at must be timezone-aware")
    current = _decision_target(membership, action)
    if current.status not in {ActionStatus.FAILED, ActionStatus.HELD}:
        raise ValueError(
            _("Only failed or held actions can be rescheduled (this one is %(status)s).")
            % {"status": current.get_status_display()}
        )
    if due_at <= timezone.now():
        raise ValueError(_("Choose a time in the future."))
    _require_account_usable(current)
    cutoff = current.late_after - current.due_at if current.late_after is not None else None
    updated = Action.objects.filter(pk=current.pk, status=current.status).update(
        status=ActionStatus.PENDING,
        due_at=due_at,
        next_attempt_at=due_at,
        late_after=due_at + cutoff if cutoff is not None else None,
        enqueued_at=None,
        finished_at=None,
        max_attempts=F("attempts") + RETRY_ATTEMPTS,
        created_by_id=membership.user.pk,
    )
    if not updated:  # pragma: no cover - the row is locked above on databases that lock rows
        raise ValueError(_("Someone else changed this action meanwhile; reload the page."))
    audit_record(
        workspace=current.workspace,
        actor=membership.user,
        verb="action.reschedule",
        target=current,
        data={"due": due_at.isoformat()},
    )
    action.refresh_from_db()
    return action


@transaction.atomic
def action_cancel(*, membership: Membership, action: Action) -> Action:
    """Cancel an action that has not gone out (and what waited for it: the rest of a thread)."""
    current = _decision_target(membership, action)
    if current.status not in {ActionStatus.PENDING, ActionStatus.FAILED, ActionStatus.HELD}:
        raise ValueError(
            _("Only pending, failed or held actions can be cancelled (this one is %(status)s).")
            % {"status": current.get_status_display()}
        )
    ids = [current.pk, *_descendants([current.pk])]
    Action.objects.filter(pk__in=ids, status__in=[ActionStatus.PENDING, ActionStatus.FAILED, ActionStatus.HELD]).update(
        status=ActionStatus.CANCELLED, enqueued_at=None, last_error="Cancelled by a person."
    )
    audit_record(workspace=current.workspace, actor=membership.user, verb="action.cancel", target=current)
    action.refresh_from_db()
    return action


# --- read-back verification ---------------------------------------------------------------------


def action_verify(*, action_id: int) -> Action | None:
    """Read a published post back from the network (networks with read-back).

    Found → `verified_at`. Not found → tried again on the VERIFY_SCHEDULE; still missing after the
    last try → a warning on the ledger and to the publishers. It is never sent again automatically:
    a moderator may have removed it, and a person decides.
    """
    action = (
        Action.objects.select_related("account", "workspace")
        .filter(pk=action_id, status=ActionStatus.DONE, verified_at__isnull=True, last_error="")
        .exclude(external_id="")
        .first()
    )
    if action is None or action.finished_at is None:
        return None
    try:
        connector = get_connector(action.account.network)
    except (UnknownNetwork, ImportError):
        return None
    if not connector.capabilities.read_back:
        return None
    now = timezone.now()
    pending = Action.objects.filter(pk=action.pk, status=ActionStatus.DONE, verified_at__isnull=True, last_error="")
    try:
        found = connector.locate(action.account.as_ref(), _request_for(action), external_id=action.external_id)
    except ConnectorError as error:  # the network cannot answer now: ask again later, without counting it
        logger.info("verification of action %s postponed: %s", action.pk, error.message)
        pending.update(enqueued_at=None, next_attempt_at=now + timedelta(seconds=VERIFY_RETRY_AFTER_ERROR))
        return action
    if found is not None:
        pending.update(verified_at=now, enqueued_at=None, external_url=(found.url or action.external_url)[:500])
        action.refresh_from_db()
        return action
    stage = (action.next_attempt_at - action.finished_at).total_seconds()
    later = [offset for offset in VERIFY_SCHEDULE if offset > stage + 1]
    if later:
        pending.update(enqueued_at=None, next_attempt_at=action.finished_at + timedelta(seconds=later[0]))
    else:
        with transaction.atomic():
            if pending.update(enqueued_at=None, last_error=VERIFY_MISSING_MESSAGE):
                action.last_error = VERIFY_MISSING_MESSAGE
                _notify_missing(action)
    action.refresh_from_db()
    return action


def _notify_missing(action: Action) -> None:
    workspace = action.workspace
    with translation.override(workspace.language):
        title = _("A published post cannot be found on the network")
        body = _(
            "“%(summary)s” on %(handle)s was published, but reading it back afterwards did not find it "
            "(removed by a moderator or by hand?). It is not sent again on its own: check the account, "
            "then publish it again from the ledger if needed."
        ) % {"summary": action.summary[:120], "handle": action.account.handle}
    notification_send(
        workspace=workspace,
        kind="delivery.missing",
        title=title,
        body=body,
        url=reverse("web:ledger") + "?status=done",
        perm=Perm.PUBLISH,
        level="warning",
        email=True,
        dedupe_key=f"delivery.missing:{workspace.pk}",
    )


# --- the scheduler ----------------------------------------------------------------------------


def scheduler_tick(*, now: datetime | None = None) -> dict[str, int]:
    """One pass of the scheduler: hand due actions and due polls to the workers.

    1. Actions left in PROCESSING past the re-delivery window belong to a dead worker (an attempt
       is cut off at the run timeout, which is shorter): their open attempt is closed as abandoned and
       they go back to the queue, where the worker reads back before sending again (or they fail
       once their attempts are spent).
    2. Pending actions past their lateness cutoff are held for a person, and publishers are told.
    3. Due pending actions not enqueued recently are enqueued (a lost task is re-sent after a minute).
       The mark is a conditional UPDATE, so two schedulers never enqueue the same action twice.
    4. Active accounts whose next poll is due get their poll enqueued; next_poll_at moves first,
       with a conditional UPDATE, so two schedulers never poll the same account twice.
    5. Published posts due for a read-back get their verification enqueued.
    6. The heartbeat tells the health page the scheduler is alive; once a minute the workers are
       pinged and the alerts (workers stopped, deliveries overdue) are brought up to date.
    The report always has "abandoned", "actions" and "polls"; "late" and "verifications" when non-zero.
    """
    from parvis.networks.tasks import execute_action, poll_account

    now = now or timezone.now()
    abandoned = _actions_recover_abandoned(now)
    late = _actions_hold_late(now)

    not_recently_enqueued = _not_recently_enqueued(execute_action, now)
    due = (
        Action.objects.filter(status=ActionStatus.PENDING, next_attempt_at__lte=now)
        .filter(not_recently_enqueued)
        .filter(PARENT_DONE)
        .order_by("next_attempt_at")
    )
    enqueued = _enqueue_batches(execute_action, due, not_recently_enqueued, now)

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

    verifications = _actions_enqueue_verification(now)

    Heartbeat.objects.update_or_create(name="scheduler", defaults={"at": now})
    _minutely_upkeep(now)
    periodic = run_due(now)
    report = {"abandoned": abandoned, "actions": enqueued, "polls": polls}
    if periodic:
        report["periodic"] = len(periodic)
    if late:
        report["late"] = late
    if verifications:
        report["verifications"] = verifications
    return report


def _minutely_upkeep(now: datetime) -> None:
    """Ping the workers and refresh the alerts, once a minute whatever the tick interval."""
    from parvis.networks import services_health

    try:
        services_health.upkeep(now=now)
    except Exception:  # the upkeep must never stop the scheduler from handing out work
        logger.exception("health upkeep failed")


def _enqueue_batches(task: Task[Any, Any], due: QuerySet[Action], fresh: Q, now: datetime, priority: int = 0) -> int:
    """Mark and enqueue what `due` selects, in batches, for at most ENQUEUE_BUDGET_SECONDS.

    A batch is marked with one conditional UPDATE; only the rows this tick marked (enqueued_at == now)
    are enqueued, so two schedulers never hand out the same action twice. With the database backend
    the marks and the tasks of a batch are written in one transaction (one write instead of hundreds).
    """
    started = time.monotonic()
    enqueued = 0
    queued_task = _with_priority(task, priority)
    transactional = _backend_is_database(task)
    while time.monotonic() - started < ENQUEUE_BUDGET_SECONDS:
        batch = list(due.values_list("pk", flat=True)[:ENQUEUE_BATCH])
        if not batch:
            break
        with transaction.atomic() if transactional else nullcontext():
            Action.objects.filter(pk__in=batch).filter(fresh).update(enqueued_at=now)
            marked = list(Action.objects.filter(pk__in=batch, enqueued_at=now).values_list("pk", flat=True))
            for action_id in marked:
                queued_task.enqueue(action_id)
        enqueued += len(marked)
        if len(batch) < ENQUEUE_BATCH or not marked:
            break
    return enqueued


def _not_recently_enqueued(task: Task[Any, Any], now: datetime) -> Q:
    """Actions not handed to the workers yet, or whose task seems lost: enqueued over a minute ago.

    With the database backend the queue can be read: tasks are taken oldest first, so an action
    marked after the oldest task still waiting is still in the queue, only behind a backlog; it is
    not sent again (a burst of thousands would otherwise double the queue's tail every minute).
    """
    resend_before = now - timedelta(seconds=RESEND_AFTER_SECONDS)
    oldest = _oldest_waiting(task)
    if oldest is not None:
        resend_before = min(resend_before, oldest - timedelta(seconds=ENQUEUE_BUDGET_SECONDS + 5))
    return Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=resend_before)


def _oldest_waiting(task: Task[Any, Any]) -> datetime | None:
    """When the oldest task of this kind still waiting in the queue was enqueued (database backend only)."""
    if not _backend_is_database(task):
        return None
    from django_tasks_db.models import DBTaskResult

    oldest: datetime | None = (
        DBTaskResult.objects.ready()
        .filter(task_path=task.module_path, backend_name=task.backend)
        .aggregate(oldest=Min("enqueued_at"))["oldest"]
    )
    return oldest


def _with_priority(task: Task[Any, Any], priority: int) -> Task[Any, Any]:
    if priority and task.get_backend().supports_priority:
        return task.using(priority=priority)
    return task


def _backend_is_database(task: Task[Any, Any]) -> bool:
    try:
        from django_tasks_db import DatabaseBackend
    except ImportError:  # pragma: no cover - the database backend is a dependency
        return False
    return isinstance(task.get_backend(), DatabaseBackend)


def _poll_interval(network: str) -> int:
    """The network's poll interval; a connector that cannot be loaded is retried now and then.

    Its poll still runs, so the failure is recorded on the account where people see it.
    """
    try:
        return get_connector(network).capabilities.poll_interval_seconds
    except (UnknownNetwork, ImportError):
        logger.exception("connector %r cannot be loaded", network)
        return CONNECTOR_UNAVAILABLE_RETRY_SECONDS


def _reads_back(network: str) -> bool:
    try:
        return get_connector(network).capabilities.read_back
    except (UnknownNetwork, ImportError):
        return False


def _actions_recover_abandoned(now: datetime) -> int:
    """Put back (or fail) the actions a dead worker left in PROCESSING; returns how many.

    Only past the re-delivery window, longer than the run timeout that cuts every attempt off: an
    attempt that may still be running is never taken back. The abandoned attempt is uncertain (the
    worker may have died after the network published), so the next attempt reads back first.
    """
    stale = now - timedelta(seconds=redelivery_after_seconds())
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


def _actions_hold_late(now: datetime) -> int:
    """Hold the pending actions past their lateness cutoff, even when no worker is there to see it."""
    late = list(
        Action.objects.filter(status=ActionStatus.PENDING, late_after__lt=now)
        .filter(PARENT_DONE)
        .values_list("pk", flat=True)[:500]
    )
    held = 0
    error = LateError()
    for action_id in late:
        with transaction.atomic():
            updated = Action.objects.filter(pk=action_id, status=ActionStatus.PENDING, late_after__lt=now).update(
                status=ActionStatus.HELD, enqueued_at=None, last_error=error.message
            )
            if not updated:
                continue
            held += 1
            ActionAttempt.objects.create(
                action_id=action_id, started_at=now, finished_at=now, outcome=AttemptOutcome.LATE, error=error.message
            )
            _notify_held(Action.objects.select_related("account", "workspace").get(pk=action_id), late=True)
    return held


def _actions_enqueue_verification(now: datetime) -> int:
    """Enqueue the read-back of published posts whose next check is due (networks with read-back)."""
    from parvis.networks.tasks import verify_action

    fresh = _not_recently_enqueued(verify_action, now)
    candidates = (
        Action.objects.filter(
            status=ActionStatus.DONE,
            verified_at__isnull=True,
            last_error="",
            kind__in=POST_KINDS,
            next_attempt_at__lte=now,
            finished_at__gte=now - timedelta(seconds=VERIFY_WINDOW_SECONDS),
        )
        .exclude(external_id="")
        .filter(fresh)
    )
    networks = {network for network in candidates.values_list("account__network", flat=True).distinct()}
    readable = [network for network in networks if _reads_back(network)]
    if not readable:
        return 0
    due = candidates.filter(account__network__in=readable).order_by("next_attempt_at")
    return _enqueue_batches(verify_action, due, fresh, now, priority=VERIFY_PRIORITY)
