"""The unified inbox: the list of conversations, one conversation, replying, and triage."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from parvis.core.models import Membership
from parvis.core.permissions import Perm, PermissionDenied
from parvis.inbox import selectors as inbox_selectors
from parvis.inbox.models import Conversation, ConversationStatus, Message, MessageKind
from parvis.inbox.services import ReplyError, conversation_set_status, message_reply
from parvis.web.forms import InboxFilterForm, ReplyForm, StatusForm
from parvis.web.network_info import reply_limit
from parvis.web.views.base import found, htmx_target, member_view, refusal, render_page

TEMPLATE = "web/inbox.html"
LIST_ID = "conversation-list"
PANE_ID = "conversation-pane"
LIST_LIMIT = 100


def _list_context(request: HttpRequest, membership: Membership) -> dict[str, Any]:
    filters = InboxFilterForm(request.GET, workspace=membership.workspace)
    conversations = inbox_selectors.conversation_list(membership.workspace, **filters.selector_arguments())
    page = list(conversations[:LIST_LIMIT])
    latest = inbox_selectors.latest_incoming_for(page)
    for item in page:
        item.latest_incoming = latest.get(item.pk)  # type: ignore[attr-defined]
    return {"filters": filters, "filter_query": filters.querystring(), "conversations": page}


def _pane_context(
    membership: Membership, conversation: Conversation, *, reply_form: ReplyForm | None = None
) -> dict[str, Any]:
    latest = inbox_selectors.latest_incoming(conversation)
    reply_form = reply_form or ReplyForm()
    chosen = str(reply_form["in_reply_to"].value() or "")
    # Messages are prefetched by conversation_get: finding the chosen one costs no query.
    target = next((item for item in conversation.messages.all() if str(item.pk) == chosen), None) or latest
    return {
        "conversation": conversation,
        "author": latest.author if latest else None,
        "reply_form": reply_form,
        "reply_max": reply_limit(conversation.account.network),
        "reply_target": target if target is not None and target.kind != MessageKind.FOLLOW else None,
    }


@require_GET
@member_view(Perm.VIEW_INBOX)
def inbox(request: HttpRequest, membership: Membership) -> HttpResponse:
    context = _list_context(request, membership)
    partial = "conversation_list" if htmx_target(request) is not None else None
    return render_page(request, TEMPLATE, context, partial=partial)


@require_GET
@member_view(Perm.VIEW_INBOX)
def conversation(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    current = found(inbox_selectors.conversation_get, membership.workspace, pk)
    reply_form = ReplyForm(initial={"in_reply_to": request.GET.get("reply_to", "")})
    context = _pane_context(membership, current, reply_form=reply_form)
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
            if form.cleaned_data["status"] == ConversationStatus.DONE:
                messages.success(request, _("Conversation marked as done."))
            else:
                messages.success(request, _("Conversation reopened."))
    else:
        messages.error(request, _("Unknown status."))
    return _pane_response(request, membership, pk)


@require_GET
@member_view(Perm.VIEW_INBOX)
def message_delivery(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    """The delivery status of one sent reply (polled by the conversation while it is on its way)."""
    sent = found(inbox_selectors.message_get, membership.workspace, pk)
    return render_page(request, TEMPLATE, {"msg": sent}, partial="delivery_status")
