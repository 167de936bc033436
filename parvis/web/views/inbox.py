"""The unified inbox: the list of conversations, one conversation, replying, and working the inbox
(assignment, statuses, labels, notes, saved replies, saved views, bulk actions, live updates)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from parvis.core.models import Membership
from parvis.core.permissions import Perm, PermissionDenied
from parvis.inbox import selectors as inbox_selectors
from parvis.inbox import work
from parvis.inbox.models import Conversation, ConversationStatus, Message, MessageKind
from parvis.inbox.services import ReplyError, conversation_assign, conversation_set_status, message_reply
from parvis.web.forms import (
    AssignForm,
    AssignmentRuleForm,
    BulkForm,
    InboxFilterForm,
    LabelPickForm,
    NoteForm,
    ReplyForm,
    SavedReplyForm,
    SavedViewForm,
    StatusForm,
)
from parvis.web.network_info import reply_limit
from parvis.web.views.base import found, htmx_target, member_view, refusal, render_page

TEMPLATE = "web/inbox.html"
SETUP_TEMPLATE = "web/inbox/setup.html"
LIST_ID = "conversation-list"
PANE_ID = "conversation-pane"
LIST_LIMIT = inbox_selectors.PAGE_SIZE


def _filters(params: QueryDict, membership: Membership, members: list[Any] | None = None) -> InboxFilterForm:
    if members is None:
        members = inbox_selectors.assignable_members(membership.workspace)
    return InboxFilterForm(params, workspace=membership.workspace, members=members)


def _list_context(request: HttpRequest, membership: Membership, params: QueryDict | None = None) -> dict[str, Any]:
    params = request.GET if params is None else params
    members = inbox_selectors.assignable_members(membership.workspace)
    filters = _filters(params, membership, members)
    page = inbox_selectors.conversation_page(
        membership.workspace, filters.inbox_filters(), user=membership.user, after=params.get("after") or None
    )
    return {
        "filters": filters,
        "filter_query": filters.querystring(),
        "conversations": page.items,
        "page": page,
        "first_page": not params.get("after"),
        "team": members,
        "labels": list(inbox_selectors.label_list(membership.workspace)),
        "saved_views": list(inbox_selectors.saved_view_list(membership.workspace, user=membership.user)),
        "statuses": ConversationStatus.choices,
    }


def _pane_context(
    membership: Membership, conversation: Conversation, *, reply_form: ReplyForm | None = None
) -> dict[str, Any]:
    latest = inbox_selectors.latest_incoming(conversation)
    reply_form = reply_form or ReplyForm()
    chosen = str(reply_form["in_reply_to"].value() or "")
    # Messages are prefetched by conversation_get: finding the chosen one costs no query.
    target = next((item for item in conversation.messages.all() if str(item.pk) == chosen), None) or latest
    author = latest.author if latest else None
    return {
        "conversation": conversation,
        "author": author,
        "history": inbox_selectors.author_history(membership.workspace, author) if author else None,
        "reply_form": reply_form,
        "reply_max": reply_limit(conversation.account.network),
        "reply_target": target if target is not None and target.kind != MessageKind.FOLLOW else None,
        "team": inbox_selectors.assignable_members(membership.workspace),
        "labels": list(inbox_selectors.label_list(membership.workspace)),
        "saved_replies": inbox_selectors.saved_reply_list(
            membership.workspace, language=(target.language if target else "") or ""
        ),
        "note_form": NoteForm(),
        "statuses": ConversationStatus.choices,
    }


@require_GET
@member_view(Perm.VIEW_INBOX)
def inbox(request: HttpRequest, membership: Membership) -> HttpResponse:
    context = _list_context(request, membership)
    target = htmx_target(request)
    if target is None:
        return render_page(request, TEMPLATE, context)
    # "Show more" appends rows; everything else (filters, live refresh, after an action) swaps the list.
    partial = "more_rows" if request.GET.get("after") else "conversation_list"
    return render_page(request, TEMPLATE, context, partial=partial)


@require_GET
@member_view(Perm.VIEW_INBOX)
def inbox_live(request: HttpRequest, membership: Membership) -> HttpResponse:
    """The tiny answer polled every 5 s: how many conversations moved since the list was shown."""
    filters = _filters(request.GET, membership)
    mark = request.GET.get("mark", "")
    count = inbox_selectors.conversation_count_since(
        membership.workspace, filters.inbox_filters(), user=membership.user, mark=mark
    )
    context = {"live_count": count, "live_mark": mark, "filter_query": filters.querystring()}
    return render_page(request, TEMPLATE, context, partial="live_notice")


@require_GET
@member_view(Perm.VIEW_INBOX)
def conversation(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    current = found(inbox_selectors.conversation_get, membership.workspace, pk)
    initial: dict[str, Any] = {"in_reply_to": request.GET.get("reply_to", "")}
    reply_form = ReplyForm(initial=initial)
    context = _pane_context(membership, current, reply_form=reply_form)
    saved = request.GET.get("saved_reply", "")
    if saved.isdigit():
        # Without JavaScript, choosing a saved reply reloads the conversation with it filled in.
        reply = found(inbox_selectors.saved_reply_get, membership.workspace, int(saved))
        rendered = work.saved_reply_render(
            body=reply.body, values=work.reply_variables(message=context["reply_target"], agent=membership.user)
        )
        initial["text"] = rendered.text
        context["reply_form"] = ReplyForm(initial=initial)
        context["rendered_reply"] = rendered
    if htmx_target(request) == PANE_ID:
        return render_page(request, TEMPLATE, context, partial="conversation_pane")
    return render_page(request, TEMPLATE, {**_list_context(request, membership), **context})


def _pane_response(
    request: HttpRequest, membership: Membership, pk: int, *, reply_form: ReplyForm | None = None, status: int = 200
) -> HttpResponse:
    """After a POST: the refreshed conversation for HTMX (and a nudge to the list), else a redirect."""
    if htmx_target(request) is None:
        return redirect(reverse("web:conversation", args=[pk]))
    current = found(inbox_selectors.conversation_get, membership.workspace, pk)
    context = _pane_context(membership, current, reply_form=reply_form)
    response = render_page(request, TEMPLATE, context, partial="conversation_pane", status=status)
    response["HX-Trigger"] = "inbox-changed"
    return response


@require_POST
@member_view(Perm.VIEW_INBOX)
def conversation_reply(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    current = found(inbox_selectors.conversation_get, membership.workspace, pk)
    form = ReplyForm(request.POST)
    if not form.is_valid():
        return _invalid_reply(request, membership, pk, form)
    target = _reply_target(membership, current, form.cleaned_data["in_reply_to"])
    if target is None:
        form.add_error(None, _("There is no message to answer in this conversation."))
        return _invalid_reply(request, membership, pk, form)
    try:
        message_reply(membership=membership, message=target, text=form.cleaned_data["text"])
    except PermissionDenied as exc:
        form.add_error(None, refusal(exc.perm))
        return _invalid_reply(request, membership, pk, form, status=403)
    except ReplyError as exc:
        form.add_error(None, str(exc))
        return _invalid_reply(request, membership, pk, form)
    messages.success(request, _("Reply on its way from %(handle)s.") % {"handle": target.account.handle})
    return _pane_response(request, membership, pk)


def _reply_target(membership: Membership, current: Conversation, message_id: int | None) -> Message | None:
    """The message chosen with "reply to this", if it is in this conversation; else the latest received one."""
    if message_id:
        chosen = found(inbox_selectors.message_get, membership.workspace, message_id)
        return chosen if chosen.conversation_id == current.pk else None
    return inbox_selectors.latest_incoming(current)


def _invalid_reply(
    request: HttpRequest, membership: Membership, pk: int, form: ReplyForm, *, status: int = 400
) -> HttpResponse:
    """The conversation again with the form's errors and the typed text kept."""
    current = found(inbox_selectors.conversation_get, membership.workspace, pk)
    context = _pane_context(membership, current, reply_form=form)
    if htmx_target(request) is not None:
        # htmx swaps 2xx answers only (by default): the errors are part of the content.
        return render_page(request, TEMPLATE, context, partial="conversation_pane")
    return render_page(request, TEMPLATE, {**_list_context(request, membership), **context}, status=status)


@require_POST
@member_view(Perm.VIEW_INBOX)
def conversation_status(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    current = found(inbox_selectors.conversation_get, membership.workspace, pk)
    form = StatusForm(request.POST)
    if form.is_valid():
        try:
            conversation_set_status(membership=membership, conversation=current, status=form.cleaned_data["status"])
        except PermissionDenied as exc:
            messages.error(request, refusal(exc.perm))
        else:
            chosen = form.cleaned_data["status"]
            if chosen == ConversationStatus.DONE:
                messages.success(request, _("Conversation marked as done."))
            elif chosen == ConversationStatus.WAITING:
                messages.success(request, _("Conversation waiting for an answer from the other person."))
            else:
                messages.success(request, _("Conversation reopened."))
    else:
        messages.error(request, _("Unknown status."))
    return _pane_response(request, membership, pk)


@require_POST
@member_view(Perm.VIEW_INBOX)
def conversation_assign_view(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    current = found(inbox_selectors.conversation_get, membership.workspace, pk)
    form = AssignForm(request.POST)
    form.is_valid()
    assignee_id = form.assignee_id(membership.user_id)
    try:
        conversation_assign(membership=membership, conversation=current, assignee_id=assignee_id)
    except PermissionDenied as exc:
        messages.error(request, refusal(exc.perm))
    except PermissionError:
        messages.error(request, _("This person cannot be given conversations in this workspace."))
    else:
        if current.assignee is None:
            messages.success(request, _("Nobody is assigned any more."))
        else:
            name = current.assignee.get_full_name() or current.assignee.get_username()
            messages.success(request, _("Assigned to %(name)s.") % {"name": name})
    return _pane_response(request, membership, pk)


@require_POST
@member_view(Perm.VIEW_INBOX)
def conversation_labels(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    current = found(inbox_selectors.conversation_get, membership.workspace, pk)
    form = LabelPickForm(request.POST)
    try:
        if not form.is_valid():
            raise work.WorkError(_("The label needs a name."))
        if form.cleaned_data.get("remove"):
            label = found(inbox_selectors.label_get, membership.workspace, form.cleaned_data["remove"])
            work.conversation_label_remove(membership=membership, conversation=current, label=label)
        else:
            label = work.label_create(membership=membership, name=form.cleaned_data.get("name") or "")
            work.conversation_label_add(membership=membership, conversation=current, label=label)
    except PermissionDenied as exc:
        messages.error(request, refusal(exc.perm))
    except work.WorkError as exc:
        messages.error(request, str(exc))
    return _pane_response(request, membership, pk)


@require_POST
@member_view(Perm.VIEW_INBOX)
def conversation_note(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    current = found(inbox_selectors.conversation_get, membership.workspace, pk)
    form = NoteForm(request.POST)
    try:
        if not form.is_valid():
            raise work.WorkError(" ".join(str(error) for error in form.errors.get("text", [])))
        work.note_add(membership=membership, conversation=current, text=form.cleaned_data["text"])
    except PermissionDenied as exc:
        messages.error(request, refusal(exc.perm))
    except work.WorkError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Note added. Only your team sees it."))
    return _pane_response(request, membership, pk)


@require_POST
@member_view(Perm.VIEW_INBOX)
def note_delete(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    note = found(inbox_selectors.note_get, membership.workspace, pk)
    try:
        work.note_delete(membership=membership, note=note)
    except PermissionDenied as exc:
        messages.error(request, refusal(exc.perm))
    except PermissionError:
        messages.error(request, _("Only its author can remove a note."))
    return _pane_response(request, membership, note.conversation_id)


@require_GET
@member_view(Perm.VIEW_INBOX)
def saved_reply_render(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    """A saved reply filled in for the message being answered (?message=<id>), as JSON for the reply box."""
    reply = found(inbox_selectors.saved_reply_get, membership.workspace, pk)
    raw = request.GET.get("message", "")
    message = found(inbox_selectors.message_get, membership.workspace, int(raw)) if raw.isdigit() else None
    rendered = work.saved_reply_render(
        body=reply.body, values=work.reply_variables(message=message, agent=membership.user)
    )
    flagged = [*rendered.unknown, *rendered.missing]
    warning = ""
    if flagged:
        warning = _("Check these variables, left as they were: %(names)s") % {
            "names": ", ".join("{" + name + "}" for name in flagged)
        }
    return JsonResponse(
        {"text": rendered.text, "unknown": rendered.unknown, "missing": rendered.missing, "warning": warning}
    )


@require_POST
@member_view(Perm.VIEW_INBOX)
def inbox_bulk(request: HttpRequest, membership: Membership) -> HttpResponse:
    """One action on the selected conversations; answers with the refreshed list."""
    form = BulkForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(error) for errors in form.errors.values() for error in errors))
        return _bulk_response(request, membership)
    data = form.cleaned_data
    label = None
    try:
        if data["action"] in {"label", "unlabel"}:
            label = work.label_create(membership=membership, name=data.get("label") or "")
        assign = AssignForm({"assignee": data.get("assignee") or ""})
        assign.is_valid()
        count = work.conversations_bulk(
            membership=membership,
            conversation_ids=data["ids"],
            action=data["action"],
            status=data.get("status") or None,
            assignee_id=assign.assignee_id(membership.user_id),
            label=label,
        )
    except PermissionDenied as exc:
        messages.error(request, refusal(exc.perm))
    except PermissionError:
        messages.error(request, _("Some of these conversations cannot be changed by you; nothing was changed."))
    except (work.WorkError, ValueError) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            ngettext("%(count)s conversation updated.", "%(count)s conversations updated.", count) % {"count": count},
        )
    return _bulk_response(request, membership)


def _bulk_response(request: HttpRequest, membership: Membership) -> HttpResponse:
    query = request.POST.get("filter_query", "")
    if htmx_target(request) is None:
        return redirect(reverse("web:inbox") + (f"?{query}" if query else ""))
    context = _list_context(request, membership, QueryDict(query))
    response = render_page(request, TEMPLATE, context, partial="conversation_list")
    response["HX-Trigger"] = "inbox-bulk-done"
    return response


@require_POST
@member_view(Perm.VIEW_INBOX)
def saved_view_create(request: HttpRequest, membership: Membership) -> HttpResponse:
    form = SavedViewForm(request.POST)
    query = request.POST.get("query", "")
    if form.is_valid():
        try:
            view = work.saved_view_create(
                membership=membership,
                name=form.cleaned_data["name"],
                query=form.cleaned_data["query"] or "",
                shared=form.cleaned_data["shared"],
            )
        except PermissionDenied as exc:
            messages.error(request, refusal(exc.perm))
        except work.WorkError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("View “%(name)s” saved.") % {"name": view.name})
    else:
        messages.error(request, _("Give the view a name."))
    return redirect(reverse("web:inbox") + (f"?{query}" if query else ""))


@require_POST
@member_view(Perm.VIEW_INBOX)
def saved_view_delete(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    view = found(inbox_selectors.saved_view_get, membership.workspace, pk, membership.user)
    try:
        work.saved_view_delete(membership=membership, view=view)
    except PermissionDenied as exc:
        messages.error(request, refusal(exc.perm))
    else:
        messages.success(request, _("View removed."))
    return redirect(reverse("web:inbox"))


@require_GET
@member_view(Perm.VIEW_INBOX)
def message_delivery(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    """The delivery status of one sent reply (polled by the conversation while it is on its way)."""
    sent = found(inbox_selectors.message_get, membership.workspace, pk)
    return render_page(request, TEMPLATE, {"msg": sent}, partial="delivery_status")


# Saved replies and assignment rules -----------------------------------------------------------------


def _setup_context(membership: Membership, **forms: Any) -> dict[str, Any]:
    team = inbox_selectors.assignable_members(membership.workspace)
    return {
        "saved_replies": inbox_selectors.saved_reply_list(membership.workspace),
        "rules": list(inbox_selectors.assignment_rule_list(membership.workspace)),
        "reply_form": forms.get("reply_form") or SavedReplyForm(),
        "rule_form": forms.get("rule_form") or AssignmentRuleForm(workspace=membership.workspace, members=team),
        "variables": work.VARIABLES,
    }


@require_GET
@member_view(Perm.VIEW_INBOX)
def inbox_setup(request: HttpRequest, membership: Membership) -> HttpResponse:
    return render_page(request, SETUP_TEMPLATE, _setup_context(membership))


@require_POST
@member_view(Perm.REPLY)
def saved_reply_create(request: HttpRequest, membership: Membership) -> HttpResponse:
    form = SavedReplyForm(request.POST)
    if form.is_valid():
        try:
            work.saved_reply_create(membership=membership, **form.cleaned_data)
        except work.WorkError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Saved reply added."))
            return redirect(reverse("web:inbox_setup"))
    return render_page(request, SETUP_TEMPLATE, _setup_context(membership, reply_form=form), status=400)


@require_POST
@member_view(Perm.REPLY)
def saved_reply_delete(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    reply = found(inbox_selectors.saved_reply_get, membership.workspace, pk)
    work.saved_reply_delete(membership=membership, reply=reply)
    messages.success(request, _("Saved reply removed."))
    return redirect(reverse("web:inbox_setup"))


@require_POST
@member_view(Perm.REPLY)
def assignment_rule_create(request: HttpRequest, membership: Membership) -> HttpResponse:
    team = inbox_selectors.assignable_members(membership.workspace)
    form = AssignmentRuleForm(request.POST, workspace=membership.workspace, members=team)
    if form.is_valid():
        try:
            work.assignment_rule_create(
                membership=membership,
                name=form.cleaned_data["name"],
                conditions=form.conditions(),
                assignee_id=form.cleaned_data["assignee"],
                round_robin_ids=form.cleaned_data["members"],
            )
        except (work.WorkError, PermissionError) as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Assignment rule added."))
            return redirect(reverse("web:inbox_setup"))
    return render_page(request, SETUP_TEMPLATE, _setup_context(membership, rule_form=form), status=400)


@require_POST
@member_view(Perm.REPLY)
def assignment_rule_delete(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    rule = found(inbox_selectors.assignment_rule_get, membership.workspace, pk)
    work.assignment_rule_delete(membership=membership, rule=rule)
    messages.success(request, _("Assignment rule removed."))
    return redirect(reverse("web:inbox_setup"))


# Routes of this module (the original five stay declared in parvis/web/urls.py).
urlpatterns = [
    path("inbox/live/", inbox_live, name="inbox_live"),
    path("inbox/bulk/", inbox_bulk, name="inbox_bulk"),
    path("inbox/views/", saved_view_create, name="inbox_view_create"),
    path("inbox/views/<int:pk>/delete/", saved_view_delete, name="inbox_view_delete"),
    path("inbox/setup/", inbox_setup, name="inbox_setup"),
    path("inbox/saved-replies/", saved_reply_create, name="inbox_saved_reply_create"),
    path("inbox/saved-replies/<int:pk>/delete/", saved_reply_delete, name="inbox_saved_reply_delete"),
    path("inbox/saved-replies/<int:pk>/render/", saved_reply_render, name="inbox_saved_reply_render"),
    path("inbox/rules/", assignment_rule_create, name="inbox_rule_create"),
    path("inbox/rules/<int:pk>/delete/", assignment_rule_delete, name="inbox_rule_delete"),
    path("conversations/<int:pk>/assign/", conversation_assign_view, name="inbox_assign"),
    path("conversations/<int:pk>/labels/", conversation_labels, name="inbox_labels"),
    path("conversations/<int:pk>/notes/", conversation_note, name="inbox_note"),
    path("notes/<int:pk>/delete/", note_delete, name="inbox_note_delete"),
]
