"""Pages of the triage area: correcting a message's class or sentiment, and the workspace's class model."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from parvis.core.models import Membership
from parvis.core.permissions import Perm, PermissionDenied
from parvis.inbox.models import Category, Sentiment, TrainingStatus, WorkspaceClassModel
from parvis.inbox.triage_selectors import corrections_recent, training_get, triage_message_get, triage_overview
from parvis.inbox.triage_services import (
    CorrectionError,
    message_correct_label,
    message_correct_sentiment,
    workspace_model_retrain,
)
from parvis.inbox.triage_training import TrainingError
from parvis.web.views.base import found, htmx_target, member_view, refusal, render_page

PAGE = "web/triage/triage.html"
PARTIAL = "web/inbox/_triage.html"


class CorrectionForm(forms.Form):
    """One of the two: the class or the sentiment."""

    category = forms.ChoiceField(label=gettext_lazy("Class"), choices=Category.choices, required=False)
    sentiment = forms.ChoiceField(label=gettext_lazy("Sentiment"), choices=Sentiment.choices, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("category")) == bool(data.get("sentiment")):
            raise forms.ValidationError(_("Choose a class or a sentiment."))
        return data


@require_POST
@member_view(Perm.VIEW_INBOX)
def triage_correct(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    """Correct one message's class or sentiment; HTMX gets the message's triage badges again."""
    message = found(triage_message_get, membership.workspace, pk)
    form = CorrectionForm(request.POST)
    error = ""
    if not form.is_valid():
        error = " ".join(str(item) for item in form.non_field_errors()) or _("Unknown class or sentiment.")
    else:
        try:
            if form.cleaned_data["category"]:
                message_correct_label(membership=membership, message=message, category=form.cleaned_data["category"])
            else:
                message_correct_sentiment(
                    membership=membership, message=message, sentiment=form.cleaned_data["sentiment"]
                )
        except PermissionDenied as exc:
            error = refusal(exc.perm)
        except CorrectionError as exc:
            error = str(exc)
    if htmx_target(request) is None:
        if error:
            messages.error(request, error)
        else:
            messages.success(request, _("Triage corrected."))
        return redirect(reverse("web:conversation", args=[message.conversation_id]) + f"#message-{message.pk}")
    # htmx swaps 2xx answers only (by default): an error is shown inside the partial.
    response = render_page(request, PARTIAL, {"msg": message, "triage_error": error, "triage_open": bool(error)})
    if not error:
        response["HX-Trigger"] = "inbox-changed"  # the conversation may move in the list
    return response


def _page_context(membership: Membership) -> dict[str, Any]:
    overview = triage_overview(membership.workspace)
    chart = {
        "labels": [f"v{item.version}" for item in overview.history],
        "dates": [item.trained_at.isoformat() if item.trained_at else "" for item in overview.history],
        "seed": [_percent(item.accuracy_seed) for item in overview.history],
        "new": [_percent(item.accuracy_new) for item in overview.history],
        "corrections": [item.n_corrections for item in overview.history],
        "label_seed": _("Built-in model"),
        "label_new": _("Workspace model"),
        "axis": _("Accuracy on held-out corrections (%)"),
    }
    return {
        "overview": overview,
        "chart": chart,
        "corrections": corrections_recent(membership.workspace),
        "training": overview.running,
    }


def _percent(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 1)


@require_GET
@member_view(Perm.VIEW_INBOX)
def triage(request: HttpRequest, membership: Membership) -> HttpResponse:
    return render_page(request, PAGE, _page_context(membership))


@require_POST
@member_view(Perm.REPLY)
def triage_retrain(request: HttpRequest, membership: Membership) -> HttpResponse:
    """ "Retrain now": queue a training; HTMX gets the progress box that polls until it is done."""
    error = ""
    training = None
    try:
        training = workspace_model_retrain(membership=membership)
    except PermissionDenied as exc:
        error = refusal(exc.perm)
    except TrainingError as exc:
        error = str(exc)
    if htmx_target(request) is None:
        if error:
            messages.error(request, error)
        else:
            messages.success(request, _("Training queued."))
        return redirect(reverse("web:triage"))
    if training is not None:
        training = training_get(membership.workspace, training.pk)  # it may already be done (immediate tasks)
    return _status_response(request, training, error)


@require_GET
@member_view(Perm.VIEW_INBOX)
def triage_training(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    """The progress of one training (polled every 2 s while queued or running)."""
    return _status_response(request, found(training_get, membership.workspace, pk), "")


def _status_response(request: HttpRequest, training: WorkspaceClassModel | None, error: str) -> HttpResponse:
    response = render_page(request, PAGE, {"training": training, "training_error": error}, partial="training_status")
    if training is not None and training.status in (TrainingStatus.READY, TrainingStatus.FAILED):
        response["HX-Trigger"] = "triage-trained"  # the page reloads its figures
    return response


urlpatterns: list[URLPattern] = [
    path("triage/", triage, name="triage"),
    path("triage/retrain/", triage_retrain, name="triage_retrain"),
    path("triage/trainings/<int:pk>/", triage_training, name="triage_training"),
    path("messages/<int:pk>/triage/", triage_correct, name="triage_correct"),
]
