"""Curation: relaying what the workspace's feeds bring (a link with a comment, a boost, a quote).

Every relay is a post like any other (`post_create`, so approvals, scheduling and the editorial
checks apply), marked `origin="relay"`: that is what the own-versus-relayed counter counts.
An entry from an RSS/Atom feed can only be relayed as a link; an entry that is a post on a
network the workspace is connected to can also be boosted or quoted from an account of that
network, where the network allows it (its connector's capabilities say so).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from urllib.parse import urlsplit

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from parvis.core.models import Membership
from parvis.core.permissions import Perm
from parvis.core.services import audit_record, require
from parvis.listening.models import FeedEntry
from parvis.networks.models import ConnectedAccount
from parvis.networks.protocol import ActionKind
from parvis.networks.registry import UnknownNetwork, get_connector
from parvis.publishing.models import CurationDismissal, Post, PostOrigin, RelayKind
from parvis.publishing.services.posts import post_create

RELAY_ACTIONS = {RelayKind.REPOST: ActionKind.REPOST, RelayKind.QUOTE: ActionKind.QUOTE}


class CurationError(ValueError):
    """A relay that cannot be made as asked; the message is for the user."""


def network_allows(network: str, action: ActionKind) -> bool:
    """Whether the network's connector can do `action` (unknown or broken connectors cannot)."""
    try:
        return action in get_connector(network).capabilities.actions
    except (UnknownNetwork, ImportError, AttributeError):
        return False


def relay_kinds_for(entry: FeedEntry) -> list[str]:
    """What can be done with an entry: always a link post (when it has a link); a boost or a
    quote when it is a post on a network whose connector can do so."""
    kinds: list[str] = []
    if _is_web_url(entry.url):
        kinds.append(RelayKind.LINK)
    if entry.external_id:
        for kind, action in RELAY_ACTIONS.items():
            if network_allows(entry.source.network, action):
                kinds.append(kind)
    return kinds


def relay_default_text(entry: FeedEntry) -> str:
    """The text a link post starts with: the entry's title, then its link."""
    title = " ".join((entry.title or "").split())
    if not title:
        title = " ".join((entry.summary or "").split())[:200]
    return f"{title}\n\n{entry.url}".strip() if entry.url else title


def _is_web_url(url: str) -> bool:
    try:
        return urlsplit(url).scheme in ("http", "https") and bool(urlsplit(url).netloc)
    except ValueError:
        return False


@transaction.atomic
def curation_relay(
    *,
    membership: Membership,
    entry: FeedEntry,
    relay_kind: str,
    accounts: Sequence[ConnectedAccount],
    text: str = "",
    scheduled_at: dt.datetime | None = None,
    submit: bool = True,
) -> Post:
    """Relay a feed entry as a new post of origin "relay".

    - link: a post with the comment `text` (by default the title and the link); the link is
      shortened and tagged when the post is released, like any other.
    - repost: a boost of the entry's own post, from accounts of the same network.
    - quote: the comment `text` quoting the entry's post, from accounts of the same network.
    """
    require(membership, Perm.DRAFT)
    if entry.workspace_id != membership.workspace_id:
        raise CurationError(_("This entry belongs to another workspace."))
    if not accounts:
        raise CurationError(_("Choose at least one account."))
    if relay_kind not in relay_kinds_for(entry):
        raise CurationError(_("This entry cannot be relayed that way."))
    if relay_kind == RelayKind.LINK:
        comment = text.strip() or relay_default_text(entry)
        post = post_create(
            membership=membership,
            text=comment,
            accounts=accounts,
            scheduled_at=scheduled_at,
            origin=PostOrigin.RELAY,
            relay_kind=RelayKind.LINK,
            relay_url=entry.url,
            submit=submit,
        )
    else:
        network = entry.source.network
        if any(account.network != network for account in accounts):
            raise CurationError(_("A boost or a quote is made from an account of the network the post comes from."))
        comment = text.strip()
        if relay_kind == RelayKind.QUOTE and not comment:
            raise CurationError(_("Write the comment that goes with the quote."))
        post = post_create(
            membership=membership,
            text=comment if relay_kind == RelayKind.QUOTE else "",
            accounts=accounts,
            scheduled_at=scheduled_at,
            origin=PostOrigin.RELAY,
            relay_kind=relay_kind,
            relay_url=entry.url if _is_web_url(entry.url) else "",
            relay_network=network,
            relay_external_id=entry.external_id,
            submit=submit,
        )
    CurationDismissal.objects.filter(workspace=membership.workspace, entry=entry).delete()
    audit_record(
        workspace=membership.workspace,
        actor=membership.user,
        verb="curation.relay",
        target=entry,
        summary=f"{relay_kind}: {entry.title or entry.url}",
        data={"post": post.pk, "accounts": [account.pk for account in accounts]},
    )
    return post


@transaction.atomic
def curation_dismiss(*, membership: Membership, entry: FeedEntry) -> None:
    """Take an entry off the list of things to relay."""
    require(membership, Perm.DRAFT)
    if entry.workspace_id != membership.workspace_id:
        raise CurationError(_("This entry belongs to another workspace."))
    try:
        with transaction.atomic():
            CurationDismissal.objects.create(workspace=membership.workspace, entry=entry, dismissed_by=membership.user)
    except IntegrityError:
        return  # already dismissed
    audit_record(
        workspace=membership.workspace,
        actor=membership.user,
        verb="curation.dismiss",
        target=entry,
        summary=entry.title or entry.url,
    )


@transaction.atomic
def curation_restore(*, membership: Membership, entry: FeedEntry) -> None:
    """Put a dismissed entry back on the list."""
    require(membership, Perm.DRAFT)
    if entry.workspace_id != membership.workspace_id:
        raise CurationError(_("This entry belongs to another workspace."))
    deleted, _rows = CurationDismissal.objects.filter(workspace=membership.workspace, entry=entry).delete()
    if deleted:
        audit_record(
            workspace=membership.workspace,
            actor=membership.user,
            verb="curation.restore",
            target=entry,
            summary=entry.title or entry.url,
        )
