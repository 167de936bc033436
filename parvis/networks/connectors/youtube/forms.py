"""The Google app registration a workspace owner copies from the Google Cloud console."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class AppForm(forms.Form):
    client_id = forms.CharField(
        label=_("Client ID"),
        max_length=200,
        help_text=_(
            "In the Google Cloud console: APIs and services, Credentials, your OAuth client of type Web application."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    client_secret = forms.CharField(
        label=_("Client secret"),
        max_length=200,
        required=False,
        help_text=_("Leave empty to keep the secret already saved."),
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )

    def clean_client_id(self) -> str:
        value: str = self.cleaned_data["client_id"].strip()
        if not value or any(c.isspace() for c in value):
            raise forms.ValidationError(_("Paste the client ID exactly as the console shows it."), code="invalid")
        return value
