"""Writes for community members and identities."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import F

from parvis.community.models import Identity, Member
from parvis.core.models import Workspace
from parvis.networks.protocol import Author


@transaction.atomic
def identities_resolve(
    *, workspace: Workspace, network: str, authors: Iterable[tuple[Author, datetime]]
) -> dict[str, Identity]:
    """Find or create the identity (and its member) of each author, in bulk; keyed by author external id.

    Each author comes with when they were seen. A new identity gets a new member; merging members
    across networks is a later, explicit decision. What an author says of themselves (handle,
    name, avatar) is taken from the newest sighting, so a late event never brings back an old
    handle; first and last seen widen to cover every sighting.
    """
    latest: dict[str, tuple[Author, datetime]] = {}
    earliest: dict[str, datetime] = {}
    for author, seen_at in authors:
        known = latest.get(author.external_id)
        if known is None or seen_at > known[1]:
            latest[author.external_id] = (author, seen_at)
        if author.external_id not in earliest or seen_at < earliest[author.external_id]:
            earliest[author.external_id] = seen_at
    if not latest:
        return {}
    existing = _identities_by_external_id(workspace, network, list(latest))
    missing = [key for key in latest if key not in existing]
    if missing:
        members = Member.objects.bulk_create(
            [
                Member(
                    workspace=workspace,
                    display_name=latest[key][0].display_name or latest[key][0].handle,
                    first_seen_at=earliest[key],
                    last_seen_at=latest[key][1],
                )
                for key in missing
            ]
        )
        Identity.objects.bulk_create(
            [
                Identity(
                    workspace=workspace,
                    member=member,
                    network=network,
                    external_id=key,
                    handle=latest[key][0].handle,
                    display_name=latest[key][0].display_name,
                    url=latest[key][0].url,
                    avatar_url=latest[key][0].avatar_url,
                    is_bot=latest[key][0].is_bot,
                    first_seen_at=earliest[key],
                    last_seen_at=latest[key][1],
                )
                for key, member in zip(missing, members, strict=True)
            ],
            ignore_conflicts=True,
        )
        existing = _identities_by_external_id(workspace, network, list(latest))
        # A concurrent ingest created some of them first: drop the members left without identity.
        used = {identity.member_id for identity in existing.values()}
        orphans = [member.pk for member in members if member.pk not in used]
        if orphans:
            Member.objects.filter(pk__in=orphans, identities__isnull=True).delete()
    for key, identity in existing.items():
        _identity_refresh(identity, latest[key][0], earliest[key], latest[key][1])
    return existing


def _identities_by_external_id(workspace: Workspace, network: str, external_ids: list[str]) -> dict[str, Identity]:
    return {
        identity.external_id: identity
        for identity in Identity.objects.filter(
            workspace=workspace, network=network, external_id__in=external_ids
        ).select_related("member")
    }


def _identity_refresh(identity: Identity, author: Author, first_seen: datetime, last_seen: datetime) -> None:
    """Widen the seen interval; take the author's profile when this sighting is the newest."""
    changes: dict[str, Any] = {}
    if last_seen >= identity.last_seen_at:
        profile = {
            "handle": author.handle,
            "display_name": author.display_name or identity.display_name,
            "url": author.url or identity.url,
            "avatar_url": author.avatar_url or identity.avatar_url,
            "is_bot": author.is_bot,
        }
        changes.update({field: value for field, value in profile.items() if getattr(identity, field) != value})
        if last_seen > identity.last_seen_at:
            changes["last_seen_at"] = last_seen
    if first_seen < identity.first_seen_at:
        changes["first_seen_at"] = first_seen
    if not changes:
        return
    Identity.objects.filter(pk=identity.pk).update(**changes)
    for field, value in changes.items():
        setattr(identity, field, value)
    member = identity.member
    if "last_seen_at" in changes:
        Member.objects.filter(pk=member.pk, last_seen_at__lt=last_seen).update(last_seen_at=last_seen)
        member.last_seen_at = max(member.last_seen_at, last_seen)
    if "first_seen_at" in changes:
        Member.objects.filter(pk=member.pk, first_seen_at__gt=first_seen).update(first_seen_at=first_seen)
        member.first_seen_at = min(member.first_seen_at, first_seen)


def identities_count_messages(*, counts: dict[int, int]) -> None:
    for identity_id, count in counts.items():
        Identity.objects.filter(pk=identity_id).update(message_count=F("message_count") + count)


def identities_mark_following(*, identities: Iterable[Identity], since: datetime) -> None:
    Identity.objects.filter(pk__in=[identity.pk for identity in identities], follows_since__isnull=True).update(
        follows_since=since
    )
