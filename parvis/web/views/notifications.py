"""In-app notifications: the list, marking them read, and the unread counter for the header.

The counter (`web:notifications_unread`) is a small partial the header includes with
`hx-get` and `hx-trigger="load, every 30s"`; it answers the count of the current workspace.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import URLPattern, path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from parvis.core.models import Membership, Notification
from parvis.core.services import notification_mark_read
from parvis.web.views.base import member_view, render_page

TEMPLATE = "web/notifications.html"
PAGE_SIZE = 50


def _mine(membership: Membership) -> QuerySet[Notification]:
    # A read of the caller's own rows in the current workspace (no selector in core for it yet).
    return Notification.objects.filter(recipient=membership.user, workspace=membership.workspace)


def _unread_context(membership: Membership) -> dict[str, object]:
    return {"unread_count": _mine(membership).filter(read_at__isnull=True).count()}


@require_GET
@member_view()
def notification_list(request: HttpRequest, membership: Membership) -> HttpResponse:
    only_unread = request.GET.get("unread") == "1"
    rows = _mine(membership).order_by("-created_at", "-id")
    if only_unread:
        rows = rows.filter(read_at__isnull=True)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "only_unread": only_unread, **_unread_context(membership)}
    return render_page(request, TEMPLATE, context)


@require_GET
@member_view()
def notifications_unread(request: HttpRequest, membership: Membership) -> HttpResponse:
    return render_page(request, TEMPLATE, _unread_context(membership), partial="unread_badge")


def _safe_next(request: HttpRequest, url: str) -> str:
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}, require_https=False):
        return url
    return reverse("web:notifications")


@require_POST
@member_view()
def notification_read(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    """Mark one notification read; `open=1` then follows its link."""
    notification = get_object_or_404(_mine(membership), pk=pk)
    notification_mark_read(user=membership.user, notification_ids=[notification.pk])
    if request.POST.get("open") == "1":
        return redirect(_safe_next(request, notification.url))
    if getattr(request, "htmx", False):
        notification.refresh_from_db()
        return render_page(
            request, TEMPLATE, {"item": notification, **_unread_context(membership)}, partial="item_response"
        )
    return redirect("web:notifications")


@require_POST
@member_view()
def notifications_read_all(request: HttpRequest, membership: Membership) -> HttpResponse:
    ids = list(_mine(membership).filter(read_at__isnull=True).values_list("pk", flat=True))
    notification_mark_read(user=membership.user, notification_ids=ids)
    return redirect("web:notifications")


urlpatterns: list[URLPattern] = [
    path("notifications/", notification_list, name="notifications"),
    path("notifications/unread/", notifications_unread, name="notifications_unread"),
    path("notifications/<int:pk>/read/", notification_read, name="notification_read"),
    path("notifications/read-all/", notifications_read_all, name="notifications_read_all"),
]
