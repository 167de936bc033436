"""The response-time report: how long people waited for a first answer, in business time.

The unit is a *request*: an incoming message that waits for an answer while nobody else in the
conversation is waiting already; it ends with our next sent message in that conversation. A
conversation reopened by a new message after an answer is a new request. Times are counted on
the calendar of the conversation's policy (or, without one, the account's policy, the workspace
default, else real time with no target). Definitions: docs/sla.md.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db.models import Q

from parvis.core.models import Workspace
from parvis.inbox.business_time import BusinessCalendar, add_business_time, business_time_between, median, percentile
from parvis.inbox.models import Direction, Message, SlaAssignment, SlaPolicy
from parvis.inbox.sla import NOT_ANSWERABLE_CATEGORIES, NOT_ANSWERABLE_KINDS, policy_calendar

__all__ = [
    "SlaFigures",
    "SlaReport",
    "SlaRequest",
    "sla_policy_list",
    "sla_report",
    "sla_report_csv",
    "sla_requests",
]

REAL_TIME = BusinessCalendar(always_open=True, country=None)


@dataclass(frozen=True)
class SlaRequest:
    conversation_id: int
    account_id: int
    network: str
    account_handle: str
    policy_id: int | None
    started_at: datetime
    due_at: datetime | None
    target: timedelta | None
    answered_at: datetime | None
    answered_by_id: int | None
    waited: timedelta | None  # business time until the answer (None: not answered)
    closed_unanswered: bool  # marked done without an answer

    @property
    def within(self) -> bool | None:
        """True/False once known; None while it may still be answered in time, or without a target."""
        if self.target is None:
            return None
        if self.waited is not None:
            return self.waited <= self.target
        return None

    def breached(self, now: datetime) -> bool:
        if self.target is None or self.due_at is None:
            return False
        if self.waited is not None:
            return self.waited > self.target
        return not self.closed_unanswered and self.due_at <= now


@dataclass(frozen=True)
class SlaFigures:
    requests: int
    answered: int
    median: timedelta | None
    p90: timedelta | None
    within: int  # answered within the target
    breaches: int  # answered late, or still unanswered past the deadline
    pending: int  # unanswered, deadline not passed yet

    @property
    def within_share(self) -> float | None:
        """Share answered within the target among the requests whose outcome is known."""
        known = self.within + self.breaches
        return self.within / known if known else None


@dataclass(frozen=True)
class SlaReport:
    start: date
    end: date  # inclusive
    overall: SlaFigures
    per_account: list[tuple[str, SlaFigures]]
    per_network: list[tuple[str, SlaFigures]]
    per_person: list[tuple[str, SlaFigures]]
    per_day: list[tuple[date, int, int, int]]  # (day, within, breached, pending)
    requests: list[SlaRequest]


def sla_policy_list(workspace: Workspace) -> list[SlaPolicy]:
    return list(SlaPolicy.objects.filter(workspace=workspace).prefetch_related("assignments__account"))


def _answerable() -> Q:
    return (
        Q(direction=Direction.IN)
        & ~Q(kind__in=list(NOT_ANSWERABLE_KINDS))
        & ~Q(category__in=list(NOT_ANSWERABLE_CATEGORIES))
    )


def sla_requests(workspace: Workspace, *, start: datetime, end: datetime, now: datetime) -> list[SlaRequest]:
    """The requests that started in [start, end), oldest first. Four queries whatever the volume."""
    policies = {policy.pk: policy for policy in SlaPolicy.objects.filter(workspace=workspace)}
    default = next((policy for policy in policies.values() if policy.is_default), None)
    by_account = dict(SlaAssignment.objects.filter(policy__workspace=workspace).values_list("account_id", "policy_id"))
    conversation_ids = (
        Message.objects.filter(workspace=workspace, occurred_at__gte=start, occurred_at__lt=end)
        .filter(_answerable())
        .values("conversation_id")
    )
    rows = (
        Message.objects.filter(workspace=workspace, conversation_id__in=conversation_ids)
        .order_by("conversation_id", "occurred_at", "id")
        .values_list(
            "conversation_id",
            "direction",
            "kind",
            "category",
            "occurred_at",
            "sent_by_id",
            "account_id",
            "account__network",
            "account__handle",
            "conversation__sla_policy_id",
            "conversation__resolved_at",
        )
    )
    calendars: dict[int | None, BusinessCalendar] = {None: REAL_TIME}
    requests: list[SlaRequest] = []

    def close(
        conversation_id: int,
        waiting: tuple[datetime, int, str, str, int | None],
        answered_at: datetime | None,
        answered_by: int | None,
        resolved_at: datetime | None,
    ) -> None:
        started, account_id, network, handle, policy_id = waiting
        if not start <= started < end:
            return
        policy = policies.get(policy_id) if policy_id is not None else None
        if policy_id is not None and policy_id not in calendars and policy is not None:
            calendars[policy_id] = policy_calendar(policy, workspace)
        calendar = calendars[policy_id if policy is not None else None]
        target = timedelta(minutes=policy.first_response_minutes) if policy is not None else None
        due = add_business_time(calendar, started, target) if target is not None else None
        requests.append(
            SlaRequest(
                conversation_id=conversation_id,
                account_id=account_id,
                network=network,
                account_handle=handle,
                policy_id=policy.pk if policy is not None else None,
                started_at=started,
                due_at=due,
                target=target,
                answered_at=answered_at,
                answered_by_id=answered_by,
                waited=business_time_between(calendar, started, answered_at) if answered_at is not None else None,
                closed_unanswered=answered_at is None and resolved_at is not None and resolved_at >= started,
            )
        )

    current: int | None = None
    waiting: tuple[datetime, int, str, str, int | None] | None = None
    resolved: datetime | None = None
    for (
        conversation_id,
        direction,
        kind,
        category,
        occurred_at,
        sent_by,
        account_id,
        network,
        handle,
        policy_id,
        resolved_at,
    ) in rows.iterator(chunk_size=2000):
        if conversation_id != current:
            if waiting is not None and current is not None:
                close(current, waiting, None, None, resolved)
            current, waiting, resolved = conversation_id, None, resolved_at
        if direction == Direction.OUT:
            if waiting is not None:
                close(conversation_id, waiting, occurred_at, sent_by, resolved_at)
                waiting = None
        elif waiting is None and kind not in NOT_ANSWERABLE_KINDS and category not in NOT_ANSWERABLE_CATEGORIES:
            effective = policy_id or by_account.get(account_id) or (default.pk if default is not None else None)
            waiting = (occurred_at, account_id, network, handle, effective)
    if waiting is not None and current is not None:
        close(current, waiting, None, None, resolved)
    requests.sort(key=lambda request: (request.started_at, request.conversation_id))
    return requests


def _figures(requests: Iterable[SlaRequest], now: datetime) -> SlaFigures:
    items = list(requests)
    waited = [request.waited for request in items if request.waited is not None]
    return SlaFigures(
        requests=len(items),
        answered=len(waited),
        median=median(waited) if waited else None,
        p90=percentile(waited, 90) if waited else None,
        within=sum(1 for request in items if request.within is True),
        breaches=sum(1 for request in items if request.breached(now)),
        pending=sum(
            1
            for request in items
            if request.waited is None
            and not request.closed_unanswered
            and (request.due_at is None or request.due_at > now)
        ),
    )


def _grouped(
    requests: list[SlaRequest], key: Callable[[SlaRequest], str | None], now: datetime
) -> list[tuple[str, SlaFigures]]:
    groups: dict[str, list[SlaRequest]] = defaultdict(list)
    for request in requests:
        name = key(request)
        if name is not None:
            groups[name].append(request)
    return sorted(((name, _figures(items, now)) for name, items in groups.items()), key=lambda item: item[0].lower())


def sla_report(
    workspace: Workspace,
    *,
    start: date,
    end: date,
    now: datetime,
    network_name: Callable[[str], str] = str,
) -> SlaReport:
    """The report for the local dates [start, end] of the workspace: overall and per account, network, person.

    "Per person" counts the requests each person answered (the sender of the first answer).
    """
    zone = ZoneInfo(workspace.timezone)
    begin = datetime.combine(start, datetime.min.time(), tzinfo=zone)
    finish = datetime.combine(end + timedelta(days=1), datetime.min.time(), tzinfo=zone)
    requests = sla_requests(workspace, start=begin, end=finish, now=now)
    user_ids = {request.answered_by_id for request in requests if request.answered_by_id is not None}
    users = {
        user.pk: (user.get_full_name() or user.get_username())
        for user in get_user_model().objects.filter(pk__in=user_ids)
    }
    days: dict[date, list[int]] = {start + timedelta(days=n): [0, 0, 0] for n in range((end - start).days + 1)}
    for request in requests:
        slot = days.setdefault(request.started_at.astimezone(zone).date(), [0, 0, 0])
        if request.within is True:
            slot[0] += 1
        elif request.breached(now):
            slot[1] += 1
        elif request.waited is None and not request.closed_unanswered:
            slot[2] += 1
    return SlaReport(
        start=start,
        end=end,
        overall=_figures(requests, now),
        per_account=_grouped(requests, lambda request: request.account_handle, now),
        per_network=_grouped(requests, lambda request: network_name(request.network), now),
        per_person=_grouped(
            requests,
            lambda request: users.get(request.answered_by_id) if request.answered_by_id is not None else None,
            now,
        ),
        per_day=[(day, counts[0], counts[1], counts[2]) for day, counts in sorted(days.items())],
        requests=requests,
    )


def _minutes(value: timedelta | None) -> str:
    return "" if value is None else f"{value.total_seconds() / 60:.1f}"


def sla_report_csv(report: SlaReport, *, now: datetime, user_names: dict[int, str] | None = None) -> str:
    """One line per request (what the figures are computed from), for a spreadsheet."""
    names = user_names or {}
    if not names:
        ids = {request.answered_by_id for request in report.requests if request.answered_by_id is not None}
        names = {user.pk: user.get_username() for user in get_user_model().objects.filter(pk__in=ids)}
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        [
            "conversation",
            "account",
            "network",
            "received_at",
            "due_at",
            "answered_at",
            "answered_by",
            "business_minutes",
            "target_minutes",
            "outcome",
        ]
    )
    for request in report.requests:
        if request.within is True:
            outcome = "within"
        elif request.breached(now):
            outcome = "breached"
        elif request.closed_unanswered:
            outcome = "closed_unanswered"
        elif request.waited is None:
            outcome = "pending"
        else:
            outcome = "no_target"
        writer.writerow(
            [
                request.conversation_id,
                request.account_handle,
                request.network,
                request.started_at.isoformat(),
                request.due_at.isoformat() if request.due_at else "",
                request.answered_at.isoformat() if request.answered_at else "",
                names.get(request.answered_by_id, "") if request.answered_by_id is not None else "",
                _minutes(request.waited),
                _minutes(request.target),
                outcome,
            ]
        )
    return buffer.getvalue()
