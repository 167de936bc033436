"""The Meta app registration a workspace owner copies from developers.facebook.com, and the choice of Pages."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


class AppForm(forms.Form):
    client_id = forms.CharField(
        label=_("App ID"),
        max_length=100,
        help_text=_("In Meta for Developers: your app, App settings, Basic: App ID and App secret."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "inputmode": "numeric"}),
    )
    client_secret = forms.CharField(
        label=_("App secret"),
        max_length=200,
        required=False,
        help_text=_("Leave empty to keep the secret already saved."),
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )

    def clean_client_id(self) -> str:
        value: str = self.cleaned_data["client_id"].strip()
        if not value.isdigit():
            raise forms.ValidationError(_("An App ID is made of digits only."), code="invalid")
        return value


class PickForm(forms.Form):
    """Which of the offered Pages (or their Instagram accounts) to connect; `choices` are (page id, label)."""

    pages = forms.MultipleChoiceField(
        label=_("Connect"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one.")},
    )

    def __init__(self, *args: Any, choices: Sequence[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["pages"]
        if isinstance(field, forms.MultipleChoiceField):
            field.choices = list(choices)
