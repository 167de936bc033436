"""The editorial calendar (month and week, in the workspace's time zone), moving posts by drag and
drop or keyboard, queue slots per account, and CSV export and import of posts."""

from __future__ import annotations

import base64
import binascii
from datetime import date, time, timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from parvis.core.models import Membership
from parvis.core.permissions import Perm, PermissionDenied, role_has
from parvis.networks.selectors import account_get
from parvis.publishing.models import Post, Weekday
from parvis.publishing.selectors import post_get
from parvis.publishing.selectors_calendar import (
    CalendarFilter,
    clock_changes,
    filter_options,
    local_midnight,
    month_grid,
    queue_slots_of,
    week_days,
    week_grid,
)
from parvis.publishing.services.calendar import (
    CalendarError,
    post_enqueue,
    post_move,
    queue_next_slot,
    queue_slots_set,
)
from parvis.publishing.services.csv_io import ImportMode, posts_csv_export, posts_import, posts_import_check
from parvis.web.views.base import found, member_view, refusal, render_page

VIEW = Perm.VIEW_LEDGER  # every role reads the calendar; moving needs DRAFT (checked by the services)


# --- periods ------------------------------------------------------------------------------


def _today(membership: Membership) -> date:
    return timezone.now().astimezone(membership.workspace.zone).date()


# Dates outside these years are refused (and 0001-01-01 minus a week would overflow).
YEARS = range(1970, 2200)


def _date_param(request: HttpRequest, name: str) -> date | None:
    try:
        value = date.fromisoformat(request.GET.get(name, ""))
    except ValueError:
        return None
    return value if value.year in YEARS else None


def _month_of(request: HttpRequest, membership: Membership) -> date:
    raw = request.GET.get("month", "")
    try:
        year, month = (int(part) for part in raw.split("-")[:2])
        if year in YEARS:
            return date(year, month, 1)
    except ValueError:
        pass
    return _today(membership).replace(day=1)


def _monday_of(request: HttpRequest, membership: Membership) -> date:
    day = _date_param(request, "week") or _today(membership)
    return day - timedelta(days=day.weekday())


def _grid_minutes(request: HttpRequest) -> int:
    return 15 if request.GET.get("grid") == "15" else 30


def _shift_month(first: date, months: int) -> date:
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _week_in(first: date, today: date) -> date:
    """The week the week view opens on from a month: this week in the current month, else the 1st's."""
    return today if (today.year, today.month) == (first.year, first.month) else first


def _common(membership: Membership, flt: CalendarFilter) -> dict[str, Any]:
    return {
        "flt": flt,
        "options": filter_options(membership.workspace),
        "can_move": role_has(membership.role, Perm.DRAFT),
        "zone": membership.workspace.timezone,
    }


@require_GET
@member_view(VIEW)
def calendar_month(request: HttpRequest, membership: Membership) -> HttpResponse:
    flt = CalendarFilter.from_query(request.GET)
    first = _month_of(request, membership)
    weeks = month_grid(membership.workspace, year=first.year, month=first.month, flt=flt, today=_today(membership))
    days = [day.date for week in weeks for day in week]
    context = {
        **_common(membership, flt),
        "view": "month",
        "weeks": weeks,
        "weekdays": [day.date for day in weeks[0]],
        "first": first,
        "period_param": ("month", first.strftime("%Y-%m")),
        "previous_query": flt.query(month=_shift_month(first, -1).strftime("%Y-%m")),
        "next_query": flt.query(month=_shift_month(first, 1).strftime("%Y-%m")),
        "today_query": flt.query(),
        "week_query": flt.query(week=_week_in(first, _today(membership)).isoformat()),
        "export_query": flt.query(start=days[0].isoformat(), end=days[-1].isoformat()),
        "clock_changes": clock_changes(membership.workspace, days),
        "entries": [entry for week in weeks for day in week for entry in day.entries],
    }
    return render_page(request, "web/calendar.html", context)


@require_GET
@member_view(VIEW)
def calendar_week(request: HttpRequest, membership: Membership) -> HttpResponse:
    flt = CalendarFilter.from_query(request.GET)
    monday = _monday_of(request, membership)
    grid = _grid_minutes(request)
    rows = week_grid(membership.workspace, monday=monday, grid_minutes=grid, flt=flt)
    days = week_days(monday)
    context = {
        **_common(membership, flt),
        "view": "week",
        "rows": rows,
        "days": days,
        "today": _today(membership),
        "monday": monday,
        "grid": grid,
        "period_param": ("week", monday.isoformat()),
        "previous_query": flt.query(week=(monday - timedelta(days=7)).isoformat(), grid=grid),
        "next_query": flt.query(week=(monday + timedelta(days=7)).isoformat(), grid=grid),
        "today_query": flt.query(grid=grid),
        "month_query": flt.query(month=monday.strftime("%Y-%m")),
        "grid_query": flt.query(week=monday.isoformat(), grid=15 if grid == 30 else 30),
        "export_query": flt.query(start=days[0].isoformat(), end=days[-1].isoformat()),
        "clock_changes": clock_changes(membership.workspace, days),
        "entries": [entry for row in rows for cell in row.cells for entry in cell.entries],
    }
    return render_page(request, "web/calendar_week.html", context)


# --- moving -------------------------------------------------------------------------------


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _back(request: HttpRequest) -> HttpResponse:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        return redirect(target)
    return redirect("web:calendar")


def _answer(request: HttpRequest, *, ok: bool, message: str, status: int, post: Post | None = None) -> HttpResponse:
    if _wants_json(request):
        data: dict[str, Any] = {"ok": ok, "message": message}
        if post is not None:
            local = timezone.localtime(post.scheduled_at)
            data.update(
                post=post.pk,
                date=local.date().isoformat(),
                time=local.strftime("%H:%M"),
                scheduled_at=post.scheduled_at.isoformat(),
            )
        return JsonResponse(data, status=status)
    (messages.success if ok else messages.error)(request, message)
    return _back(request)


@require_POST
@member_view(VIEW)
def calendar_move(request: HttpRequest, membership: Membership) -> HttpResponse:
    """Move a post: `post`, `date` (YYYY-MM-DD) and optionally `time` (HH:MM, week grid)."""
    if not role_has(membership.role, Perm.DRAFT):
        return _answer(request, ok=False, message=refusal(Perm.DRAFT), status=403)
    raw_id = request.POST.get("post", "")
    post: Post = found(post_get, membership.workspace, int(raw_id) if raw_id.isdigit() else 0)
    try:
        day = date.fromisoformat(request.POST.get("date", ""))
        raw_time = request.POST.get("time", "")
        at = time.fromisoformat(raw_time) if raw_time else None
    except ValueError:
        return _answer(request, ok=False, message=_("Give a date (YYYY-MM-DD) and a time (HH:MM)."), status=400)
    try:
        moved = post_move(membership=membership, post=post, day=day, at=at)
    except PermissionDenied as exc:
        return _answer(request, ok=False, message=refusal(exc.perm), status=403)
    except CalendarError as exc:
        return _answer(request, ok=False, message=str(exc), status=409)
    when = date_format(timezone.localtime(moved.scheduled_at), "DATETIME_FORMAT")
    return _answer(request, ok=True, message=_("Moved to %(when)s.") % {"when": when}, status=200, post=moved)


@require_POST
@member_view(Perm.DRAFT)
def calendar_enqueue(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    post: Post = found(post_get, membership.workspace, pk)
    try:
        queued = post_enqueue(membership=membership, post=post)
    except PermissionDenied as exc:
        return _answer(request, ok=False, message=refusal(exc.perm), status=403)
    except CalendarError as exc:
        return _answer(request, ok=False, message=str(exc), status=409)
    when = date_format(timezone.localtime(queued.scheduled_at), "DATETIME_FORMAT")
    return _answer(
        request, ok=True, message=_("Added to the queue: %(when)s.") % {"when": when}, status=200, post=queued
    )


# --- queue slots --------------------------------------------------------------------------


def parse_times(value: str) -> list[time]:
    """ "09:00, 12:30 18h" → [09:00, 12:30, 18:00]; ValueError on anything else."""
    times = []
    for part in value.replace(";", ",").replace(" ", ",").split(","):
        part = part.strip().lower().replace("h", ":")
        if not part:
            continue
        if part.endswith(":"):
            part += "00"
        hour, _sep, minute = part.partition(":")
        times.append(time(int(hour), int(minute or 0)))
    return times


@require_http_methods(["GET", "POST"])
@member_view(VIEW)
def queue_slots(request: HttpRequest, membership: Membership) -> HttpResponse:
    errors: dict[int, str] = {}
    status = 200
    if request.method == "POST":
        if not role_has(membership.role, Perm.PUBLISH):
            return render_page(request, "web/refused.html", {"reason": refusal(Perm.PUBLISH)}, status=403)
        raw_account = request.POST.get("account", "")
        account = found(account_get, membership.workspace, int(raw_account) if raw_account.isdigit() else 0)
        slots: list[tuple[int, time]] = []
        try:
            for weekday in Weekday:
                slots += [(weekday.value, at) for at in parse_times(request.POST.get(f"day-{weekday.value}", ""))]
        except ValueError:
            errors[account.pk] = _("Write times as 09:00, 12:30 (24-hour clock), separated by commas.")
            status = 400
        else:
            queue_slots_set(membership=membership, account=account, slots=slots)
            messages.success(request, _("Queue slots of %(handle)s saved.") % {"handle": account.handle})
            return redirect("web:queue")
    rows = []
    for account, slots_of in queue_slots_of(membership.workspace):
        by_day = {weekday.value: [] for weekday in Weekday}  # type: dict[int, list[str]]
        for slot in slots_of:
            by_day[slot.weekday].append(slot.time.strftime("%H:%M"))
        try:
            next_slot = queue_next_slot(account=account) if slots_of else None
        except CalendarError:
            next_slot = None
        rows.append(
            {
                "account": account,
                "days": [(weekday, ", ".join(by_day[weekday.value])) for weekday in Weekday],
                "next": next_slot,
                "error": errors.get(account.pk, ""),
                "posted": request.POST if errors.get(account.pk) else None,
            }
        )
    context = {"rows": rows, "can_edit": role_has(membership.role, Perm.PUBLISH)}
    return render_page(request, "web/queue.html", context, status=status)


# --- CSV ----------------------------------------------------------------------------------


@require_GET
@member_view(VIEW)
def calendar_export(request: HttpRequest, membership: Membership) -> HttpResponse:
    """The posts of a period (local dates `start`..`end`, with the calendar's filters) as CSV."""
    zone = membership.workspace.zone
    start, end = _date_param(request, "start"), _date_param(request, "end")
    if start is None or end is None:
        start = _today(membership).replace(day=1)
        end = _shift_month(start, 1) - timedelta(days=1)
    if end < start or (end - start).days > 800:
        end = start + timedelta(days=31)
    delimiter = ";" if request.GET.get("sep") == "semicolon" else ","
    text = posts_csv_export(
        membership.workspace,
        start=local_midnight(start, zone),
        end=local_midnight(end + timedelta(days=1), zone),
        flt=CalendarFilter.from_query(request.GET),
        delimiter=delimiter,
    )
    # The BOM tells Excel the file is UTF-8 (accents would be garbled without it).
    response = HttpResponse("\ufeff" + text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="parvis-posts-{start.isoformat()}-{end.isoformat()}.csv"'
    return response


class ImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("CSV file"))
    mode = forms.ChoiceField(
        label=gettext_lazy("Import the good lines as"),
        choices=[
            (ImportMode.DRAFT.value, gettext_lazy("Drafts (nothing goes out before someone schedules them)")),
            (ImportMode.SCHEDULE.value, gettext_lazy("Scheduled posts (or sent for approval when needed)")),
        ],
        initial=ImportMode.DRAFT.value,
        widget=forms.RadioSelect,
    )


@require_http_methods(["GET", "POST"])
@member_view(Perm.DRAFT)
def calendar_import(request: HttpRequest, membership: Membership) -> HttpResponse:
    """Step 1: upload and read the line-by-line report. Step 2: import the good lines."""
    context: dict[str, Any] = {"form": ImportForm()}
    status = 200
    if request.method == "POST" and request.POST.get("step") == "import":
        try:
            data = base64.b64decode(request.POST.get("data", ""), validate=True)
        except (binascii.Error, ValueError):
            data = b""
        mode = ImportMode(request.POST.get("mode", ImportMode.DRAFT.value))
        try:
            report = posts_import(membership=membership, data=data, mode=mode)
        except PermissionDenied as exc:
            return render_page(request, "web/refused.html", {"reason": refusal(exc.perm)}, status=403)
        if report.created:
            if mode == ImportMode.DRAFT:
                text = ngettext(
                    "%(count)s post imported as a draft.", "%(count)s posts imported as drafts.", len(report.created)
                )
            else:
                text = ngettext(
                    "%(count)s post imported: scheduled, or sent for approval where needed.",
                    "%(count)s posts imported: scheduled, or sent for approval where needed.",
                    len(report.created),
                )
            messages.success(request, text % {"count": len(report.created)})
        context.update(report=report, imported=True, mode=mode)
    elif request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data["file"].read()
            report = posts_import_check(membership=membership, data=data)
            context.update(
                form=form,
                report=report,
                data=base64.b64encode(data).decode("ascii"),
                mode=form.cleaned_data["mode"],
            )
            status = 200 if report.good else 400
        else:
            context["form"] = form
            status = 400
    return render_page(request, "web/csv_import.html", context, status=status)


urlpatterns: list[URLPattern] = [
    path("calendar/", calendar_month, name="calendar"),
    path("calendar/week/", calendar_week, name="calendar_week"),
    path("calendar/move/", calendar_move, name="calendar_move"),
    path("calendar/posts/<int:pk>/enqueue/", calendar_enqueue, name="calendar_enqueue"),
    path("calendar/queue/", queue_slots, name="queue"),
    path("calendar/export.csv", calendar_export, name="calendar_export"),
    path("calendar/import/", calendar_import, name="calendar_import"),
]
