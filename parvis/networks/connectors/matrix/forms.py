"""Connecting a Matrix account: the homeserver, then an access token or the user's id and password."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

USER_ID_RE = re.compile(r"^@[a-z0-9._=\-/+]+:[A-Za-z0-9.\-\[\]:]+$")
ROOM_RE = re.compile(r"^[!#][^\s:]+(:[A-Za-z0-9.\-\[\]:]+)?$")


def normalise_homeserver(value: str) -> str:
    """`scheme://host[:port]` from what people type: "matrix.org", "https://matrix.example.org/"..."""
    value = value.strip()
    if not value:
        raise ValidationError(_("Enter the address of the homeserver."), code="required")
    if "://" not in value:
        value = "https://" + value.lstrip("/")
    parts = urlsplit(value)
    if parts.scheme not in {"http", "https"}:
        raise ValidationError(_("The address must start with https://."), code="scheme")
    try:
        host = parts.hostname or ""
        port = parts.port
    except ValueError as exc:
        raise ValidationError(_("This address is not valid."), code="invalid") from exc
    if not host or parts.username or parts.password or " " in host:
        raise ValidationError(_("This address is not valid."), code="invalid")
    if port == {"http": 80, "https": 443}[parts.scheme]:
        port = None
    netloc = host.lower() if port is None else f"{host.lower()}:{port}"
    return f"{parts.scheme}://{netloc}"


class MatrixConnectForm(forms.Form):
    homeserver = forms.CharField(
        label=_("Homeserver"),
        help_text=_("The address of the account's homeserver, such as https://matrix.example.org."),
        max_length=300,
        widget=forms.TextInput(attrs={"placeholder": "https://matrix.example.org", "autocapitalize": "none"}),
    )
    access_token = forms.CharField(
        label=_("Access token"),
        help_text=_("Paste an access token, or leave empty and give the user id and password below."),
        max_length=1000,
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )
    user = forms.CharField(
        label=_("User id"),
        help_text=_("The account's full user id, such as @cci-lyon:matrix.example.org."),
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "@cci-lyon:matrix.example.org", "autocapitalize": "none"}),
    )
    password = forms.CharField(
        label=_("Password"),
        help_text=_("Used once to obtain an access token for Parvis; it is not kept."),
        max_length=500,
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )
    default_room = forms.CharField(
        label=_("Room to publish in"),
        help_text=_("Optional: the room id (!…) or alias (#…) where posts published from Parvis go."),
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "#annonces:matrix.example.org", "autocapitalize": "none"}),
    )
    auto_join = forms.BooleanField(
        label=_("Accept room invitations automatically"),
        help_text=_("When someone invites the account to a room or a private conversation, Parvis joins it."),
        required=False,
    )

    def clean_homeserver(self) -> str:
        return normalise_homeserver(str(self.cleaned_data.get("homeserver") or ""))

    def clean_user(self) -> str:
        value = str(self.cleaned_data.get("user") or "").strip()
        if value and not USER_ID_RE.match(value):
            raise ValidationError(_("Enter the full user id, such as @name:matrix.example.org."), code="invalid")
        return value

    def clean_default_room(self) -> str:
        value = str(self.cleaned_data.get("default_room") or "").strip()
        if value and not ROOM_RE.match(value):
            raise ValidationError(_("Enter a room id (!…) or a room alias (#…:server)."), code="invalid")
        return value

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        token = str(cleaned.get("access_token") or "").strip()
        cleaned["access_token"] = token
        if not token and not (cleaned.get("user") and cleaned.get("password")) and "user" not in self.errors:
            raise ValidationError(_("Paste an access token, or give the user id and the password."), code="credentials")
        return cleaned
