"""The LinkedIn app registration a workspace owner copies from the LinkedIn developer portal, and the page choice."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


class AppForm(forms.Form):
    client_id = forms.CharField(
        label=_("Client ID"),
        max_length=200,
        help_text=_("In the LinkedIn developer portal: your app, Auth, Client ID and Primary Client Secret."),
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
            raise forms.ValidationError(_("Paste the client ID exactly as the portal shows it."), code="invalid")
        return value


class PageForm(forms.Form):
    """Which of the pages the member administers to connect; the choices come from LinkedIn."""

    organization_id = forms.ChoiceField(label=_("Page"), widget=forms.RadioSelect)

    def __init__(self, *args: Any, pages: Sequence[tuple[str, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organization_id"]
        if isinstance(field, forms.ChoiceField):
            field.choices = list(pages)
