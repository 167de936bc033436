"""Glue between the editorial charter (strategy, below) and the posts (publishing).

`editorial_findings` is what the composer calls before saving a post: it loads the
workspace's enabled rules and its recent posts, and runs the pure checks of
`parvis.strategy.checks`. Blockers refuse the post; warnings are shown.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.utils import timezone

from parvis.core.models import Workspace
from parvis.networks.models import ActionStatus
from parvis.publishing.models import Delivery, PostOrigin, PostStage
from parvis.strategy.checks import DraftInfo, Finding, PastPost, RuleKind, RuleSpec, run_checks
from parvis.strategy.selectors import rule_specs

# How far back the history goes: the relay share looks at the last N posts of a network,
# N being small (9 by default); 12 weeks hold them for any workspace that publishes.
HISTORY_WEEKS = 12
HISTORY_LIMIT = 2000

# Posts that count as planned or published: released (unless their delivery was cancelled or
# failed) and awaiting approval. Drafts and posts sent back for changes do not count yet.
COUNTED_STAGES = (PostStage.RELEASED, PostStage.IN_REVIEW)


def post_history(
    workspace: Workspace,
    *,
    start: dt.datetime,
    end: dt.datetime,
    networks: Sequence[str] = (),
    exclude_post_id: int | None = None,
) -> list[PastPost]:
    """The workspace's planned and published posts between two times, one per post and network."""
    deliveries = Delivery.objects.filter(
        post__workspace=workspace,
        post__stage__in=COUNTED_STAGES,
        post__scheduled_at__gte=start,
        post__scheduled_at__lte=end,
    ).exclude(action__status__in=(ActionStatus.CANCELLED, ActionStatus.FAILED))
    if networks:
        deliveries = deliveries.filter(account__network__in=list(networks))
    if exclude_post_id is not None:
        deliveries = deliveries.exclude(post_id=exclude_post_id)
    rows = deliveries.values_list("post_id", "account__network", "post__origin", "post__scheduled_at").order_by(
        "-post__scheduled_at", "-post_id"
    )[:HISTORY_LIMIT]
    seen: set[tuple[int, str]] = set()
    history: list[PastPost] = []
    for post_id, network, origin, scheduled_at in rows:
        if (post_id, network) in seen:
            continue
        seen.add((post_id, network))
        history.append(
            PastPost(network=network, is_relay=origin == PostOrigin.RELAY, published_at=scheduled_at, post_id=post_id)
        )
    history.reverse()
    return history


def _needs_history(rules: Sequence[RuleSpec]) -> bool:
    return any(rule.kind in (RuleKind.RELAY_SHARE, RuleKind.FREQUENCY) for rule in rules)


def editorial_findings(
    *, workspace: Workspace, drafts: Sequence[DraftInfo], now: dt.datetime | None = None
) -> list[Finding]:
    """The editorial charter's findings on a post's variants (blockers first).

    1. Load the workspace's enabled rules; none, nothing to say.
    2. Load the posts planned or published around the drafts' times (for the relay share and
       the weekly frequency), leaving out the post being edited.
    3. Run the pure checks.
    """
    if not drafts:
        return []
    rules = rule_specs(workspace)
    if not rules:
        return []
    moment = now or timezone.now()
    history: list[PastPost] = []
    if _needs_history(rules):
        times = [draft.scheduled_at or moment for draft in drafts]
        start = min(times) - dt.timedelta(weeks=HISTORY_WEEKS)
        # The frequency check looks at the whole ISO week of the latest draft.
        end = max(times) + dt.timedelta(days=8)
        post_ids = {draft.post_id for draft in drafts if draft.post_id is not None}
        history = post_history(
            workspace,
            start=start,
            end=end,
            networks=sorted({draft.network for draft in drafts}),
            exclude_post_id=next(iter(post_ids)) if len(post_ids) == 1 else None,
        )
    return run_checks(rules, drafts, history, now=moment, zone=workspace.zone)
