"""Writes for the editorial calendar: moving a post to another day or time, queue slots, "add to queue".

Times are wall-clock times in the workspace's zone, turned into instants by
`timeparse.local_to_utc` (a time skipped by the spring clock change is refused, a repeated one
is its first occurrence). Rescheduling itself is the composer's `post_reschedule` (H4): it moves
the deliveries' actions and sends an edited approved post back for approval where needed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from parvis.core.models import Membership
from parvis.core.permissions import Perm
from parvis.core.services import audit_record, require
from parvis.networks.models import ActionStatus, ConnectedAccount
from parvis.publishing.models import Delivery, Post, QueueSlot
from parvis.publishing.services.posts import CompositionError, post_reschedule
from parvis.publishing.timeparse import InvalidLocalTime, local_to_utc

# How far ahead the queue looks for a free slot before giving up.
QUEUE_HORIZON_DAYS = 366
_FROZEN_ACTIONS = {ActionStatus.DONE, ActionStatus.PROCESSING}


class CalendarError(ValueError):
    """The calendar cannot do this; the message says why and what to do, in the user's words."""


# --- moving posts -------------------------------------------------------------------------


def post_is_frozen(post: Post) -> bool:
    """True once one of the post's deliveries went out or is going out: its time is history."""
    return Delivery.objects.filter(post=post, action__status__in=_FROZEN_ACTIONS).exists()


def local_instant(day: date, at: time, *, membership: Membership) -> datetime:
    """`day` at `at` on the workspace's clock, as an aware UTC instant; CalendarError in the DST gap."""
    zone = membership.workspace.zone
    try:
        return local_to_utc(datetime.combine(day, at.replace(second=0, microsecond=0)), zone)
    except InvalidLocalTime as exc:
        raise CalendarError(
            _("%(time)s does not exist on %(date)s: the clocks go forward at that time. Choose another time.")
            % {"time": at.strftime("%H:%M"), "date": day.isoformat()}
        ) from exc


@transaction.atomic
def post_move(*, membership: Membership, post: Post, day: date, at: time | None = None) -> Post:
    """Move a post to another local day (keeping its local time) or to a day and time (week grid).

    Published or partly published posts stay where they are (CalendarError). The move itself is
    the composer's `post_reschedule`, which checks the member's permission and writes the audit.
    """
    require(membership, Perm.DRAFT)
    if post.workspace_id != membership.workspace_id:
        raise PermissionError("Not your workspace")
    post = Post.objects.select_for_update().get(pk=post.pk)
    if post_is_frozen(post):
        raise CalendarError(_("This post is already published (or being published): its time cannot change."))
    zone = membership.workspace.zone
    current = post.scheduled_at.astimezone(zone)
    target_time = at if at is not None else current.time()
    scheduled_at = local_instant(day, target_time, membership=membership)
    if scheduled_at <= timezone.now():
        raise CalendarError(_("This time is already past: choose a later day or time."))
    if scheduled_at == post.scheduled_at:
        return post
    try:
        post_reschedule(membership=membership, post=post, scheduled_at=scheduled_at)
    except CompositionError as exc:
        raise CalendarError(" ".join(exc.problems)) from exc
    post.refresh_from_db()
    return post


# --- queue slots --------------------------------------------------------------------------


@transaction.atomic
def queue_slots_set(*, membership: Membership, account: ConnectedAccount, slots: Iterable[tuple[int, time]]) -> None:
    """Replace an account's weekly slots (weekday 0 = Monday, local wall-clock time)."""
    require(membership, Perm.PUBLISH)
    if account.workspace_id != membership.workspace_id:
        raise PermissionError("Not your workspace")
    wanted = sorted({(weekday, at.replace(second=0, microsecond=0)) for weekday, at in slots})
    if any(not 0 <= weekday <= 6 for weekday, _at in wanted):
        raise CalendarError(_("A slot's day must be between Monday and Sunday."))
    QueueSlot.objects.filter(account=account).delete()
    QueueSlot.objects.bulk_create([QueueSlot(account=account, weekday=weekday, time=at) for weekday, at in wanted])
    audit_record(
        workspace=membership.workspace,
        actor=membership.user,
        verb="queue.slots_set",
        target=account,
        summary=", ".join(f"{weekday}:{at:%H:%M}" for weekday, at in wanted),
        data={"slots": [[weekday, at.strftime("%H:%M")] for weekday, at in wanted]},
    )


def _taken(
    accounts: Sequence[ConnectedAccount], start: datetime, end: datetime, exclude_post: Post | None
) -> set[datetime]:
    """Minutes already used by a post of one of these accounts (cancelled deliveries free their slot)."""
    deliveries = Delivery.objects.filter(
        account__in=accounts, post__scheduled_at__gte=start, post__scheduled_at__lt=end
    ).exclude(action__status=ActionStatus.CANCELLED)
    if exclude_post is not None:
        deliveries = deliveries.exclude(post=exclude_post)
    return {
        instant.replace(second=0, microsecond=0) for instant in deliveries.values_list("post__scheduled_at", flat=True)
    }


def _slot_instants(accounts: Sequence[ConnectedAccount], after: datetime, horizon_days: int) -> list[datetime]:
    """Every slot instant of these accounts after `after`, in order, within the horizon."""
    if not accounts:
        return []
    zone = accounts[0].workspace.zone
    by_weekday: dict[int, set[time]] = {}
    for weekday, at in QueueSlot.objects.filter(account__in=accounts).values_list("weekday", "time"):
        by_weekday.setdefault(weekday, set()).add(at)
    if not by_weekday:
        return []
    first_day = after.astimezone(zone).date()
    instants: list[datetime] = []
    for offset in range(horizon_days + 1):
        day = first_day + timedelta(days=offset)
        for at in sorted(by_weekday.get(day.weekday(), ())):
            try:
                instant = local_to_utc(datetime.combine(day, at), zone)
            except InvalidLocalTime:
                continue  # 02:30 on the spring-forward Sunday does not exist: that week has no such slot
            if instant > after:
                instants.append(instant)
    return instants


def queue_next_common_slot(
    *, accounts: Sequence[ConnectedAccount], after: datetime | None = None, exclude_post: Post | None = None
) -> datetime:
    """The first slot of any of these accounts after `after` (default: now) that no post of any of
    them already takes (`exclude_post`'s own place does not count). CalendarError when the
    accounts have no slots, or all of the coming year's are taken."""
    after = after or timezone.now()
    if timezone.is_naive(after):
        raise ValueError("after must be timezone-aware")
    instants = _slot_instants(accounts, after, QUEUE_HORIZON_DAYS)
    if not instants:
        raise CalendarError(_("No queue slot is set for these accounts: add weekly slots on the queue page first."))
    taken = _taken(accounts, instants[0], instants[-1] + timedelta(minutes=1), exclude_post)
    for instant in instants:
        if instant.replace(second=0, microsecond=0) not in taken:
            return instant
    raise CalendarError(_("Every queue slot of the coming year is taken: add slots or pick a time."))


def queue_next_slot(*, account: ConnectedAccount, after: datetime | None = None) -> datetime:
    """The account's next free weekly slot after `after`, in the workspace's time zone, DST-safe."""
    return queue_next_common_slot(accounts=[account], after=after)


@transaction.atomic
def post_enqueue(*, membership: Membership, post: Post) -> Post:
    """ "Add to queue": move the post to the next free slot of its accounts and mark it queued."""
    require(membership, Perm.DRAFT)
    if post.workspace_id != membership.workspace_id:
        raise PermissionError("Not your workspace")
    post = Post.objects.select_for_update().get(pk=post.pk)
    if post_is_frozen(post):
        raise CalendarError(_("This post is already published (or being published): its time cannot change."))
    accounts = [
        delivery.account for delivery in Delivery.objects.filter(post=post).select_related("account__workspace")
    ]
    slot = queue_next_common_slot(accounts=accounts, exclude_post=post)
    if slot != post.scheduled_at:
        try:
            post_reschedule(membership=membership, post=post, scheduled_at=slot)
        except CompositionError as exc:
            raise CalendarError(" ".join(exc.problems)) from exc
    Post.objects.filter(pk=post.pk).update(queued=True)
    post.refresh_from_db()
    audit_record(
        workspace=membership.workspace,
        actor=membership.user,
        verb="post.enqueue",
        target=post,
        summary=post.text[:300],
        data={"scheduled_at": slot.isoformat()},
    )
    return post
