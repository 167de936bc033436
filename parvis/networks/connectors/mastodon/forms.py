"""The two ways to connect a Mastodon account: sign in with OAuth, or paste an access token."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def normalise_instance_url(value: str) -> str:
    """`scheme://host[:port]` from what people type: "mastodon.social", "https://mastodon.social/@me"..."""
    value = value.strip()
    if not value:
        raise ValidationError(_("Enter the address of the Mastodon server."), code="required")
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


class InstanceUrlField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Mastodon server"))
        kwargs.setdefault("help_text", _("The address of the server the account is on, for example mastodon.social."))
        kwargs.setdefault("max_length", 300)
        super().__init__(**kwargs)

    def clean(self, value: Any) -> str:
        cleaned = super().clean(value)
        return normalise_instance_url(str(cleaned))


class OAuthConnectForm(forms.Form):
    instance_url = InstanceUrlField(widget=forms.TextInput(attrs={"placeholder": "mastodon.social"}))

    def clean_instance_url(self) -> str:
        value: str = self.cleaned_data["instance_url"]
        if not value.startswith("https://"):
            raise ValidationError(
                _("Signing in with Mastodon needs an https:// address. Paste an access token instead."),
                code="insecure",
            )
        return value


class TokenConnectForm(forms.Form):
    instance_url = InstanceUrlField(widget=forms.TextInput(attrs={"placeholder": "mastodon.social"}))
    access_token = forms.CharField(
        label=_("Access token"),
        help_text=_(
            "In Mastodon: Preferences, Development, New application, with the read, write and follow "
            "permissions; copy “Your access token”."
        ),
        max_length=500,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )
