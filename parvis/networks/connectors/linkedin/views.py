"""Onboarding pages: the LinkedIn app registration, "Connect", LinkedIn's callback, and the choice of page.

Thin: parse the form, call one function of `onboarding.py`, render or redirect.
Connecting needs the MANAGE_ACCOUNTS permission; entering the app registration, MANAGE_WORKSPACE.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from parvis.core.models import Membership
from parvis.core.permissions import Perm, PermissionDenied, role_has
from parvis.networks import oauth2
from parvis.networks.connectors.linkedin.forms import AppForm, PageForm
from parvis.networks.connectors.linkedin.onboarding import (
    NETWORK,
    linkedin_app,
    linkedin_app_save,
    linkedin_authorization_finish,
    linkedin_authorization_start,
    linkedin_page_connect,
    redirect_uri,
    seal,
    unseal,
)
from parvis.networks.errors import ConnectorError
from parvis.networks.onboarding_views import manager_view, refused_reason
from parvis.networks.protocol import Profile

TEMPLATE = "linkedin/connect.html"
CHOOSE_TEMPLATE = "linkedin/choose.html"
SESSION_KEY = oauth2.session_key(NETWORK)
CHOICE_KEY = "parvis_linkedin_pages"
ACCOUNTS_PAGE = "web:accounts"


def _owners_only() -> str:
    return _("Only an owner can change the workspace.")


def _page(
    request: HttpRequest, membership: Membership, *, app_form: AppForm | None = None, error: str = "", status: int = 200
) -> HttpResponse:
    app = linkedin_app()
    context = {
        "app": app,
        "app_form": app_form or AppForm(initial={"client_id": app.client_id} if app else None),
        "can_edit_app": role_has(membership.role, Perm.MANAGE_WORKSPACE)
        and (app is None or app.source != "environment"),
        "callback_url": redirect_uri(),
        "error": error,
    }
    return render(request, TEMPLATE, context, status=status)


def _choices(pages: list[Profile]) -> list[tuple[str, str]]:
    return [(page.external_id, page.display_name) for page in pages]


def _connected(request: HttpRequest, name: str) -> HttpResponse:
    messages.success(request, _("The LinkedIn page %(name)s is connected.") % {"name": name})
    return redirect(ACCOUNTS_PAGE)


@require_http_methods(["GET", "POST"])
@manager_view
def connect(request: HttpRequest, membership: Membership) -> HttpResponse:
    """The onboarding page; its POST starts the OAuth flow and sends the person to LinkedIn."""
    if request.method != "POST":
        return _page(request, membership)
    try:
        url, pending = linkedin_authorization_start(membership=membership)
    except PermissionDenied:
        return render(request, "web/refused.html", {"reason": refused_reason()}, status=403)
    except ConnectorError as error:
        return _page(request, membership, error=error.message, status=400)
    request.session[SESSION_KEY] = pending.as_session()
    return redirect(url)


@require_POST
@manager_view
def app(request: HttpRequest, membership: Membership) -> HttpResponse:
    """Save the app registration (owners only)."""
    if not role_has(membership.role, Perm.MANAGE_WORKSPACE):
        return render(request, "web/refused.html", {"reason": _owners_only()}, status=403)
    form = AppForm(request.POST)
    if not form.is_valid():
        return _page(request, membership, app_form=form, status=400)
    try:
        linkedin_app_save(
            membership=membership,
            client_id=form.cleaned_data["client_id"],
            client_secret=form.cleaned_data["client_secret"],
        )
    except PermissionDenied:
        return render(request, "web/refused.html", {"reason": _owners_only()}, status=403)
    messages.success(request, _("The LinkedIn app is saved. You can now connect a LinkedIn page."))
    return redirect("web:linkedin_connect")


@require_GET
@manager_view
def callback(request: HttpRequest, membership: Membership) -> HttpResponse:
    """Where LinkedIn sends the person back, with `code` and `state` (or `error`)."""
    pending = oauth2.PendingAuthorization.from_session(request.session.pop(SESSION_KEY, None), network=NETWORK)
    if pending is None:
        return _page(
            request,
            membership,
            error=_("This sign-in was not started here, or it took too long. Start again."),
            status=400,
        )
    if request.GET.get("error"):
        reason = request.GET.get("error_description") or request.GET["error"]
        return _page(
            request,
            membership,
            error=_("LinkedIn did not allow Parvis to use the page (%(reason)s).") % {"reason": reason},
            status=400,
        )
    try:
        credentials, pages = linkedin_authorization_finish(membership=membership, pending=pending, params=request.GET)
        if len(pages) == 1:
            account = linkedin_page_connect(
                membership=membership, credentials=credentials, organization_id=pages[0].external_id
            )
            return _connected(request, account.display_name)
    except PermissionDenied:
        return render(request, "web/refused.html", {"reason": refused_reason()}, status=403)
    except ConnectorError as error:
        return _page(request, membership, error=error.message, status=400)
    request.session[CHOICE_KEY] = seal(credentials, pages)
    return redirect("web:linkedin_choose")


@require_http_methods(["GET", "POST"])
@manager_view
def choose(request: HttpRequest, membership: Membership) -> HttpResponse:
    """Choose which of the pages the member administers to connect."""
    waiting = unseal(request.session.get(CHOICE_KEY))
    if waiting is None:
        return _page(
            request,
            membership,
            error=_("This sign-in was not started here, or it took too long. Start again."),
            status=400,
        )
    credentials, pages = waiting
    form = PageForm(request.POST or None, pages=_choices(pages))
    if request.method != "POST":
        return render(request, CHOOSE_TEMPLATE, {"form": form, "pages": pages})
    if not form.is_valid():
        return render(request, CHOOSE_TEMPLATE, {"form": form, "pages": pages}, status=400)
    try:
        account = linkedin_page_connect(
            membership=membership, credentials=credentials, organization_id=form.cleaned_data["organization_id"]
        )
    except PermissionDenied:
        return render(request, "web/refused.html", {"reason": refused_reason()}, status=403)
    except ConnectorError as error:
        form.add_error(None, error.message)
        return render(request, CHOOSE_TEMPLATE, {"form": form, "pages": pages}, status=400)
    request.session.pop(CHOICE_KEY, None)
    return _connected(request, account.display_name)
