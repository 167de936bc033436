"""The workspace: its settings, voices and team; switching between the user's workspaces."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from parvis.core.middleware import SESSION_KEY
from parvis.core.models import Membership
from parvis.core.permissions import Perm, PermissionDenied
from parvis.core.selectors import membership_list, membership_list_for_user, voice_list
from parvis.core.services import voice_create
from parvis.web.forms import VoiceForm, WorkspaceSwitchForm
from parvis.web.views.base import member_view, refusal, render_page

TEMPLATE = "web/workspace.html"


def _page(request: HttpRequest, membership: Membership, *, voice_form: VoiceForm, status: int = 200) -> HttpResponse:
    workspace = membership.workspace
    context = {
        "voices": voice_list(workspace).prefetch_related("accounts"),
        "team": membership_list(workspace),
        "voice_form": voice_form,
    }
    return render_page(request, TEMPLATE, context, status=status)


@require_GET
@member_view(Perm.VIEW_INBOX)
def workspace(request: HttpRequest, membership: Membership) -> HttpResponse:
    return _page(request, membership, voice_form=VoiceForm(workspace=membership.workspace))


@require_http_methods(["POST"])
@member_view(Perm.VIEW_INBOX)
def voice_add(request: HttpRequest, membership: Membership) -> HttpResponse:
    form = VoiceForm(request.POST, workspace=membership.workspace)
    if not form.is_valid():
        return _page(request, membership, voice_form=form, status=400)
    try:
        voice = voice_create(workspace=membership.workspace, actor=membership, **form.cleaned_data)
    except PermissionDenied as exc:
        form.add_error(None, refusal(exc.perm))
        return _page(request, membership, voice_form=form, status=403)
    messages.success(request, _("The voice %(name)s is added.") % {"name": voice.name})
    return redirect("web:workspace")


@require_POST
@login_required
def workspace_switch(request: HttpRequest) -> HttpResponse:
    """Work in another of the user's workspaces; a workspace they are not a member of does not exist for them."""
    form = WorkspaceSwitchForm(request.POST)
    if not form.is_valid():
        raise Http404
    chosen = membership_list_for_user(user=request.user).filter(workspace_id=form.cleaned_data["workspace"]).first()
    if chosen is None:
        raise Http404
    request.session[SESSION_KEY] = chosen.workspace_id
    messages.success(request, _("You are now working in %(name)s.") % {"name": chosen.workspace.name})
    return redirect("web:inbox")
