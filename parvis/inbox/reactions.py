"""Favourites and boosts of the organisation's posts: stored once each, read as counts.

They are not conversations (nothing to answer), but they say who engages with what: the count per
post, and each person's reactions in the author panel.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

from parvis.community.services import identities_resolve
from parvis.core.models import Workspace
from parvis.inbox.models import Reaction, ReactionKind
from parvis.networks.ingest import register_route
from parvis.networks.models import ConnectedAccount
from parvis.networks.protocol import EventKind, NetworkEvent

KIND_FOR_EVENT = {EventKind.FAVOURITE: ReactionKind.FAVOURITE, EventKind.REBLOG: ReactionKind.REBLOG}


def register() -> None:
    for kind in KIND_FOR_EVENT:
        register_route(kind, ingest_reactions)


def ingest_reactions(account: ConnectedAccount, events: Sequence[NetworkEvent]) -> int:
    """Store new favourites and boosts once (account + network id); returns how many were new."""
    ids = [event.external_id for event in events]
    already = set(Reaction.objects.filter(account=account, external_id__in=ids).values_list("external_id", flat=True))
    fresh: dict[str, NetworkEvent] = {}
    for event in events:
        if event.external_id not in already:
            fresh.setdefault(event.external_id, event)
    if not fresh:
        return 0
    identities = identities_resolve(
        workspace=account.workspace,
        network=account.network,
        authors=[(event.author, event.occurred_at) for event in fresh.values() if event.author is not None],
    )
    Reaction.objects.bulk_create(
        [
            Reaction(
                workspace_id=account.workspace_id,
                account=account,
                kind=KIND_FOR_EVENT[event.kind],
                external_id=event.external_id,
                target_id=event.in_reply_to_id,
                author=identities.get(event.author.external_id) if event.author else None,
                occurred_at=event.occurred_at,
            )
            for event in fresh.values()
        ],
        ignore_conflicts=True,
    )
    return len(fresh)


def reaction_counts(account: ConnectedAccount, target_ids: Iterable[str]) -> dict[str, dict[str, int]]:
    """{post id: {"favourite": n, "reblog": n}} for the account's posts given (one query)."""
    counts: dict[str, dict[str, int]] = defaultdict(lambda: {kind.value: 0 for kind in ReactionKind})
    rows = Reaction.objects.filter(account=account, target_id__in=list(target_ids)).values_list("target_id", "kind")
    for target, kind in rows:
        counts[target][kind] += 1
    return dict(counts)


def reactions_by_identities(workspace: Workspace, identity_ids: Iterable[int]) -> dict[str, int]:
    """How many favourites and boosts these identities (one person's) gave the organisation's posts."""
    counter = Counter(
        Reaction.objects.filter(workspace=workspace, author_id__in=list(identity_ids)).values_list("kind", flat=True)
    )
    return {kind.value: counter.get(kind.value, 0) for kind in ReactionKind}
