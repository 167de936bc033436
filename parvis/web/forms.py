"""Forms parse and check what people type; the rules of the domain stay in the services."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, cast
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from parvis.core.models import VoiceKind, Workspace
from parvis.core.selectors import voice_list
from parvis.inbox.models import Category, ConversationStatus, Label, MessageKind, Sentiment
from parvis.inbox.selectors import InboxFilters
from parvis.networks.models import ActionStatus, ConnectedAccount
from parvis.networks.selectors import account_list
from parvis.publishing.composition import thread_from_text
from parvis.publishing.models import Campaign, MediaItem
from parvis.publishing.services.posts import VariantInput
from parvis.publishing.timeparse import InvalidLocalTime, local_to_utc
from parvis.web.labels import CONVERSATION_STATUS_LABELS
from parvis.web.network_info import network_name

LOCAL_DATETIME_FORMATS = ("%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M")


class AccountChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: ConnectedAccount) -> str:
        return f"{obj.handle} · {network_name(obj.network)}"


class AccountMultipleChoiceField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: ConnectedAccount) -> str:
        return f"{obj.handle} · {network_name(obj.network)}"


class FilterForm(forms.Form):
    """Base for the GET filters of a list; invalid input falls back to the defaults, never to an error page."""

    defaults: dict[str, str] = {}

    def value(self, name: str) -> Any:
        if self.is_valid():
            return self.cleaned_data.get(name) or self.defaults.get(name)
        return self.defaults.get(name)

    def querystring(self) -> str:
        """The filters as a query string, without the defaults (for links that keep them)."""
        if not self.is_valid():
            return ""
        params = {}
        for name, value in self.cleaned_data.items():
            raw = str(getattr(value, "pk", value) or "")
            if raw and raw != self.defaults.get(name, ""):
                params[name] = raw
        return urlencode(params)


class InboxFilterForm(FilterForm):
    """The inbox list's filters (all optional); `inbox_filters()` gives them to the selector."""

    STATUS_CHOICES = (
        ("open", _("Open (not done)")),
        *CONVERSATION_STATUS_LABELS.items(),
        ("all", _("All")),
    )
    SORT_CHOICES = (("newest", _("Newest first")), ("priority", _("Highest priority first")))
    defaults = {"status": "open", "sort": "newest"}

    q = forms.CharField(required=False, max_length=200, label=_("Search"))
    account = AccountChoiceField(queryset=ConnectedAccount.objects.none(), required=False, label=_("Account"))
    status = forms.ChoiceField(choices=STATUS_CHOICES, required=False, label=_("Status"))
    assignee = forms.ChoiceField(choices=(), required=False, label=_("Assigned to"))
    network = forms.ChoiceField(choices=(), required=False, label=_("Network"))
    kind = forms.ChoiceField(choices=(), required=False, label=_("Kind"))
    category = forms.ChoiceField(choices=(), required=False, label=_("Class"))
    sentiment = forms.ChoiceField(choices=(), required=False, label=_("Sentiment"))
    priority_min = forms.IntegerField(required=False, min_value=0, max_value=100, label=_("Priority at least"))
    label = forms.ModelChoiceField(queryset=Label.objects.none(), required=False, label=_("Label"))
    language = forms.CharField(required=False, max_length=8, label=_("Language"))
    overdue = forms.BooleanField(required=False, label=_("Past the answer deadline"))
    sort = forms.ChoiceField(choices=SORT_CHOICES, required=False, label=_("Sort"))

    def __init__(self, data: Any, *, workspace: Workspace, members: Sequence[Any] = ()) -> None:
        super().__init__(data)
        account = cast(forms.ModelChoiceField, self.fields["account"])  # type: ignore[type-arg]
        account.queryset = account_list(workspace, include_disabled=True)
        account.empty_label = _("All accounts")
        networks = sorted({item.network for item in account.queryset})
        cast(forms.ChoiceField, self.fields["network"]).choices = [
            ("", _("All networks")),
            *((network, network_name(network)) for network in networks),
        ]
        cast(forms.ChoiceField, self.fields["kind"]).choices = [("", _("All kinds")), *MessageKind.choices]
        cast(forms.ChoiceField, self.fields["category"]).choices = [("", _("All classes")), *Category.choices]
        cast(forms.ChoiceField, self.fields["sentiment"]).choices = [("", _("Any sentiment")), *Sentiment.choices]
        cast(forms.ChoiceField, self.fields["assignee"]).choices = [
            ("", _("Anyone")),
            ("mine", _("Me")),
            ("unassigned", _("Nobody")),
            *((str(user.pk), user.get_full_name() or user.get_username()) for user in members),
        ]
        label = cast(forms.ModelChoiceField, self.fields["label"])  # type: ignore[type-arg]
        label.queryset = Label.objects.filter(workspace=workspace).order_by("name")
        label.empty_label = _("All labels")

    def selector_arguments(self) -> dict[str, Any]:
        account = self.value("account")
        status = self.value("status")
        return {"account_id": account.pk if account else None, "status": None if status == "all" else status}

    def inbox_filters(self) -> InboxFilters:
        account = self.value("account")
        label = self.value("label")
        priority = self.value("priority_min")
        return InboxFilters(
            status=self.value("status"),
            account_id=account.pk if account else None,
            network=self.value("network") or "",
            kind=self.value("kind") or "",
            category=self.value("category") or "",
            sentiment=self.value("sentiment") or "",
            priority_min=priority if isinstance(priority, int) else None,
            label_id=label.pk if label else None,
            assignee=self.value("assignee") or "",
            language=(self.value("language") or "").strip().lower(),
            text=self.value("q") or "",
            overdue=bool(self.value("overdue")),
            sort=self.value("sort") or "newest",
        )

    def is_filtered(self) -> bool:
        """Whether any filter beyond the defaults is set (the advanced filters then start open)."""
        return bool(self.querystring())


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Internal note"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Write the note before adding it.")},
    )


class AssignForm(forms.Form):
    """`assignee`: a user id, "me", or empty for nobody."""

    assignee = forms.CharField(required=False, max_length=20)

    def assignee_id(self, me: int) -> int | None:
        raw = self.cleaned_data.get("assignee") or ""
        if raw == "me":
            return me
        return int(raw) if raw.isdigit() else None


class LabelPickForm(forms.Form):
    """Add a label by name (an unknown name creates it), or remove one by id."""

    name = forms.CharField(required=False, max_length=60, label=_("Label"))
    remove = forms.IntegerField(required=False)


class BulkForm(forms.Form):
    ACTIONS = (
        ("done", _("Mark as done")),
        ("status", _("Change status")),
        ("assign", _("Assign")),
        ("label", _("Add label")),
        ("unlabel", _("Remove label")),
    )
    ids = forms.TypedMultipleChoiceField(coerce=int, choices=(), required=True)
    action = forms.ChoiceField(choices=ACTIONS)
    status = forms.ChoiceField(choices=[("", ""), *ConversationStatus.choices], required=False)
    assignee = forms.CharField(required=False, max_length=20)
    label = forms.CharField(required=False, max_length=60)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Any integer is accepted here: the service checks that every id is in the caller's workspace.
        ids = cast(forms.TypedMultipleChoiceField, self.fields["ids"])
        ids.valid_value = lambda value: str(value).isdigit()  # type: ignore[method-assign]
        ids.error_messages["required"] = _("Select at least one conversation.")


class SavedViewForm(forms.Form):
    name = forms.CharField(label=_("Name of the view"), max_length=80)
    query = forms.CharField(required=False, max_length=1000, widget=forms.HiddenInput)
    shared = forms.BooleanField(required=False, label=_("Share with the team"))


class SavedReplyForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120)
    body = forms.CharField(
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Variables: {name} {first_name} {handle} {account} {network} {agent}"),
    )
    shortcut = forms.SlugField(label=_("Shortcut"), max_length=40, required=False)
    language = forms.CharField(label=_("Language"), max_length=8, required=False)


class AssignmentRuleForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    account = AccountChoiceField(queryset=ConnectedAccount.objects.none(), required=False, label=_("Account"))
    network = forms.ChoiceField(choices=(), required=False, label=_("Network"))
    kind = forms.ChoiceField(choices=[("", _("Any kind")), *MessageKind.choices], required=False, label=_("Kind"))
    category = forms.ChoiceField(choices=[("", _("Any class")), *Category.choices], required=False, label=_("Class"))
    language = forms.CharField(label=_("Language"), max_length=8, required=False)
    keyword = forms.CharField(label=_("Keyword"), max_length=120, required=False)
    assignee = forms.TypedChoiceField(choices=(), coerce=int, required=False, empty_value=None, label=_("Give to"))
    members = forms.TypedMultipleChoiceField(
        choices=(), coerce=int, required=False, label=_("Or each in turn"), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, workspace: Workspace, members: Sequence[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        account = cast(forms.ModelChoiceField, self.fields["account"])  # type: ignore[type-arg]
        account.queryset = account_list(workspace, include_disabled=True)
        account.empty_label = _("Any account")
        networks = sorted({item.network for item in account.queryset})
        cast(forms.ChoiceField, self.fields["network"]).choices = [
            ("", _("Any network")),
            *((network, network_name(network)) for network in networks),
        ]
        people = [(user.pk, user.get_full_name() or user.get_username()) for user in members]
        cast(forms.ChoiceField, self.fields["assignee"]).choices = [("", _("Nobody in particular")), *people]
        cast(forms.ChoiceField, self.fields["members"]).choices = people

    def conditions(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {key: data.get(key) or None for key in ("account", "network", "kind", "category", "language", "keyword")}


class LedgerFilterForm(FilterForm):
    account = AccountChoiceField(queryset=ConnectedAccount.objects.none(), required=False, label=_("Account"))
    status = forms.ChoiceField(
        choices=[("", _("All statuses")), *ActionStatus.choices], required=False, label=_("Status")
    )

    def __init__(self, data: Any, *, workspace: Workspace) -> None:
        super().__init__(data)
        account = cast(forms.ModelChoiceField, self.fields["account"])  # type: ignore[type-arg]
        account.queryset = account_list(workspace, include_disabled=True)
        account.empty_label = _("All accounts")

    def selector_arguments(self) -> dict[str, Any]:
        account = self.value("account")
        return {"account_id": account.pk if account else None, "status": self.value("status") or None}


class ReplyForm(forms.Form):
    text = forms.CharField(
        label=_("Your reply"),
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Write your reply before sending it.")},
    )
    in_reply_to = forms.IntegerField(required=False, widget=forms.HiddenInput)


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=ConversationStatus.choices)


class WorkspaceSwitchForm(forms.Form):
    workspace = forms.IntegerField()


class FeedForm(forms.Form):
    url = forms.URLField(
        label=_("Feed address"),
        assume_scheme="https",
        widget=forms.URLInput(attrs={"placeholder": "https://example.org/feed.xml"}),
        help_text=_("The address of an RSS or Atom feed: a blog, a news site, a search alert."),
    )


class VoiceForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=VoiceKind.choices)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.workspace = workspace

    def clean_name(self) -> str:
        name: str = self.cleaned_data["name"].strip()
        if voice_list(self.workspace).filter(name__iexact=name).exists():
            raise forms.ValidationError(_("This workspace already has a voice with that name."))
        return name


class ComposeForm(forms.Form):
    """A post for several accounts: now, at a wall-clock time in the workspace's time zone, or in the
    queue's next free slot. Whether a time in the past is acceptable is the service's rule."""

    WHEN_CHOICES = (("now", _("Publish now")), ("schedule", _("Schedule")), ("queue", _("Add to the queue")))
    INTENT_CHOICES = (("submit", _("Publish")), ("draft", _("Save as draft")))

    post = forms.IntegerField(required=False, widget=forms.HiddenInput)
    text = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 7}), required=False, strip=False)
    accounts = AccountMultipleChoiceField(
        queryset=ConnectedAccount.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        label=_("Publish on"),
        error_messages={"required": _("Choose at least one account.")},
    )
    library = forms.ModelMultipleChoiceField(
        queryset=MediaItem.objects.none(), required=False, label=_("From the media library")
    )
    image = forms.FileField(
        label=_("Image"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*,video/mp4,video/quicktime"}),
    )
    alt_text = forms.CharField(
        label=_("Image description (alt text)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Describe the image for people who cannot see it."),
    )
    first_comment = forms.CharField(
        label=_("First comment"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Published under the post, on the networks that have comments."),
    )
    campaign = forms.ModelChoiceField(queryset=Campaign.objects.none(), required=False, label=_("Campaign"))
    when = forms.ChoiceField(label=_("When"), choices=WHEN_CHOICES, initial="now", widget=forms.RadioSelect)
    scheduled_at = forms.CharField(
        label=_("Date and time"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    intent = forms.ChoiceField(choices=INTENT_CHOICES, required=False)

    def __init__(self, *args: Any, workspace: Workspace, accounts: Sequence[ConnectedAccount], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.workspace = workspace
        choices = cast(forms.ModelMultipleChoiceField, self.fields["accounts"])  # type: ignore[type-arg]
        choices.queryset = account_list(workspace).filter(pk__in=[account.pk for account in accounts])
        library = cast(forms.ModelMultipleChoiceField, self.fields["library"])  # type: ignore[type-arg]
        library.queryset = MediaItem.objects.filter(workspace=workspace)
        campaign = cast(forms.ModelChoiceField, self.fields["campaign"])  # type: ignore[type-arg]
        campaign.queryset = Campaign.objects.filter(workspace=workspace).order_by("name")
        campaign.empty_label = _("No campaign")
        self.fields["scheduled_at"].help_text = _("Time in %(zone)s, the time zone of the workspace.") % {
            "zone": workspace.timezone
        }

    def clean_image(self) -> Any:
        image = self.cleaned_data.get("image")
        limit = settings.PARVIS_MAX_UPLOAD_BYTES
        if image and image.size and image.size > limit:
            raise forms.ValidationError(
                _("This image weighs %(size)s; the limit is %(limit)s. Reduce it and try again.")
                % {"size": filesizeformat(image.size), "limit": filesizeformat(limit)}
            )
        return image

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        cleaned["publish_at"] = None
        cleaned["queued"] = cleaned.get("when") == "queue"
        cleaned["submit"] = cleaned.get("intent") != "draft"
        has_media = cleaned.get("image") or cleaned.get("library") or "image" in self.errors
        if not (cleaned.get("text") or "").strip() and not has_media:
            self.add_error("text", _("Write the text of the post, or attach an image."))
        if cleaned.get("when") != "schedule":
            return cleaned
        raw = (cleaned.get("scheduled_at") or "").strip()
        if not raw:
            self.add_error("scheduled_at", _("Choose the date and time of publication."))
            return cleaned
        naive = _parse_local(raw)
        if naive is None:
            self.add_error("scheduled_at", _("Enter a valid date and time."))
            return cleaned
        try:
            cleaned["publish_at"] = local_to_utc(naive, self.workspace.zone)
        except InvalidLocalTime:
            self.add_error(
                "scheduled_at",
                _(
                    "%(time)s does not exist in %(zone)s: the clocks go forward at that moment "
                    "(change to summer time). Choose another time, for example one hour later."
                )
                % {"time": date_format(naive, "DATETIME_FORMAT"), "zone": self.workspace.timezone},
            )
        return cleaned


def compose_variants(data: Mapping[str, Any], account_ids: Iterable[int]) -> dict[int, VariantInput]:
    """The variants edited by hand in the composer's tabs: `variant-<account id>-custom` ticked,
    with `-text` (a thread typed with "---" lines between its posts) and `-first_comment`."""
    variants: dict[int, VariantInput] = {}
    for account_id in account_ids:
        prefix = f"variant-{account_id}-"
        if not data.get(prefix + "custom"):
            continue
        first, thread = thread_from_text(str(data.get(prefix + "text", "")))
        variants[account_id] = VariantInput(
            text=first, thread=thread, first_comment=str(data.get(prefix + "first_comment", ""))
        )
    return variants


def local_instant_or_none(raw: str, workspace: Workspace) -> datetime | None:
    """A datetime-local value read on the workspace's clock, or None when it is empty, unreadable or skipped."""
    naive = _parse_local(raw.strip()) if raw else None
    if naive is None:
        return None
    try:
        return local_to_utc(naive, workspace.zone)
    except InvalidLocalTime:
        return None


def _parse_local(raw: str) -> datetime | None:
    """A naive wall-clock datetime from the datetime-local input (deliberately not made aware here)."""
    for fmt in LOCAL_DATETIME_FORMATS:
        try:
            return datetime.strptime(raw, fmt)  # noqa: DTZ007 - naive on purpose: local_to_utc interprets it
        except ValueError:
            continue
    return None


class ComposeCheckForm(forms.Form):
    """What the composer's live check reads: the text, the accounts and media chosen, the first comment."""

    text = forms.CharField(required=False, strip=False)
    accounts = forms.ModelMultipleChoiceField(queryset=ConnectedAccount.objects.none(), required=False)
    library = forms.ModelMultipleChoiceField(queryset=MediaItem.objects.none(), required=False)
    first_comment = forms.CharField(required=False, strip=False)

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelMultipleChoiceField, self.fields["accounts"]).queryset = account_list(workspace)  # type: ignore[type-arg]
        cast(forms.ModelMultipleChoiceField, self.fields["library"]).queryset = MediaItem.objects.filter(  # type: ignore[type-arg]
            workspace=workspace
        )


class MediaUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Image or video"),
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png,image/gif,image/webp,video/mp4,video/quicktime"}
        ),
        error_messages={"required": _("Choose a file to upload.")},
    )
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    alt_text = forms.CharField(
        label=_("Description (alt text)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Describe the image for people who cannot see it."),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data.get("file")
        limit = settings.PARVIS_MAX_UPLOAD_BYTES
        if upload and upload.size and upload.size > limit:
            raise forms.ValidationError(
                _("This file weighs %(size)s; the limit is %(limit)s. Reduce it and try again.")
                % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)}
            )
        return upload


class MediaEditForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    alt_text = forms.CharField(
        label=_("Description (alt text)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
