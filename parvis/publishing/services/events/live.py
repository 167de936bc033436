"""Publishing for an event through post_create: live posts, announcements ahead, the recap post."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from parvis.core.models import Membership
from parvis.core.permissions import Perm
from parvis.core.services import audit_record, require
from parvis.networks.models import ActionStatus, ConnectedAccount
from parvis.publishing.models import (
    EventPost,
    EventPostKind,
    EventSession,
    LiveEvent,
    Post,
    PreparedPost,
)
from parvis.publishing.services.events.common import EventError, require_own_event, target_accounts
from parvis.publishing.services.events.texts import render_announcement, render_for_network
from parvis.publishing.services.posts import VariantInput, post_create
from parvis.publishing.timeparse import local_to_utc


def event_current_session(*, event: LiveEvent, now: datetime | None = None) -> EventSession | None:
    """The session running at `now` (the latest started when several run in parallel), or None."""
    instant = now or timezone.now()
    return (
        event.sessions.filter(starts_at__lte=instant, ends_at__gt=instant)
        .prefetch_related("speakers__handles")
        .order_by("-starts_at", "id")
        .first()
    )


def event_focus_session(*, event: LiveEvent, now: datetime | None = None) -> EventSession | None:
    """The session the live composer starts on: the one running, else the next one, else the last one."""
    instant = now or timezone.now()
    current = event_current_session(event=event, now=instant)
    if current is not None:
        return current
    sessions = event.sessions.prefetch_related("speakers__handles")
    upcoming = sessions.filter(starts_at__gt=instant).order_by("starts_at", "id").first()
    return upcoming or sessions.order_by("-starts_at", "-id").first()


def _publish(
    *, membership: Membership, texts: Mapping[ConnectedAccount, str], base_text: str, scheduled_at: datetime | None
) -> Post:
    """One post with each account's own text as its variant (hashtag and mentions differ per network)."""
    return post_create(
        membership=membership,
        text=base_text,
        accounts=list(texts),
        scheduled_at=scheduled_at,
        variants={account.pk: VariantInput(text=text) for account, text in texts.items()},
    )


@transaction.atomic
def live_post(
    *,
    membership: Membership,
    event: LiveEvent,
    text: str,
    accounts: Sequence[ConnectedAccount],
    session: EventSession | None = None,
    mention_speakers: bool = True,
    prepared: PreparedPost | None = None,
    now: datetime | None = None,
) -> Post:
    """Publish now, on each account, `text` with the hashtag (once) and the session's speakers for its network.

    `session` defaults to the one running now. A prepared post used for it is marked used.
    Raises CompositionError (from post_create) when a network's rules are broken.
    """
    require(membership, Perm.PUBLISH)
    require_own_event(membership, event)
    targets = target_accounts(membership, accounts)
    if session is None:
        session = event_current_session(event=event, now=now)
    elif session.event_id != event.pk:
        raise PermissionError("The session belongs to another event")
    if not text.strip():
        raise EventError(_("The post is empty."))
    if prepared is not None and prepared.event_id != event.pk:
        raise PermissionError("The prepared post belongs to another event")
    texts = {
        account: render_for_network(
            text=text, event=event, network=account.network, session=session, mention_speakers=mention_speakers
        )
        for account in targets
    }
    base = render_for_network(text=text, event=event, network="", session=session, mention_speakers=False)
    post = _publish(membership=membership, texts=texts, base_text=base, scheduled_at=None)
    EventPost.objects.create(event=event, session=session, post=post, kind=EventPostKind.LIVE)
    if prepared is not None:
        PreparedPost.objects.filter(pk=prepared.pk).update(used_at=timezone.now(), post=post)
    audit_record(
        workspace=event.workspace,
        actor=membership.user,
        verb="event.live_post",
        target=event,
        summary=text,
        data={"post": post.pk, "session": session.pk if session else None},
    )
    return post


@dataclass(frozen=True)
class Announcement:
    """One announcement of the schedule: `days_before` the event's first day at `at` (local time),
    or at the very start of the event when `at` is None and `days_before` is 0."""

    label: str
    days_before: int
    at: time | None
    text: str

    def due(self, event: LiveEvent) -> datetime:
        if self.at is None and self.days_before == 0:
            return event.starts_at
        zone = event.workspace.zone
        day: date = event.starts_at.astimezone(zone).date() - timedelta(days=self.days_before)
        clock = self.at or event.starts_at.astimezone(zone).time().replace(tzinfo=None)
        return local_to_utc(datetime.combine(day, clock), zone)


def announcement_defaults(event: LiveEvent) -> list[Announcement]:
    """The usual schedule (a week before, the day before, at the start), written in the workspace's language."""
    with translation.override(event.workspace.language):
        if event.place:
            week = _("In one week: {event}, {date} at {time}, {place}. Follow it live with {hashtag}!")
            eve = _("Tomorrow, {time}: {event} at {place}. Send us your questions for the speakers with {hashtag}.")
        else:
            week = _("In one week: {event}, {date} at {time}. Follow it live with {hashtag}!")
            eve = _("Tomorrow, {time}: {event}. Send us your questions for the speakers with {hashtag}.")
        start = _("It starts now: {event}! Follow it live and ask your questions with {hashtag}.")
        return [
            Announcement(label="J-7", days_before=7, at=time(10, 0), text=week),
            Announcement(label="J-1", days_before=1, at=time(10, 0), text=eve),
            Announcement(label="start", days_before=0, at=None, text=start),
        ]


@dataclass
class AnnouncementReport:
    scheduled: list[tuple[Announcement, Post]] = field(default_factory=list)
    past: list[Announcement] = field(default_factory=list)  # its time has gone: not scheduled
    existing: list[Announcement] = field(default_factory=list)  # scheduled before: not scheduled twice


@transaction.atomic
def event_announcements_schedule(
    *,
    membership: Membership,
    event: LiveEvent,
    accounts: Sequence[ConnectedAccount],
    announcements: Sequence[Announcement] | None = None,
    now: datetime | None = None,
) -> AnnouncementReport:
    """Schedule the announcements ahead of the event (default: J-7, J-1 at 10:00 and at the start).

    Each goes out at its time on every account, with the hashtag. An announcement whose time
    has passed is skipped; one already scheduled for this event (same label, not cancelled)
    is not scheduled twice.
    """
    require(membership, Perm.DRAFT)
    require_own_event(membership, event)
    targets = target_accounts(membership, accounts)
    instant = now or timezone.now()
    report = AnnouncementReport()
    existing = set(
        EventPost.objects.filter(event=event, kind=EventPostKind.ANNOUNCEMENT)
        .exclude(post__deliveries__action__status=ActionStatus.CANCELLED)
        .values_list("label", flat=True)
    )
    for announcement in announcements if announcements is not None else announcement_defaults(event):
        if announcement.label in existing:
            report.existing.append(announcement)
            continue
        due = announcement.due(event)
        if due <= instant:
            report.past.append(announcement)
            continue
        text = render_announcement(announcement.text, event)
        texts = {account: render_for_network(text=text, event=event, network=account.network) for account in targets}
        post = _publish(membership=membership, texts=texts, base_text=text, scheduled_at=due)
        EventPost.objects.create(event=event, post=post, kind=EventPostKind.ANNOUNCEMENT, label=announcement.label)
        report.scheduled.append((announcement, post))
        existing.add(announcement.label)
    audit_record(
        workspace=event.workspace,
        actor=membership.user,
        verb="event.announcements",
        target=event,
        summary=", ".join(announcement.label for announcement, _post in report.scheduled),
    )
    return report


@transaction.atomic
def event_recap_publish(
    *, membership: Membership, event: LiveEvent, text: str, accounts: Sequence[ConnectedAccount]
) -> Post:
    """Publish the thank-you / recap post after the event, with the hashtag."""
    require(membership, Perm.PUBLISH)
    require_own_event(membership, event)
    targets = target_accounts(membership, accounts)
    if not text.strip():
        raise EventError(_("The post is empty."))
    texts = {account: render_for_network(text=text, event=event, network=account.network) for account in targets}
    post = _publish(membership=membership, texts=texts, base_text=text, scheduled_at=None)
    EventPost.objects.create(event=event, post=post, kind=EventPostKind.RECAP)
    audit_record(workspace=event.workspace, actor=membership.user, verb="event.recap", target=event, summary=text)
    return post
