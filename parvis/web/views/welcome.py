"""Welcome: per-account rules for new followers (follow back, thanks, limits) and the log of what was done."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from parvis.core.models import Membership
from parvis.core.permissions import Perm, PermissionDenied
from parvis.inbox.models import WelcomeLog, WelcomeRule
from parvis.inbox.welcome import reason_labels, welcome_rule_save
from parvis.networks.models import AccountStatus, ConnectedAccount
from parvis.web.views.base import member_view, refusal, render_page

FIELDS = [
    "enabled",
    "follow_back",
    "thanks",
    "mention_template",
    "direct_template",
    "skip_bots",
    "skip_no_display_name",
    "skip_digit_handles",
    "skip_default_avatar",
    "skip_spam_class",
    "per_hour",
    "per_day",
    "quiet_start",
    "quiet_end",
]


class WelcomeRuleForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = WelcomeRule
        fields = FIELDS
        widgets = {
            "mention_template": forms.Textarea(attrs={"rows": 2}),
            "direct_template": forms.Textarea(attrs={"rows": 2}),
            "quiet_start": forms.TimeInput(attrs={"type": "time"}),
            "quiet_end": forms.TimeInput(attrs={"type": "time"}),
        }


@require_http_methods(["GET", "POST"])
@member_view(Perm.VIEW_INBOX)
def welcome(request: HttpRequest, membership: Membership) -> HttpResponse:
    workspace = membership.workspace
    accounts = list(
        ConnectedAccount.objects.filter(workspace=workspace).exclude(status=AccountStatus.DISABLED).order_by("handle")
    )
    chosen = request.GET.get("account") or request.POST.get("account") or ""
    account = next((a for a in accounts if str(a.pk) == chosen), accounts[0] if accounts else None)
    rule = WelcomeRule.objects.filter(account=account).first() if account is not None else None
    form = WelcomeRuleForm(instance=rule) if account is not None else None
    status = 200
    if request.method == "POST" and account is not None:
        form = WelcomeRuleForm(request.POST, instance=rule or WelcomeRule(account=account))
        if form.is_valid():
            try:
                welcome_rule_save(
                    membership=membership, account=account, **{name: form.cleaned_data[name] for name in FIELDS}
                )
            except PermissionDenied:
                return render(request, "web/refused.html", {"reason": refusal(Perm.REPLY)}, status=403)
            messages.success(request, _("Welcome rule saved."))
            return redirect(reverse("web:welcome") + f"?account={account.pk}")
        status = 400
    logs: list[Any] = (
        list(WelcomeLog.objects.filter(workspace=workspace, account=account).order_by("-at")[:100])
        if account is not None
        else []
    )
    for log in logs:
        log.reason_labels = reason_labels(log.reasons)
    context = {"accounts": accounts, "account": account, "form": form, "logs": logs}
    return render_page(request, "web/welcome/welcome.html", context, status=status)


urlpatterns: list[URLPattern] = [path("welcome/", welcome, name="welcome")]
