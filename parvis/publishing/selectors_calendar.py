"""Reads for the editorial calendar: posts in a period, in the workspace's time zone, with filters.

Every date here is a *local* date of the workspace's zone and every post carries its local
wall-clock time: a week that contains a daylight-saving change shows a post scheduled at 09:00
at 09:00 on both sides of the change.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.db.models import Prefetch, Q, QuerySet

from parvis.core.models import Voice, Workspace
from parvis.networks.models import ActionStatus, ConnectedAccount
from parvis.publishing.models import Campaign, Delivery, Post, PostStage, PostStatus, QueueSlot, post_status

DEFAULT_COLOUR = "#3b6ea5"
_COLOUR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")
# Once one delivery went out (or is going out), the post's time is history: it cannot be moved.
_FROZEN_ACTIONS = {ActionStatus.DONE, ActionStatus.PROCESSING}


@dataclass(frozen=True)
class CalendarFilter:
    """The calendar's filters, read from and written back to the URL's query string."""

    accounts: tuple[int, ...] = ()
    campaign: int | None = None
    status: str = ""  # a PostStage (not released) or a PostStatus
    voice: int | None = None

    @classmethod
    def from_query(cls, params: Mapping[str, object]) -> CalendarFilter:
        """Parse `request.GET` (a QueryDict) or a plain dict; unknown or malformed values are ignored."""
        getlist = getattr(params, "getlist", None)
        raw_accounts = getlist("account") if getlist else _as_list(params.get("account"))
        accounts = tuple(sorted({int(str(value)) for value in raw_accounts if str(value).isdigit()}))
        status = str(params.get("status") or "")
        if status not in status_values():
            status = ""
        return cls(
            accounts=accounts,
            campaign=_as_int(params.get("campaign")),
            status=status,
            voice=_as_int(params.get("voice")),
        )

    def query(self, **extra: object) -> str:
        """The filters as a query string (for links that keep them), plus `extra` parameters."""
        pairs: list[tuple[str, object]] = [("account", account) for account in self.accounts]
        if self.campaign:
            pairs.append(("campaign", self.campaign))
        if self.status:
            pairs.append(("status", self.status))
        if self.voice:
            pairs.append(("voice", self.voice))
        pairs.extend((key, value) for key, value in extra.items() if value not in (None, ""))
        return urlencode(pairs)

    @property
    def active(self) -> bool:
        return bool(self.accounts or self.campaign or self.status or self.voice)


def _as_list(value: object) -> list[object]:
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return list(value)
    return [value]


def _as_int(value: object) -> int | None:
    text = str(value or "")
    return int(text) if text.isdigit() else None


def status_values() -> list[str]:
    stages = [stage.value for stage in PostStage if stage != PostStage.RELEASED]
    return [*stages, *(status.value for status in PostStatus)]


def status_choices() -> list[tuple[str, str]]:
    stages = [(stage.value, str(stage.label)) for stage in PostStage if stage != PostStage.RELEASED]
    return [*stages, *((status.value, str(status.label)) for status in PostStatus)]


@dataclass
class CalendarEntry:
    """One post as the calendar shows it."""

    post: Post
    local: datetime  # aware, in the workspace's zone
    stage: str
    status: str  # PostStatus value when released, else ""
    label: str  # what the badge says
    accounts: list[ConnectedAccount]
    campaign: Campaign | None
    colour: str
    movable: bool

    @property
    def key(self) -> str:
        return self.status or self.stage


def safe_colour(value: str | None) -> str:
    """A campaign colour fit for a style attribute (anything else becomes the default)."""
    return value if value and _COLOUR_RE.match(value) else DEFAULT_COLOUR


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    """The instant a local day starts (first instant on that date, even where midnight is skipped)."""
    start = datetime.combine(day, time.min, tzinfo=zone)
    return start


def _entry(post: Post, zone: ZoneInfo) -> CalendarEntry:
    deliveries = list(post.deliveries.all())
    actions = [delivery.action for delivery in deliveries if delivery.action is not None]
    status = post_status([action.status for action in actions]) if actions else None
    if post.stage == PostStage.RELEASED and status is not None:
        label, status_value = str(status.label), status.value
    else:
        label, status_value = str(PostStage(post.stage).label), ""
    movable = not any(action.status in _FROZEN_ACTIONS for action in actions)
    campaign = post.campaign
    return CalendarEntry(
        post=post,
        local=post.scheduled_at.astimezone(zone),
        stage=post.stage,
        status=status_value,
        label=label,
        accounts=[delivery.account for delivery in deliveries],
        campaign=campaign,
        colour=safe_colour(campaign.color if campaign else None),
        movable=movable,
    )


def calendar_posts(
    workspace: Workspace, *, start: datetime, end: datetime, flt: CalendarFilter | None = None
) -> list[CalendarEntry]:
    """Posts scheduled in [start, end) that match the filters, earliest first."""
    flt = flt or CalendarFilter()
    posts: QuerySet[Post] = Post.objects.filter(workspace=workspace, scheduled_at__gte=start, scheduled_at__lt=end)
    if flt.accounts:
        posts = posts.filter(deliveries__account_id__in=flt.accounts)
    if flt.campaign:
        posts = posts.filter(campaign_id=flt.campaign)
    if flt.voice:
        posts = posts.filter(Q(voice_id=flt.voice) | Q(deliveries__account__voice_id=flt.voice))
    if flt.status in {stage.value for stage in PostStage}:
        posts = posts.filter(stage=flt.status)
    elif flt.status:
        posts = posts.filter(stage=PostStage.RELEASED)
    posts = (
        posts.distinct()
        .select_related("campaign", "created_by")
        .prefetch_related(
            Prefetch(
                "deliveries",
                queryset=Delivery.objects.select_related("account", "action").order_by("account__handle"),
            )
        )
        .order_by("scheduled_at", "id")
    )
    zone = workspace.zone
    entries = [_entry(post, zone) for post in posts]
    if flt.status in {status.value for status in PostStatus}:
        entries = [entry for entry in entries if entry.status == flt.status]
    return entries


@dataclass
class Day:
    date: date
    in_month: bool = True
    today: bool = False
    entries: list[CalendarEntry] = field(default_factory=list)


def month_grid(
    workspace: Workspace, *, year: int, month: int, flt: CalendarFilter | None = None, today: date | None = None
) -> list[list[Day]]:
    """The weeks (Monday first) that show the month, each day with its posts in local time order."""
    zone = workspace.zone
    first = date(year, month, 1)
    next_month = date(year + (month == 12), month % 12 + 1, 1)
    start = first - timedelta(days=first.weekday())
    last = next_month - timedelta(days=1)
    end = last + timedelta(days=6 - last.weekday())
    days = {
        start + timedelta(days=n): Day(
            date=start + timedelta(days=n), in_month=(start + timedelta(days=n)).month == month
        )
        for n in range((end - start).days + 1)
    }
    if today in days:
        days[today].today = True
    for entry in calendar_posts(
        workspace, start=local_midnight(start, zone), end=local_midnight(end + timedelta(days=1), zone), flt=flt
    ):
        days[entry.local.date()].entries.append(entry)
    ordered = list(days.values())
    return [ordered[i : i + 7] for i in range(0, len(ordered), 7)]


@dataclass
class Cell:
    """One slot of the week grid: a local date and wall-clock time, and the posts that fall in it."""

    date: date
    time: time
    exists: bool  # False for a time skipped by the spring clock change
    entries: list[CalendarEntry] = field(default_factory=list)


@dataclass
class WeekRow:
    time: time
    cells: list[Cell]


def _exists(day: date, at: time, zone: ZoneInfo) -> bool:
    naive = datetime.combine(day, at)
    round_trip = naive.replace(tzinfo=zone).astimezone(ZoneInfo("UTC")).astimezone(zone).replace(tzinfo=None)
    return round_trip == naive


def week_days(monday: date) -> list[date]:
    return [monday + timedelta(days=n) for n in range(7)]


def week_grid(
    workspace: Workspace, *, monday: date, grid_minutes: int = 30, flt: CalendarFilter | None = None
) -> list[WeekRow]:
    """Rows of `grid_minutes` from 00:00 to 24:00, one cell per day; a post sits in the cell of its
    local wall-clock time (so 09:00 stays on the 09:00 row across a clock change)."""
    if grid_minutes not in (15, 30, 60):
        grid_minutes = 30
    zone = workspace.zone
    days = week_days(monday)
    times = [time(minutes // 60, minutes % 60) for minutes in range(0, 24 * 60, grid_minutes)]
    cells: dict[tuple[date, time], Cell] = {
        (day, at): Cell(date=day, time=at, exists=_exists(day, at, zone)) for at in times for day in days
    }
    for entry in calendar_posts(
        workspace,
        start=local_midnight(days[0], zone),
        end=local_midnight(days[-1] + timedelta(days=1), zone),
        flt=flt,
    ):
        minutes = entry.local.hour * 60 + entry.local.minute
        slot = minutes - minutes % grid_minutes
        cells[(entry.local.date(), time(slot // 60, slot % 60))].entries.append(entry)
    return [WeekRow(time=at, cells=[cells[(day, at)] for day in days]) for at in times]


def clock_changes(workspace: Workspace, days: Iterable[date]) -> dict[date, int]:
    """Days on which the clocks change, with the change in minutes (+60 in spring, -60 in autumn)."""
    zone = workspace.zone
    changes: dict[date, int] = {}
    for day in days:
        before = local_midnight(day, zone).utcoffset()
        after = local_midnight(day + timedelta(days=1), zone).utcoffset()
        if before is not None and after is not None and before != after:
            changes[day] = int((after - before).total_seconds() // 60)
    return changes


def filter_options(workspace: Workspace) -> dict[str, object]:
    """What the filter form offers: the workspace's accounts, campaigns, voices and statuses."""
    return {
        "accounts": list(ConnectedAccount.objects.filter(workspace=workspace).order_by("network", "handle")),
        "campaigns": list(Campaign.objects.filter(workspace=workspace).order_by("name")),
        "voices": list(Voice.objects.filter(workspace=workspace).order_by("name")),
        "statuses": status_choices(),
    }


def queue_slots_of(workspace: Workspace) -> list[tuple[ConnectedAccount, list[QueueSlot]]]:
    """Each publishing account of the workspace with its weekly slots, in order."""
    accounts = (
        ConnectedAccount.objects.filter(workspace=workspace).exclude(status="disabled").order_by("network", "handle")
    )
    slots: dict[int, list[QueueSlot]] = {}
    for slot in QueueSlot.objects.filter(account__workspace=workspace).order_by("weekday", "time"):
        slots.setdefault(slot.account_id, []).append(slot)
    return [(account, slots.get(account.pk, [])) for account in accounts]
