"""Pages of the grouping area: similar questions answered once, and the FAQ they suggest."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from parvis.core.models import Membership
from parvis.core.permissions import Perm, PermissionDenied, role_has
from parvis.inbox import grouping as service
from parvis.inbox.models import AnswerMode, GroupStatus, Message, MessageGroup
from parvis.inbox.services import ReplyError
from parvis.web.views.base import found, member_view, refusal, render_page

GROUPS_TEMPLATE = "web/grouping/groups.html"
GROUP_TEMPLATE = "web/grouping/group.html"
FAQ_TEMPLATE = "web/grouping/faq.html"
LIST_LIMIT = 100
PREVIEW_ID = "answer-preview"


def default_pointer_text() -> str:
    return _("{name}, we answered this question here: {parent_url}")


class GroupAnswerForm(forms.Form):
    mode = forms.ChoiceField(
        label=gettext_lazy("How"), choices=AnswerMode.choices, initial=AnswerMode.EACH, widget=forms.RadioSelect
    )
    text = forms.CharField(
        label=gettext_lazy("Answer"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("{name} becomes the person's name (or @handle), {handle} their @handle."),
    )
    pointer_text = forms.CharField(
        label=gettext_lazy("Short reply to the others"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Must contain {parent_url}: the address of the full answer, once it is published."),
    )
    first = forms.TypedChoiceField(label=gettext_lazy("Answer in full"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args: Any, members: list[Message], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["first"].choices = [  # type: ignore[attr-defined]
            (message.pk, f"{service.person_name(message) or _('Unknown author')} — {message.text[:60]}")
            for message in members
        ]
        if not self.is_bound:
            self.initial.setdefault("pointer_text", default_pointer_text())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("mode") == AnswerMode.POINT and service.PARENT_URL not in (data.get("pointer_text") or ""):
            self.add_error(
                "pointer_text", _("The short reply must contain {parent_url}, the address of the full answer.")
            )
        return data


class FaqAcceptForm(forms.Form):
    question = forms.CharField(label=gettext_lazy("Question"), widget=forms.Textarea(attrs={"rows": 2}))
    answer = forms.CharField(label=gettext_lazy("Answer"), widget=forms.Textarea(attrs={"rows": 4}))


def _chosen(members: list[Message], first: int | None) -> Message | None:
    return next((message for message in members if message.pk == first), None)


@require_GET
@member_view(Perm.VIEW_INBOX)
def groups(request: HttpRequest, membership: Membership) -> HttpResponse:
    status = request.GET.get("status", GroupStatus.OPEN)
    if status not in GroupStatus.values:
        status = GroupStatus.OPEN
    page = list(service.group_list(membership.workspace, status=status)[:LIST_LIMIT])
    context = {
        "summaries": service.group_summaries(page),
        "status": status,
        "statuses": GroupStatus.choices,
        "min_shown": service.MIN_SHOWN,
    }
    return render_page(request, GROUPS_TEMPLATE, context)


def _group_context(membership: Membership, group: MessageGroup, form: GroupAnswerForm | None = None) -> dict[str, Any]:
    members = service.group_messages(group)
    form = form or GroupAnswerForm(members=members, initial={"text": group.answer_text or ""})
    preview: list[service.PreviewRow] = []
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        preview = service.group_answer_preview(
            group,
            text=data["text"],
            mode=data["mode"],
            pointer_text=data.get("pointer_text") or "",
            first=_chosen(members, data.get("first")),
        )
    return {
        "group": group,
        "members": members,
        "form": form,
        "preview": preview,
        "can_reply": role_has(membership.role, Perm.REPLY),
        "networks": sorted({message.account.network for message in members}),
        "accounts": sorted({message.account.handle for message in members}),
    }


@require_GET
@member_view(Perm.VIEW_INBOX)
def group(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    current = found(service.group_get, membership.workspace, pk)
    return render_page(request, GROUP_TEMPLATE, _group_context(membership, current))


@require_POST
@member_view(Perm.VIEW_INBOX)
def group_preview(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    """The live preview: what each person would receive (HTMX swaps #answer-preview while typing)."""
    current = found(service.group_get, membership.workspace, pk)
    members = service.group_messages(current)
    form = GroupAnswerForm(request.POST, members=members)
    context = _group_context(membership, current, form)
    return render_page(request, GROUP_TEMPLATE, context, partial="preview")


@require_POST
@member_view(Perm.REPLY)
def group_answer(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    current = found(service.group_get, membership.workspace, pk)
    members = service.group_messages(current)
    form = GroupAnswerForm(request.POST, members=members)
    if not form.is_valid():
        return render_page(request, GROUP_TEMPLATE, _group_context(membership, current, form), status=400)
    data = form.cleaned_data
    try:
        report = service.group_answer(
            membership=membership,
            group=current,
            text=data["text"],
            mode=data["mode"],
            pointer_text=data.get("pointer_text") or "",
            first=_chosen(members, data.get("first")),
        )
    except PermissionDenied as exc:
        messages.error(request, refusal(exc.perm))
        return redirect(reverse("web:group", args=[pk]))
    except ReplyError as exc:
        form.add_error(None, str(exc))
        return render_page(request, GROUP_TEMPLATE, _group_context(membership, current, form), status=400)
    if report.sent:
        messages.success(
            request,
            _("%(count)s replies on their way, each on its own network and thread.") % {"count": len(report.sent)},
        )
    for message, error in report.failed:
        messages.error(
            request,
            _("Not sent to %(who)s: %(error)s") % {"who": service.person_name(message) or message.pk, "error": error},
        )
    return redirect(reverse("web:group", args=[pk]))


@require_POST
@member_view(Perm.REPLY)
def group_edit(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    """ "Remove from the group" or "split into a new group" for the ticked messages."""
    current = found(service.group_get, membership.workspace, pk)
    ids = [int(value) for value in request.POST.getlist("messages") if value.isdigit()]
    operation = request.POST.get("operation", "")
    try:
        if operation == "split":
            new = service.group_split(membership=membership, group=current, message_ids=ids)
            messages.success(request, _("The chosen messages now form a group of their own."))
            if new.size >= service.MIN_SHOWN:
                return redirect(reverse("web:group", args=[new.pk]))
        elif operation == "remove":
            count = service.group_remove_messages(membership=membership, group=current, message_ids=ids)
            messages.success(request, _("%(count)s messages taken out of the group.") % {"count": count})
        elif operation == "close":
            service.group_close(membership=membership, group=current)
            messages.success(request, _("Group closed: new messages no longer join it."))
        else:
            messages.error(request, _("Unknown action."))
    except PermissionDenied as exc:
        messages.error(request, refusal(exc.perm))
    except ValueError as exc:
        messages.error(request, str(exc))
    current.refresh_from_db()
    if current.size < service.MIN_SHOWN:
        return redirect(reverse("web:groups"))
    return redirect(reverse("web:group", args=[pk]))


@require_GET
@member_view(Perm.VIEW_INBOX)
def faq(request: HttpRequest, membership: Membership) -> HttpResponse:
    suggestions = list(service.faq_suggestion_list(membership.workspace).prefetch_related("groups")[:LIST_LIMIT])
    forms_by_pk = {
        suggestion.pk: FaqAcceptForm(
            initial={"question": suggestion.question, "answer": suggestion.answer}, prefix=f"s{suggestion.pk}"
        )
        for suggestion in suggestions
    }
    context = {
        "suggestions": [(suggestion, forms_by_pk[suggestion.pk]) for suggestion in suggestions],
        "entries": list(service.faq_entry_list(membership.workspace)[:LIST_LIMIT]),
        "can_reply": role_has(membership.role, Perm.REPLY),
    }
    return render_page(request, FAQ_TEMPLATE, context)


@require_POST
@member_view(Perm.REPLY)
def faq_accept(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    suggestion = found(service.faq_suggestion_get, membership.workspace, pk)
    form = FaqAcceptForm(request.POST, prefix=f"s{pk}")
    if not form.is_valid():
        messages.error(request, _("An FAQ entry needs a question and an answer."))
        return redirect(reverse("web:faq"))
    try:
        service.faq_suggestion_accept(
            membership=membership,
            suggestion=suggestion,
            question=form.cleaned_data["question"],
            answer=form.cleaned_data["answer"],
        )
    except ValueError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Added to the FAQ."))
    return redirect(reverse("web:faq"))


@require_http_methods(["POST"])
@member_view(Perm.REPLY)
def faq_dismiss(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    suggestion = found(service.faq_suggestion_get, membership.workspace, pk)
    try:
        service.faq_suggestion_dismiss(membership=membership, suggestion=suggestion)
    except ValueError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Suggestion dismissed."))
    return redirect(reverse("web:faq"))


urlpatterns: list[URLPattern] = [
    path("groups/", groups, name="groups"),
    path("groups/<int:pk>/", group, name="group"),
    path("groups/<int:pk>/preview/", group_preview, name="group_preview"),
    path("groups/<int:pk>/answer/", group_answer, name="group_answer"),
    path("groups/<int:pk>/messages/", group_edit, name="group_edit"),
    path("faq/", faq, name="faq"),
    path("faq/<int:pk>/accept/", faq_accept, name="faq_accept"),
    path("faq/<int:pk>/dismiss/", faq_dismiss, name="faq_dismiss"),
]
