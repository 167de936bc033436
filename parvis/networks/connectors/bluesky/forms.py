"""Connecting a Bluesky account: the service, the handle and an app password."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from parvis.networks.connectors.bluesky.client import DEFAULT_SERVICE

APP_PASSWORD_RE = re.compile(r"^[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}$")


def normalise_service_url(value: str) -> str:
    """`scheme://host[:port]` from what people type: "bsky.social", "https://pds.example.org/"..."""
    value = value.strip() or DEFAULT_SERVICE
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
    if ":" in host:  # an IPv6 literal
        netloc = f"[{host}]" if port is None else f"[{host}]:{port}"
    return f"{parts.scheme}://{netloc}"


class ServiceUrlField(forms.CharField):
    def clean(self, value: Any) -> str:
        cleaned = super().clean(value)
        return normalise_service_url(str(cleaned or ""))


class PasswordConnectForm(forms.Form):
    service_url = ServiceUrlField(
        label=_("Service"),
        help_text=_("bsky.social for most accounts; the address of the server for a self-hosted one."),
        max_length=300,
        required=False,
        initial=DEFAULT_SERVICE,
        widget=forms.TextInput(attrs={"placeholder": "https://bsky.social"}),
    )
    identifier = forms.CharField(
        label=_("Handle"),
        help_text=_("The account's handle, such as cci-lyon.bsky.social, or its e-mail address."),
        max_length=300,
        widget=forms.TextInput(
            attrs={"placeholder": "cci-lyon.bsky.social", "autocomplete": "username", "autocapitalize": "none"}
        ),
    )
    app_password = forms.CharField(
        label=_("App password"),
        help_text=_("Four groups of four letters and digits, such as abcd-efgh-ijkl-mnop."),
        max_length=200,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )

    def clean_identifier(self) -> str:
        value: str = self.cleaned_data["identifier"].strip().lstrip("@")
        if not value or " " in value:
            raise ValidationError(_("Enter the account's handle or e-mail address."), code="invalid")
        return value

    def looks_like_app_password(self) -> bool:
        return bool(APP_PASSWORD_RE.match(str(self.cleaned_data.get("app_password", "")).lower()))
