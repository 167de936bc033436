"""Writes for community members and identities."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.db.models import F

from parvis.core.models import Workspace
from parvis.community.models import Identity, Member
from parvis.networks.protocol import Author


@transaction.atomic
def identities_resolve(
    *, workspace: Workspace, network: str, authors: Iterable[tuple[Author, datetime]]
) -> dict[str, Identity]:
    """Find or create the identity (and its member) of each author, in bulk; keyed by author external id.

    Each author comes with when they were seen. A new identity gets a new member; merging members
    across networks is a later, explicit decision.
    """
    latest: dict[str, tuple[Author, datetime]] = {}
    for author, seen_at in authors:
        known = latest.get(author.external_id)
        if known is None or seen_at > known[1]:
            latest[author.external_id] = (author, seen_at)
    if not latest:
        return {}
    existing = {
        identity.external_id: identity
        for identity in Identity.objects.filter(
            workspace=workspace, network=network, external_id__in=list(latest)
        ).select_related("member")
    }
    missing = [key for key in latest if key not in existing]
    if missing:
        members = Member.objects.bulk_create(
            [
                Member(
                    workspace=workspace,
                    display_name=latest[key][0].display_name or latest[key][0].handle,
                    first_seen_at=latest[key][1],
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
                    first_seen_at=latest[key][1],
                    last_seen_at=latest[key][1],
                )
                for key, member in zip(missing, members, strict=True)
            ],
            ignore_conflicts=True,
        )
        existing = {
            identity.external_id: identity
            for identity in Identity.objects.filter(
                workspace=workspace, network=network, external_id__in=list(latest)
            ).select_related("member")
        }
    for key, identity in existing.items():
        author, seen_at = latest[key]
        if seen_at > identity.last_seen_at or author.handle != identity.handle:
            Identity.objects.filter(pk=identity.pk).update(
                last_seen_at=max(seen_at, identity.last_seen_at),
                handle=author.handle,
                display_name=author.display_name or identity.display_name,
            )
            Member.objects.filter(pk=identity.member_id, last_seen_at__lt=seen_at).update(last_seen_at=seen_at)
    return existing


def identities_count_messages(*, counts: dict[int, int]) -> None:
    for identity_id, count in counts.items():
        Identity.objects.filter(pk=identity_id).update(message_count=F("message_count") + count)


def identities_mark_following(*, identities: Iterable[Identity], since: datetime) -> None:
    Identity.objects.filter(pk__in=[identity.pk for identity in identities], follows_since__isnull=True).update(
        follows_since=since
    )
