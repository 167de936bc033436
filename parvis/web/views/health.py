"""Is delivery working? The health page for the team, and /health.json for monitoring.

The page shows the scheduler's last tick, the workers' last answer to a ping (and each worker's last
sign), the queue, overdue deliveries and accounts to reconnect, each problem with what to do.
/health.json needs no sign-in (a monitoring probe has none): it answers the state of the whole
installation without anything of a workspace's content, with 200 when delivery works and 503 when
the scheduler or the workers stopped or deliveries are overdue.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import URLPattern, path
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from parvis.core.models import Membership
from parvis.core.permissions import Perm
from parvis.networks.selectors import health_report
from parvis.web.views import ledger
from parvis.web.views.base import member_view, render_page

TEMPLATE = "web/health.html"


@require_GET
@member_view(Perm.VIEW_LEDGER)
def health(request: HttpRequest, membership: Membership) -> HttpResponse:
    report = health_report(membership.workspace)
    whole = health_report(None, now=report.now, overdue_limit=0)
    context = {
        "report": report,
        # Overdue deliveries of other workspaces hold this one's up too (same workers): say how many.
        "overdue_elsewhere": whole.overdue_count - report.overdue_count,
        "scheduler_command": "python manage.py parvis_scheduler",
        "worker_command": "python manage.py db_worker",
        "healthcheck_command": "python manage.py parvis_healthcheck",
    }
    partial = "health_body" if request.headers.get("HX-Request") else None
    return render_page(request, TEMPLATE, context, partial=partial)


@require_GET
@never_cache
def health_json(request: HttpRequest) -> JsonResponse:
    report = health_report(None, overdue_limit=0)
    body = {
        "status": "ok" if report.ok else "failing",
        "checked_at": report.now.isoformat(),
        "scheduler": {
            "ok": report.scheduler_ok,
            "last_tick": report.scheduler_at.isoformat() if report.scheduler_at else None,
            "age_seconds": report.scheduler_age_seconds,
        },
        "workers": {
            "ok": report.workers_ok,
            "state": str(report.workers_state),
            "last_ping_answered": report.workers_at.isoformat() if report.workers_at else None,
            "ping_waiting_since": report.ping_pending_since.isoformat() if report.ping_pending_since else None,
            "recent": sum(1 for worker in report.workers if worker.recent),
        },
        "queue": {
            "pending_due": report.queue.pending_due,
            "scheduled": report.queue.scheduled,
            "processing": report.queue.processing,
            "held": report.queue.held,
            "failed_24h": report.queue.failed_24h,
        },
        "overdue": {"count": report.overdue_count, "after_minutes": report.overdue_after_minutes},
        "accounts_to_reconnect": len(report.reconnect),
    }
    return JsonResponse(body, status=200 if report.ok else 503)


urlpatterns: list[URLPattern] = [
    path("health/", health, name="health"),
    path("health.json", health_json, name="health_json"),
    # The ledger's decisions beyond retry (web/urls.py routes the ledger and the retry itself).
    *ledger.urlpatterns,
]
