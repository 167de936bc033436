"""Connecting a mailbox: the IMAP server to read it, the SMTP server to answer, the sending address."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

HOST_RE = re.compile(r"^[A-Za-z0-9.\-]+$|^\[?[0-9A-Fa-f:.]+\]?$")

SECURITY = [
    ("ssl", _("SSL/TLS")),
    ("starttls", _("STARTTLS")),
    ("none", pgettext_lazy("connection security", "None (not encrypted)")),
]


def _host(value: str) -> str:
    value = value.strip().lower()
    if not value or not HOST_RE.match(value):
        raise ValidationError(_("Enter a server name such as imap.example.org."), code="invalid")
    return value.strip("[]")


class MailboxConnectForm(forms.Form):
    from_address = forms.EmailField(
        label=_("E-mail address"),
        help_text=_("The address people write to, and that answers are sent from."),
        max_length=300,
    )
    from_name = forms.CharField(
        label=_("Sender name"),
        help_text=_("Shown to the people you answer, such as “CCI Lyon”."),
        max_length=200,
        required=False,
    )
    imap_host = forms.CharField(label=_("IMAP server"), max_length=255)
    imap_port = forms.IntegerField(label=_("IMAP port"), min_value=1, max_value=65535, initial=993)
    imap_security = forms.ChoiceField(label=_("IMAP security"), choices=SECURITY, initial="ssl")
    imap_username = forms.CharField(label=_("IMAP user name"), max_length=300)
    imap_password = forms.CharField(
        label=_("IMAP password"),
        max_length=500,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )
    folder = forms.CharField(
        label=_("Folder to read"),
        max_length=200,
        initial="INBOX",
        help_text=_("INBOX unless mail is sorted elsewhere."),
    )
    sent_folder = forms.CharField(
        label=_("Sent folder"),
        max_length=200,
        required=False,
        help_text=_("Optional, such as Sent: Parvis keeps a copy of its answers there and checks it before a retry."),
    )
    smtp_host = forms.CharField(label=_("SMTP server"), max_length=255)
    smtp_port = forms.IntegerField(label=_("SMTP port"), min_value=1, max_value=65535, initial=465)
    smtp_security = forms.ChoiceField(label=_("SMTP security"), choices=SECURITY, initial="ssl")
    smtp_username = forms.CharField(
        label=_("SMTP user name"), max_length=300, required=False, help_text=_("Empty: the IMAP user name.")
    )
    smtp_password = forms.CharField(
        label=_("SMTP password"),
        max_length=500,
        required=False,
        strip=False,
        help_text=_("Empty: the IMAP password."),
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )

    def clean_imap_host(self) -> str:
        return _host(str(self.cleaned_data.get("imap_host") or ""))

    def clean_smtp_host(self) -> str:
        return _host(str(self.cleaned_data.get("smtp_host") or ""))

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        if not cleaned.get("smtp_username"):
            cleaned["smtp_username"] = cleaned.get("imap_username", "")
            if not cleaned.get("smtp_password"):
                cleaned["smtp_password"] = cleaned.get("imap_password", "")
        cleaned["from_address"] = str(cleaned.get("from_address") or "").lower()
        return cleaned
