"""Onboarding pages for Facebook Pages: the Meta app, "Continue with Facebook", the callback, the choice of Pages.

Thin: parse the form, call one function of `onboarding.py`, render or redirect. The callback
is shared with Instagram (one Meta app, one redirect URI): the pending sign-in says which
network it was for. Connecting needs MANAGE_ACCOUNTS; entering the app registration, MANAGE_WORKSPACE.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from parvis.core.models import Membership
from parvis.core.permissions import Perm, PermissionDenied, role_has
from parvis.networks import oauth2
from parvis.networks.connectors.facebook.forms import AppForm, PickForm
from parvis.networks.connectors.facebook.onboarding import (
    APP_NETWORK,
    CHOICES_SESSION_KEY,
    PageChoices,
    facebook_pages_connect,
    meta_app,
    meta_app_save,
    meta_authorization_finish,
    meta_authorization_start,
    redirect_uri,
)
from parvis.networks.errors import ConnectorError
from parvis.networks.onboarding_views import manager_view, refused_reason

SESSION_KEY = oauth2.session_key(APP_NETWORK)
ACCOUNTS_PAGE = "web:accounts"
CONNECT_PAGES = {"facebook": "web:facebook_connect", "instagram": "web:instagram_connect"}
PICK_PAGES = {"facebook": "web:facebook_pick", "instagram": "web:instagram_pick"}


def connect_page(
    request: HttpRequest,
    membership: Membership,
    *,
    target: str = "facebook",
    app_form: AppForm | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    """The Facebook or Instagram onboarding page (same app, same explanations of what happens)."""
    app = meta_app()
    context = {
        "app": app,
        "app_form": app_form or AppForm(initial={"client_id": app.client_id} if app else None),
        "can_edit_app": role_has(membership.role, Perm.MANAGE_WORKSPACE)
        and (app is None or app.source != "environment"),
        "callback_url": redirect_uri(),
        "error": error,
    }
    return render(request, f"{target}/connect.html", context, status=status)


def start(request: HttpRequest, membership: Membership, *, target: str) -> HttpResponse:
    """POST "Continue with Facebook": send the person to the Facebook Login dialog."""
    try:
        url, pending = meta_authorization_start(membership=membership, target=target)
    except PermissionDenied:
        return render(request, "web/refused.html", {"reason": refused_reason()}, status=403)
    except ConnectorError as error:
        return connect_page(request, membership, target=target, error=error.message, status=400)
    request.session.pop(CHOICES_SESSION_KEY, None)
    request.session[SESSION_KEY] = pending.as_session()
    return redirect(url)


@require_http_methods(["GET", "POST"])
@manager_view
def connect(request: HttpRequest, membership: Membership) -> HttpResponse:
    if request.method != "POST":
        return connect_page(request, membership)
    return start(request, membership, target="facebook")


@require_POST
@manager_view
def app(request: HttpRequest, membership: Membership) -> HttpResponse:
    """Save the Meta app registration (owners only); Facebook and Instagram both use it."""
    owners_only = _("Only an owner can change the workspace.")
    if not role_has(membership.role, Perm.MANAGE_WORKSPACE):
        return render(request, "web/refused.html", {"reason": owners_only}, status=403)
    form = AppForm(request.POST)
    if not form.is_valid():
        return connect_page(request, membership, app_form=form, status=400)
    try:
        meta_app_save(
            membership=membership,
            client_id=form.cleaned_data["client_id"],
            client_secret=form.cleaned_data["client_secret"],
        )
    except PermissionDenied:
        return render(request, "web/refused.html", {"reason": owners_only}, status=403)
    messages.success(request, _("The Meta app is saved. You can now connect Facebook Pages and Instagram accounts."))
    return redirect("web:facebook_connect")


@require_GET
@manager_view
def callback(request: HttpRequest, membership: Membership) -> HttpResponse:
    """Where Facebook sends the person back, with `code` and `state` (or `error`)."""
    pending = oauth2.PendingAuthorization.from_session(request.session.pop(SESSION_KEY, None), network=APP_NETWORK)
    if pending is None:
        return connect_page(
            request,
            membership,
            error=_("This sign-in was not started here, or it took too long. Start again."),
            status=400,
        )
    target = pending.data.get("target", "facebook")
    target = target if target in CONNECT_PAGES else "facebook"
    try:
        choices = meta_authorization_finish(membership=membership, pending=pending, params=request.GET)
    except oauth2.AuthorizationDenied:
        reason = request.GET.get("error_description") or request.GET.get("error") or ""
        return connect_page(
            request,
            membership,
            target=target,
            error=_("Facebook did not allow Parvis to use the account (%(reason)s).") % {"reason": reason},
            status=400,
        )
    except PermissionDenied:
        return render(request, "web/refused.html", {"reason": refused_reason()}, status=403)
    except ConnectorError as error:
        return connect_page(request, membership, target=target, error=error.message, status=400)
    request.session[CHOICES_SESSION_KEY] = choices.as_session()
    return redirect(PICK_PAGES[target])


def pending_choices(request: HttpRequest, *, target: str) -> PageChoices | None:
    return PageChoices.from_session(request.session.get(CHOICES_SESSION_KEY), target=target)


def too_late(request: HttpRequest, membership: Membership, *, target: str) -> HttpResponse:
    return connect_page(
        request,
        membership,
        target=target,
        error=_("The choice offered by Facebook is no longer available (it took too long). Start again."),
        status=400,
    )


@require_http_methods(["GET", "POST"])
@manager_view
def pick(request: HttpRequest, membership: Membership) -> HttpResponse:
    """Choose which of the Pages offered by Facebook Login to connect."""
    choices = pending_choices(request, target="facebook")
    if choices is None:
        return too_late(request, membership, target="facebook")
    options = [(page.id, page.name) for page in choices.pages]
    form = PickForm(request.POST if request.method == "POST" else None, choices=options)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            accounts = facebook_pages_connect(
                membership=membership, choices=choices, page_ids=form.cleaned_data["pages"]
            )
        except PermissionDenied:
            return render(request, "web/refused.html", {"reason": refused_reason()}, status=403)
        except ConnectorError as exc:
            error = exc.message
        else:
            request.session.pop(CHOICES_SESSION_KEY, None)
            names = ", ".join(account.display_name or account.handle for account in accounts)
            messages.success(
                request,
                ngettext(
                    "%(names)s is connected. Comments on its posts will arrive in the inbox.",
                    "%(names)s are connected. Comments on their posts will arrive in the inbox.",
                    len(accounts),
                )
                % {"names": names},
            )
            return redirect(ACCOUNTS_PAGE)
    status = 400 if request.method == "POST" else 200
    return render(request, "facebook/pick.html", {"form": form, "choices": choices, "error": error}, status=status)
