"""Labels the interface words differently from the models' choices (a conversation is "handled", not "done")."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import pgettext_lazy

from parvis.inbox.models import ConversationStatus

if TYPE_CHECKING:  # django-stubs is a development dependency
    from django_stubs_ext import StrOrPromise

CONVERSATION_STATUS_LABELS: dict[str, StrOrPromise] = {
    ConversationStatus.NEW: pgettext_lazy("conversation status", "New"),
    ConversationStatus.ASSIGNED: pgettext_lazy("conversation status", "Assigned"),
    ConversationStatus.WAITING: pgettext_lazy("conversation status", "Waiting"),
    ConversationStatus.DONE: pgettext_lazy("conversation status", "Done"),
}
