"""Preparing an event: the event itself, its sessions, its speakers and their handles, prepared posts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from parvis.core.models import Membership, Workspace
from parvis.core.permissions import Perm
from parvis.core.services import audit_record, require
from parvis.networks.models import ConnectedAccount
from parvis.networks.registry import CONNECTORS
from parvis.publishing.models import (
    EventSession,
    EventStatus,
    LiveEvent,
    PreparedPost,
    Speaker,
    SpeakerHandle,
    normalise_hashtag,
    validate_hashtag,
)
from parvis.publishing.services.events.common import EventError, check_times, instant_in_zone, require_own_event


@transaction.atomic
def event_create(
    *,
    membership: Membership,
    name: str,
    hashtag: str,
    starts_at: datetime,
    ends_at: datetime,
    place: str = "",
    description: str = "",
    accounts: Sequence[ConnectedAccount] = (),
    status: str = EventStatus.PREPARING,
) -> LiveEvent:
    """Create an event. Naive times are wall-clock times in the workspace's time zone."""
    require(membership, Perm.DRAFT)
    workspace = membership.workspace
    event = LiveEvent(workspace=workspace, created_by=membership.user)
    _event_fill(
        event,
        workspace=workspace,
        name=name,
        hashtag=hashtag,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place,
        description=description,
        status=status,
    )
    event.save()
    event.accounts.set(_event_accounts(membership, accounts))
    audit_record(workspace=workspace, actor=membership.user, verb="event.create", target=event, summary=event.name)
    return event


@transaction.atomic
def event_update(
    *,
    membership: Membership,
    event: LiveEvent,
    name: str,
    hashtag: str,
    starts_at: datetime,
    ends_at: datetime,
    place: str,
    description: str,
    status: str,
    accounts: Sequence[ConnectedAccount],
) -> LiveEvent:
    require(membership, Perm.DRAFT)
    require_own_event(membership, event)
    _event_fill(
        event,
        workspace=membership.workspace,
        name=name,
        hashtag=hashtag,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place,
        description=description,
        status=status,
    )
    event.save()
    event.accounts.set(_event_accounts(membership, accounts))
    audit_record(
        workspace=event.workspace, actor=membership.user, verb="event.update", target=event, summary=event.name
    )
    return event


@transaction.atomic
def event_delete(*, membership: Membership, event: LiveEvent) -> None:
    """Delete an event, its programme and its wall. Its posts stay (they are ordinary posts), unlinked."""
    require(membership, Perm.DRAFT)
    require_own_event(membership, event)
    audit_record(
        workspace=event.workspace, actor=membership.user, verb="event.delete", target=event, summary=event.name
    )
    event.delete()


def _event_fill(
    event: LiveEvent,
    *,
    workspace: Workspace,
    name: str,
    hashtag: str,
    starts_at: datetime,
    ends_at: datetime,
    place: str,
    description: str,
    status: str,
) -> None:
    name = name.strip()
    if not name:
        raise EventError(_("Give the event a name."))
    tag = normalise_hashtag(hashtag)
    try:
        validate_hashtag(tag)
    except Exception as error:  # ValidationError: its message is already for the user
        raise EventError(" ".join(getattr(error, "messages", [str(error)]))) from error
    if status not in EventStatus.values:
        raise EventError(_("Unknown status."))
    start, end = instant_in_zone(starts_at, workspace), instant_in_zone(ends_at, workspace)
    check_times(start, end)
    event.name = name
    event.hashtag = tag
    event.starts_at = start
    event.ends_at = end
    event.place = place.strip()
    event.description = description.strip()
    event.status = status


def _event_accounts(membership: Membership, accounts: Sequence[ConnectedAccount]) -> list[ConnectedAccount]:
    unique = list({account.pk: account for account in accounts}.values())
    if any(account.workspace_id != membership.workspace_id for account in unique):
        raise PermissionError("An account does not belong to this workspace")
    return unique


@transaction.atomic
def session_create(
    *,
    membership: Membership,
    event: LiveEvent,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    room: str = "",
    speakers: Sequence[Speaker] = (),
) -> EventSession:
    """Add a session to the programme. Naive times are wall-clock times in the workspace's time zone."""
    require(membership, Perm.DRAFT)
    require_own_event(membership, event)
    session = EventSession(event=event)
    _session_fill(session, membership=membership, title=title, starts_at=starts_at, ends_at=ends_at, room=room)
    session.save()
    session.speakers.set(_event_speakers(event, speakers))
    audit_record(
        workspace=event.workspace, actor=membership.user, verb="event.session.create", target=session, summary=title
    )
    return session


@transaction.atomic
def session_update(
    *,
    membership: Membership,
    session: EventSession,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    room: str,
    speakers: Sequence[Speaker],
) -> EventSession:
    require(membership, Perm.DRAFT)
    require_own_event(membership, session.event)
    _session_fill(session, membership=membership, title=title, starts_at=starts_at, ends_at=ends_at, room=room)
    session.save()
    session.speakers.set(_event_speakers(session.event, speakers))
    audit_record(
        workspace=session.event.workspace,
        actor=membership.user,
        verb="event.session.update",
        target=session,
        summary=title,
    )
    return session


@transaction.atomic
def session_delete(*, membership: Membership, session: EventSession) -> None:
    require(membership, Perm.DRAFT)
    require_own_event(membership, session.event)
    audit_record(
        workspace=session.event.workspace,
        actor=membership.user,
        verb="event.session.delete",
        target=session,
        summary=session.title,
    )
    session.delete()


def _session_fill(
    session: EventSession, *, membership: Membership, title: str, starts_at: datetime, ends_at: datetime, room: str
) -> None:
    title = title.strip()
    if not title:
        raise EventError(_("Give the session a title."))
    start, end = instant_in_zone(starts_at, membership.workspace), instant_in_zone(ends_at, membership.workspace)
    check_times(start, end)
    session.title = title
    session.starts_at = start
    session.ends_at = end
    session.room = room.strip()


def _event_speakers(event: LiveEvent, speakers: Sequence[Speaker]) -> list[Speaker]:
    if any(speaker.event_id != event.pk for speaker in speakers):
        raise PermissionError("A speaker belongs to another event")
    return list(speakers)


def _clean_handles(handles: Mapping[str, str]) -> dict[str, str]:
    cleaned: dict[str, str] = {}
    for network, handle in handles.items():
        if network not in CONNECTORS:
            raise EventError(_("Unknown network: %(network)s.") % {"network": network})
        value = handle.strip()
        if value:
            if any(char.isspace() for char in value):
                raise EventError(_("A handle has no spaces: %(handle)s.") % {"handle": value})
            cleaned[network] = value
    return cleaned


@transaction.atomic
def speaker_create(
    *,
    membership: Membership,
    event: LiveEvent,
    name: str,
    organisation: str = "",
    handles: Mapping[str, str] | None = None,
) -> Speaker:
    """Add a speaker with at most one handle per network ({"mastodon": "@marie@piaille.fr", ...})."""
    require(membership, Perm.DRAFT)
    require_own_event(membership, event)
    name = name.strip()
    if not name:
        raise EventError(_("Give the speaker's name."))
    cleaned = _clean_handles(handles or {})
    speaker = Speaker.objects.create(event=event, name=name, organisation=organisation.strip())
    SpeakerHandle.objects.bulk_create(
        SpeakerHandle(speaker=speaker, network=network, handle=handle) for network, handle in cleaned.items()
    )
    audit_record(
        workspace=event.workspace, actor=membership.user, verb="event.speaker.create", target=speaker, summary=name
    )
    return speaker


@transaction.atomic
def speaker_update(
    *, membership: Membership, speaker: Speaker, name: str, organisation: str, handles: Mapping[str, str]
) -> Speaker:
    """Change a speaker; `handles` replaces every handle (a network left out or blank loses its handle)."""
    require(membership, Perm.DRAFT)
    require_own_event(membership, speaker.event)
    name = name.strip()
    if not name:
        raise EventError(_("Give the speaker's name."))
    cleaned = _clean_handles(handles)
    speaker.name = name
    speaker.organisation = organisation.strip()
    speaker.save()
    speaker.handles.exclude(network__in=list(cleaned)).delete()
    for network, handle in cleaned.items():
        SpeakerHandle.objects.update_or_create(speaker=speaker, network=network, defaults={"handle": handle})
    audit_record(
        workspace=speaker.event.workspace,
        actor=membership.user,
        verb="event.speaker.update",
        target=speaker,
        summary=name,
    )
    return speaker


@transaction.atomic
def speaker_delete(*, membership: Membership, speaker: Speaker) -> None:
    require(membership, Perm.DRAFT)
    require_own_event(membership, speaker.event)
    audit_record(
        workspace=speaker.event.workspace,
        actor=membership.user,
        verb="event.speaker.delete",
        target=speaker,
        summary=speaker.name,
    )
    speaker.delete()


@transaction.atomic
def prepared_post_create(
    *, membership: Membership, event: LiveEvent, text: str, session: EventSession | None = None
) -> PreparedPost:
    """Add a post to the bank of prepared posts of a session (or of the whole event)."""
    require(membership, Perm.DRAFT)
    require_own_event(membership, event)
    if session is not None and session.event_id != event.pk:
        raise PermissionError("The session belongs to another event")
    text = text.strip()
    if not text:
        raise EventError(_("The prepared post is empty."))
    last = PreparedPost.objects.filter(event=event, session=session).order_by("-position").first()
    prepared = PreparedPost.objects.create(
        event=event, session=session, text=text, position=(last.position + 1) if last else 0
    )
    audit_record(
        workspace=event.workspace, actor=membership.user, verb="event.prepared.create", target=prepared, summary=text
    )
    return prepared


@transaction.atomic
def prepared_post_delete(*, membership: Membership, prepared: PreparedPost) -> None:
    require(membership, Perm.DRAFT)
    require_own_event(membership, prepared.event)
    audit_record(
        workspace=prepared.event.workspace,
        actor=membership.user,
        verb="event.prepared.delete",
        target=prepared,
        summary=prepared.text,
    )
    prepared.delete()
