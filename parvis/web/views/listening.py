"""Listening (veille): the latest entries of the feeds the workspace follows."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from parvis.core.models import Membership
from parvis.core.permissions import Perm
from parvis.listening.selectors import feed_entry_list
from parvis.web.views.base import member_view, render_page


@require_GET
@member_view(Perm.VIEW_INBOX)
def listening(request: HttpRequest, membership: Membership) -> HttpResponse:
    return render_page(request, "web/listening.html", {"entries": feed_entry_list(membership.workspace)})
