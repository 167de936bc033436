"""Moderation rules on arrival: the after-ingest hook and what makes a rule match a message.

Rules act only when a workspace wrote them: triage signals and classes are conditions a rule's
author chooses, never a decision on their own. Rules run in `order`; the first enabled rule
that matches decides (a dry-run rule logs what it would have done and lets the next rules run).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.db.models import Q
from django.utils import timezone

from parvis.inbox.models import Direction, Message, MessageKind, ModerationState
from parvis.moderation.engine import Plan, decision_apply
from parvis.moderation.models import BanListEntry, ModerationRule
from parvis.moderation.text import fold, has_link, keyword_found, mentions_only, pattern_search, same_text_key

if TYPE_CHECKING:
    from parvis.networks.models import ConnectedAccount


def rule_has_condition(rule: ModerationRule) -> bool:
    return bool(
        rule.categories
        or rule.keywords
        or rule.patterns
        or rule.has_links
        or rule.mentions_only
        or rule.languages
        or rule.author_banned
        or rule.repeat_count
    )


class _Context:
    """What the rules of one batch need, read once: the ban list and recent texts of the authors."""

    def __init__(self, account: ConnectedAccount, messages: Sequence[Message], rules: Sequence[ModerationRule]) -> None:
        now = timezone.now()
        authors = {m.author_id for m in messages if m.author_id is not None}
        bans = BanListEntry.objects.filter(workspace_id=account.workspace_id, network=account.network).filter(
            Q(until__isnull=True) | Q(until__gt=now)
        )
        self.banned_ids: set[int] = set()
        self.banned_handles: set[str] = set()
        for identity_id, handle in bans.values_list("identity_id", "handle"):
            if identity_id is not None:
                self.banned_ids.add(identity_id)
            self.banned_handles.add(handle.lower())
        windows = [rule.repeat_window_minutes for rule in rules if rule.repeat_count]
        self.window = timedelta(minutes=max(windows)) if windows else None
        # (author, text key) → when they wrote it, sorted: counting repeats is a bisection, not a scan.
        self.recent: dict[tuple[int, str], list[datetime]] = defaultdict(list)
        if self.window is not None and authors:
            earliest = min(m.occurred_at for m in messages)
            rows = Message.objects.filter(
                workspace_id=account.workspace_id,
                direction=Direction.IN,
                author_id__in=authors,
                occurred_at__gte=earliest - self.window,
            ).values_list("author_id", "text", "occurred_at")
            for author_id, text, at in rows:
                self.recent[(author_id, same_text_key(text))].append(at)
            for times in self.recent.values():
                times.sort()

    def is_banned(self, message: Message) -> bool:
        if message.author_id is not None and message.author_id in self.banned_ids:
            return True
        return message.author is not None and message.author.handle.lower() in self.banned_handles

    def repeated(self, message: Message, count: int, minutes: int) -> int:
        """How many messages of the same author with the same text within `minutes` before this one."""
        if message.author_id is None:
            return 0
        key = same_text_key(message.text)
        if not key:
            return 0
        times = self.recent.get((message.author_id, key), [])
        start = message.occurred_at - timedelta(minutes=minutes)
        return bisect_right(times, message.occurred_at) - bisect_left(times, start)


def rule_matches(rule: ModerationRule, message: Message, context: _Context) -> bool:
    """Every condition the rule sets holds for the message (a rule with none matches nothing)."""
    if not rule_has_condition(rule):
        return False
    text = message.text or ""
    if rule.categories and message.category not in rule.categories:
        return False
    if rule.languages and (message.language or "") not in rule.languages:
        return False
    if rule.keywords:
        folded = fold(text)
        if not any(keyword_found(word, folded, folded=True) for word in rule.keywords):
            return False
    if rule.patterns and not any(pattern_search(pattern, text) for pattern in rule.patterns):
        return False
    if rule.has_links and not has_link(text):
        return False
    if rule.mentions_only and not mentions_only(text):
        return False
    if rule.author_banned and not context.is_banned(message):
        return False
    return not (
        rule.repeat_count
        and context.repeated(message, rule.repeat_count, rule.repeat_window_minutes) < rule.repeat_count
    )


def plan_for(rule: ModerationRule) -> Plan:
    return Plan(
        removal=rule.removal,
        clause=rule.clause,
        reason=rule.name,
        explain=rule.explain,
        reply_template=rule.reply_template,
        label_id=rule.label_id,
        assign_to_id=rule.assign_to_id,
        mute=rule.mute,
        block=rule.block,
        ban=rule.ban,
        ban_days=rule.ban_days,
        escalate=rule.escalate,
    )


def moderation_rules_run(account: ConnectedAccount, messages: Sequence[Message]) -> None:
    """After-ingest hook: apply the workspace's enabled rules to the messages just stored."""
    candidates = [
        m
        for m in messages
        if m.direction == Direction.IN
        and m.kind != MessageKind.FOLLOW
        and m.moderation_state == ModerationState.VISIBLE
    ]
    if not candidates:
        return
    rules = list(
        ModerationRule.objects.filter(workspace_id=account.workspace_id, enabled=True).select_related("clause__version")
    )
    if not rules:
        return
    context = _Context(account, candidates, rules)
    for message in candidates:
        for rule in rules:
            if not rule_matches(rule, message, context):
                continue
            decision_apply(message=message, plan=plan_for(rule), rule=rule, dry_run=rule.dry_run)
            if not rule.dry_run:
                break


def register() -> None:
    from parvis.inbox.hooks import ORDER_MODERATION, register_after_ingest

    register_after_ingest("moderation.rules", moderation_rules_run, order=ORDER_MODERATION)
