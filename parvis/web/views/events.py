"""Live events: the list, the event's page (programme, speakers, prepared posts, announcements), the
live composer next to the live wall, the questions for the speakers and the recap."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from parvis.core.models import Membership, Workspace
from parvis.core.permissions import Perm, PermissionDenied, role_has
from parvis.networks.models import ActionStatus, ConnectedAccount
from parvis.networks.protocol import ActionKind
from parvis.networks.registry import PUBLIC_NETWORKS
from parvis.networks.selectors import account_list
from parvis.publishing.models import EventPostKind, EventSession, EventStatus, LiveEvent, PreparedPost, Speaker
from parvis.publishing.services.events import (
    Announcement,
    EventError,
    announcement_defaults,
    event_announcements_schedule,
    event_create,
    event_current_session,
    event_delete,
    event_focus_session,
    event_get,
    event_list,
    event_posts,
    event_questions,
    event_recap,
    event_recap_publish,
    event_update,
    event_wall_refresh,
    live_post,
    live_preview,
    prepared_post_create,
    prepared_post_delete,
    prepared_post_list,
    recap_csv,
    recap_markdown,
    recap_suggestion,
    session_create,
    session_delete,
    speaker_create,
    speaker_delete,
    speaker_update,
    wall_item_get,
    wall_item_list,
    wall_item_update,
)
from parvis.publishing.services.posts import CompositionError
from parvis.web.network_info import can_publish, connector_for
from parvis.web.views.base import found, htmx_target, member_view, refusal, render_page

VIEW = Perm.VIEW_INBOX  # every role follows an event; the services check who may change it
WALL_POLL_SECONDS = 10


# --- forms --------------------------------------------------------------------------------------


class WallClockField(forms.CharField):
    """A datetime-local input kept naive: the services read it in the workspace's time zone (DST-safe)."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"})

    def to_python(self, value: Any) -> datetime | None:  # type: ignore[override]
        raw = str(super().to_python(value) or "").strip()
        if not raw:
            return None
        try:
            parsed = datetime.fromisoformat(raw)
        except ValueError as error:
            raise forms.ValidationError(_("Enter a valid date and time.")) from error
        return parsed.replace(tzinfo=None) if parsed.tzinfo is None else parsed


def _local_input(value: datetime | None, workspace: Workspace) -> str:
    return value.astimezone(workspace.zone).strftime("%Y-%m-%dT%H:%M") if value else ""


class AccountsField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: ConnectedAccount) -> str:
        connector = connector_for(obj.network)
        return f"{obj.handle} ({connector.display_name if connector else obj.network})"


def _accounts_field(required: bool = False) -> AccountsField:
    return AccountsField(
        queryset=ConnectedAccount.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=required,
        label=gettext_lazy("Accounts"),
        error_messages={"required": gettext_lazy("Choose at least one account.")},
    )


def _choices(form: forms.Form, name: str, queryset: QuerySet[Any]) -> None:
    """Limit a model choice field to rows of this workspace or event."""
    cast(forms.ModelChoiceField, form.fields[name]).queryset = queryset  # type: ignore[type-arg]


def _publishable(workspace: Workspace) -> list[ConnectedAccount]:
    return [account for account in account_list(workspace) if can_publish(account)]


class _AccountsForm(forms.Form):
    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.workspace = workspace
        _choices(self, "accounts", ConnectedAccount.objects.filter(pk__in=[a.pk for a in _publishable(workspace)]))


class EventForm(_AccountsForm):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    hashtag = forms.CharField(
        label=gettext_lazy("Hashtag"),
        max_length=100,
        help_text=gettext_lazy("One word, written on every post about the event, e.g. #Rencontres26."),
    )
    starts_at = WallClockField(label=gettext_lazy("Starts"))
    ends_at = WallClockField(label=gettext_lazy("Ends"))
    place = forms.CharField(label=gettext_lazy("Place"), max_length=300, required=False)
    description = forms.CharField(
        label=gettext_lazy("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    status = forms.ChoiceField(label=gettext_lazy("Status"), choices=EventStatus.choices, initial=EventStatus.PREPARING)
    accounts = _accounts_field()

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, workspace=workspace, **kwargs)
        self.fields["starts_at"].help_text = _("Time in %(zone)s, the time zone of the workspace.") % {
            "zone": workspace.timezone
        }

    @classmethod
    def for_event(cls, event: LiveEvent) -> EventForm:
        zone_workspace = event.workspace
        return cls(
            workspace=zone_workspace,
            initial={
                "name": event.name,
                "hashtag": event.tag,
                "starts_at": _local_input(event.starts_at, zone_workspace),
                "ends_at": _local_input(event.ends_at, zone_workspace),
                "place": event.place,
                "description": event.description,
                "status": event.status,
                "accounts": [account.pk for account in event.accounts.all()],
            },
        )


class SessionForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=300)
    starts_at = WallClockField(label=gettext_lazy("Starts"))
    ends_at = WallClockField(label=gettext_lazy("Ends"))
    room = forms.CharField(label=gettext_lazy("Room"), max_length=200, required=False)
    speakers = forms.ModelMultipleChoiceField(
        queryset=Speaker.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label=gettext_lazy("Speakers"),
    )

    def __init__(self, *args: Any, event: LiveEvent, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "speakers", event.speakers.all())


def _handle_networks(workspace: Workspace) -> list[tuple[str, str]]:
    """Networks a speaker may have a handle on: those the workspace publishes to, and the public ones Parvis knows."""
    names = dict.fromkeys([*(account.network for account in _publishable(workspace)), *PUBLIC_NETWORKS])
    networks = []
    for network in names:
        connector = connector_for(network)
        if connector is not None and ActionKind.PUBLISH in connector.capabilities.actions:
            networks.append((network, connector.display_name))
    return networks


class SpeakerForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    organisation = forms.CharField(label=gettext_lazy("Organisation"), max_length=200, required=False)

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.networks = _handle_networks(workspace)
        for network, display_name in self.networks:
            self.fields[f"handle_{network}"] = forms.CharField(
                label=_("Handle on %(network)s") % {"network": display_name}, max_length=200, required=False
            )

    def handles(self) -> dict[str, str]:
        return {network: self.cleaned_data.get(f"handle_{network}", "") for network, _name in self.networks}


class PreparedForm(forms.Form):
    text = forms.CharField(label=gettext_lazy("Text"), widget=forms.Textarea(attrs={"rows": 2}), strip=False)
    session = forms.ModelChoiceField(
        queryset=EventSession.objects.none(), required=False, label=gettext_lazy("Session")
    )

    def __init__(self, *args: Any, event: LiveEvent, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "session", event.sessions.all())


class LiveForm(_AccountsForm):
    text = forms.CharField(label=gettext_lazy("Live post"), widget=forms.Textarea(attrs={"rows": 4}), strip=False)
    session = forms.ModelChoiceField(queryset=EventSession.objects.none(), required=False)
    prepared = forms.ModelChoiceField(queryset=PreparedPost.objects.none(), required=False)
    mention_speakers = forms.BooleanField(label=gettext_lazy("Mention the speakers"), required=False)
    accounts = _accounts_field(required=True)

    def __init__(self, *args: Any, event: LiveEvent, **kwargs: Any) -> None:
        super().__init__(*args, workspace=event.workspace, **kwargs)
        _choices(self, "session", event.sessions.all())
        _choices(self, "prepared", event.prepared_posts.all())


class AnnouncementsForm(_AccountsForm):
    accounts = _accounts_field(required=True)

    def __init__(self, *args: Any, event: LiveEvent, **kwargs: Any) -> None:
        super().__init__(*args, workspace=event.workspace, **kwargs)
        self.defaults = announcement_defaults(event)
        for announcement in self.defaults:
            self.fields[f"text_{announcement.label}"] = forms.CharField(
                widget=forms.Textarea(attrs={"rows": 2}), required=False, initial=announcement.text
            )

    def announcements(self) -> list[Announcement]:
        """The announcements with their texts as edited; a text left empty is not scheduled."""
        chosen = []
        for announcement in self.defaults:
            text = self.cleaned_data.get(f"text_{announcement.label}", "").strip()
            if text:
                chosen.append(
                    Announcement(
                        label=announcement.label, days_before=announcement.days_before, at=announcement.at, text=text
                    )
                )
        return chosen


class RecapForm(_AccountsForm):
    text = forms.CharField(label=gettext_lazy("Text"), widget=forms.Textarea(attrs={"rows": 4}))
    accounts = _accounts_field(required=True)


# --- helpers ------------------------------------------------------------------------------------


def _event(membership: Membership, pk: int) -> LiveEvent:
    event: LiveEvent = found(event_get, membership.workspace, pk)
    return event


def _back(pk: int, anchor: str = "") -> HttpResponse:
    response = redirect("web:event", pk=pk)
    if anchor:
        response["Location"] += f"#{anchor}"
    return response


def _refused(request: HttpRequest, perm: Perm) -> HttpResponse:
    return render_page(request, "web/refused.html", {"reason": refusal(perm)}, status=403)


def _can(membership: Membership, perm: Perm) -> bool:
    return role_has(membership.role, perm)


# --- list and event page ----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@member_view(VIEW)
def events(request: HttpRequest, membership: Membership) -> HttpResponse:
    workspace = membership.workspace
    status = 200
    if request.method == "POST":
        form = EventForm(request.POST, workspace=workspace)
        if form.is_valid():
            data = form.cleaned_data
            try:
                event = event_create(
                    membership=membership,
                    name=data["name"],
                    hashtag=data["hashtag"],
                    starts_at=data["starts_at"],
                    ends_at=data["ends_at"],
                    place=data["place"],
                    description=data["description"],
                    status=data["status"],
                    accounts=list(data["accounts"]),
                )
            except PermissionDenied as error:
                return _refused(request, error.perm)
            except EventError as error:
                form.add_error(None, error.message)
                status = 400
            else:
                messages.success(request, _("Event created. Now add its programme and its speakers."))
                return redirect("web:event", pk=event.pk)
        else:
            status = 400
    else:
        form = EventForm(workspace=workspace, initial={"accounts": [a.pk for a in _publishable(workspace)]})
    now = timezone.now()
    rows = [(event, event.phase(now)) for event in event_list(workspace)]
    return render_page(request, "web/events.html", {"rows": rows, "form": form}, status=status)


def _event_context(membership: Membership, event: LiveEvent) -> dict[str, Any]:
    workspace = membership.workspace
    sessions = list(event.sessions.all())
    networks = _handle_networks(workspace)
    zone_day = event.starts_at.astimezone(workspace.zone).strftime("%Y-%m-%dT%H:%M")
    return {
        "event": event,
        "phase": event.phase(),
        "sessions": sessions,
        "speakers": [
            (speaker, [(network, name, handles.get(network, "")) for network, name in networks])
            for speaker in event.speakers.all()
            for handles in [{item.network: item.handle for item in speaker.handles.all()}]
        ],
        "prepared": prepared_post_list(event),
        "announcements": event_posts(event, kind=EventPostKind.ANNOUNCEMENT),
        "event_form": EventForm.for_event(event),
        "session_form": SessionForm(event=event, initial={"starts_at": zone_day, "ends_at": zone_day}),
        "speaker_form": SpeakerForm(workspace=workspace),
        "prepared_form": PreparedForm(event=event),
        "announcements_form": AnnouncementsForm(
            event=event, initial={"accounts": [account.pk for account in event.accounts.all()]}
        ),
        "handle_networks": networks,
        "can_prepare": _can(membership, Perm.DRAFT),
        "can_publish": _can(membership, Perm.PUBLISH),
    }


@require_GET
@member_view(VIEW)
def event(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    return render_page(request, "web/events_detail.html", _event_context(membership, _event(membership, pk)))


def _invalid(request: HttpRequest, membership: Membership, event: LiveEvent, **forms_: Any) -> HttpResponse:
    """The event page again, with the form that failed and its errors."""
    context = {**_event_context(membership, event), **forms_}
    return render_page(request, "web/events_detail.html", context, status=400)


@require_POST
@member_view(Perm.DRAFT)
def event_edit(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    current = _event(membership, pk)
    form = EventForm(request.POST, workspace=membership.workspace)
    if form.is_valid():
        data = form.cleaned_data
        try:
            event_update(
                membership=membership,
                event=current,
                name=data["name"],
                hashtag=data["hashtag"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                place=data["place"],
                description=data["description"],
                status=data["status"],
                accounts=list(data["accounts"]),
            )
        except EventError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Event saved."))
            return _back(pk)
    return _invalid(request, membership, current, event_form=form, edit_open=True)


@require_POST
@member_view(Perm.DRAFT)
def event_delete_view(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    event_delete(membership=membership, event=_event(membership, pk))
    messages.success(request, _("Event deleted. Its posts stay in the list of posts."))
    return redirect("web:events")


@require_POST
@member_view(Perm.DRAFT)
def event_session_add(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    current = _event(membership, pk)
    form = SessionForm(request.POST, event=current)
    if form.is_valid():
        data = form.cleaned_data
        try:
            session_create(
                membership=membership,
                event=current,
                title=data["title"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                room=data["room"],
                speakers=list(data["speakers"]),
            )
        except EventError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Session added to the programme."))
            return _back(pk, "programme")
    return _invalid(request, membership, current, session_form=form)


@require_POST
@member_view(Perm.DRAFT)
def event_session_delete(request: HttpRequest, membership: Membership, pk: int, session_id: int) -> HttpResponse:
    current = _event(membership, pk)
    session = found(current.sessions.get, session_id)
    session_delete(membership=membership, session=session)
    messages.success(request, _("Session removed from the programme."))
    return _back(pk, "programme")


@require_POST
@member_view(Perm.DRAFT)
def event_speaker_add(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    current = _event(membership, pk)
    form = SpeakerForm(request.POST, workspace=membership.workspace)
    if form.is_valid():
        try:
            speaker_create(
                membership=membership,
                event=current,
                name=form.cleaned_data["name"],
                organisation=form.cleaned_data["organisation"],
                handles=form.handles(),
            )
        except EventError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Speaker added."))
            return _back(pk, "speakers")
    return _invalid(request, membership, current, speaker_form=form)


@require_POST
@member_view(Perm.DRAFT)
def event_speaker_edit(request: HttpRequest, membership: Membership, pk: int, speaker_id: int) -> HttpResponse:
    current = _event(membership, pk)
    speaker = found(current.speakers.get, speaker_id)
    form = SpeakerForm(request.POST, workspace=membership.workspace)
    if form.is_valid():
        try:
            speaker_update(
                membership=membership,
                speaker=speaker,
                name=form.cleaned_data["name"],
                organisation=form.cleaned_data["organisation"],
                handles=form.handles(),
            )
        except EventError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Speaker saved."))
    else:
        messages.error(request, _("The speaker could not be saved: check the name."))
    return _back(pk, "speakers")


@require_POST
@member_view(Perm.DRAFT)
def event_speaker_delete(request: HttpRequest, membership: Membership, pk: int, speaker_id: int) -> HttpResponse:
    current = _event(membership, pk)
    speaker_delete(membership=membership, speaker=found(current.speakers.get, speaker_id))
    messages.success(request, _("Speaker removed."))
    return _back(pk, "speakers")


@require_POST
@member_view(Perm.DRAFT)
def event_prepared_add(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    current = _event(membership, pk)
    form = PreparedForm(request.POST, event=current)
    if form.is_valid():
        try:
            prepared_post_create(
                membership=membership,
                event=current,
                session=form.cleaned_data["session"],
                text=form.cleaned_data["text"],
            )
        except EventError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Prepared post added."))
            return _back(pk, "prepared")
    return _invalid(request, membership, current, prepared_form=form)


@require_POST
@member_view(Perm.DRAFT)
def event_prepared_delete(request: HttpRequest, membership: Membership, pk: int, prepared_id: int) -> HttpResponse:
    current = _event(membership, pk)
    prepared_post_delete(membership=membership, prepared=found(current.prepared_posts.get, prepared_id))
    messages.success(request, _("Prepared post removed."))
    return _back(pk, "prepared")


@require_POST
@member_view(Perm.DRAFT)
def event_announce(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    current = _event(membership, pk)
    form = AnnouncementsForm(request.POST, event=current)
    if not form.is_valid():
        return _invalid(request, membership, current, announcements_form=form)
    try:
        report = event_announcements_schedule(
            membership=membership,
            event=current,
            accounts=list(form.cleaned_data["accounts"]),
            announcements=form.announcements(),
        )
    except (EventError, CompositionError) as error:
        problems = error.problems if isinstance(error, CompositionError) else [error.message]
        for problem in problems:
            form.add_error(None, problem)
        return _invalid(request, membership, current, announcements_form=form)
    if report.scheduled:
        messages.success(
            request,
            _("Scheduled: %(labels)s.") % {"labels": ", ".join(item.label for item, _post in report.scheduled)},
        )
    if report.past:
        messages.warning(
            request,
            _("Too late for: %(labels)s.") % {"labels": ", ".join(item.label for item in report.past)},
        )
    if report.existing:
        messages.info(
            request,
            _("Already scheduled: %(labels)s.") % {"labels": ", ".join(item.label for item in report.existing)},
        )
    return _back(pk, "announcements")


# --- live ---------------------------------------------------------------------------------------------


def _chosen_session(event: LiveEvent, raw: str | None) -> EventSession | None:
    if raw and raw.isdigit():
        session = event.sessions.prefetch_related("speakers__handles").filter(pk=raw).first()
        if session is not None:
            return session
    return event_focus_session(event=event)


def _sent_context(event: LiveEvent) -> dict[str, Any]:
    """The latest live posts, and whether one is still on its way (the list then reads itself again)."""
    live_posts = event_posts(event, kind=EventPostKind.LIVE)[-5:][::-1]
    pending = any(
        delivery.action is not None and delivery.action.status in {ActionStatus.PENDING, ActionStatus.PROCESSING}
        for link in live_posts
        for delivery in link.post.deliveries.all()
    )
    return {"event": event, "live_posts": live_posts, "live_pending": pending}


def _live_context(membership: Membership, event: LiveEvent, session: EventSession | None) -> dict[str, Any]:
    accounts = _publishable(membership.workspace)
    chosen = {account.pk for account in event.accounts.all()} or {account.pk for account in accounts}
    prepared = [
        item for item in prepared_post_list(event) if item.session_id in {None, session.pk if session else None}
    ]
    return {
        "event": event,
        "session": session,
        "current": event_current_session(event=event),
        "sessions": list(event.sessions.all()),
        "accounts": accounts,
        "chosen": chosen,
        "prepared": prepared,
        "variants": live_preview(
            event=event, session=session, text="", accounts=[a for a in accounts if a.pk in chosen]
        ),
        **_sent_context(event),
        "wall": wall_item_list(event),
        "poll_seconds": WALL_POLL_SECONDS,
        "can_publish": _can(membership, Perm.PUBLISH),
        "can_curate": _can(membership, Perm.REPLY),
    }


@require_GET
@member_view(VIEW)
def event_live(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    current = _event(membership, pk)
    event_wall_refresh(event=current)
    session = _chosen_session(current, request.GET.get("session"))
    return render_page(request, "web/events_live.html", _live_context(membership, current, session))


@require_POST
@member_view(VIEW)
def event_live_preview(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    """Each chosen account's text as it will go out, and its length: the live counter."""
    current = _event(membership, pk)
    form = LiveForm(request.POST, event=current)
    form.is_valid()  # partial input is fine here: use what is valid
    data = form.cleaned_data
    variants = live_preview(
        event=current,
        session=data.get("session") or None,
        text=data.get("text", ""),
        accounts=list(data.get("accounts") or []),
        mention_speakers=bool(data.get("mention_speakers")),
    )
    return render_page(request, "web/events_live.html", {"variants": variants}, partial="preview")


@require_POST
@member_view(Perm.PUBLISH)
def event_live_publish(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    current = _event(membership, pk)
    form = LiveForm(request.POST, event=current)
    problems: list[str] = []
    if form.is_valid():
        data = form.cleaned_data
        try:
            live_post(
                membership=membership,
                event=current,
                text=data["text"],
                accounts=list(data["accounts"]),
                session=data["session"],
                mention_speakers=data["mention_speakers"],
                prepared=data["prepared"],
            )
        except CompositionError as error:
            problems = error.problems
        except EventError as error:
            problems = [error.message]
    else:
        problems = [str(error) for errors in form.errors.values() for error in errors]
    if htmx_target(request) is not None:
        context = {**_sent_context(current), "problems": problems}
        return render_page(request, "web/events_live.html", context, partial="sent", status=400 if problems else 200)
    for problem in problems:
        messages.error(request, problem)
    if not problems:
        messages.success(request, _("Posted live."))
    response = redirect("web:event_live", pk=pk)
    session = request.POST.get("session", "")
    if session.isdigit():
        response["Location"] += f"?session={session}"
    return response


@require_GET
@member_view(VIEW)
def event_live_sent(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    """The latest live posts and how their delivery goes (polled while one is on its way)."""
    current = _event(membership, pk)
    return render_page(request, "web/events_live.html", _sent_context(current), partial="sent")


@require_GET
@member_view(VIEW)
def event_wall(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    """The live wall, read again from the networks at most every few seconds (HTMX polls it)."""
    current = _event(membership, pk)
    event_wall_refresh(event=current)
    context = {
        "event": current,
        "wall": wall_item_list(current),
        "poll_seconds": WALL_POLL_SECONDS,
        "can_curate": _can(membership, Perm.REPLY),
    }
    return render_page(request, "web/events_live.html", context, partial="wall")


@require_POST
@member_view(Perm.REPLY)
def event_wall_item(request: HttpRequest, membership: Membership, pk: int, item_id: int) -> HttpResponse:
    """Star, hide or un-hide a post of the wall, or say whether it is a question."""
    current = _event(membership, pk)
    item = found(wall_item_get, current, item_id)
    action = request.POST.get("action", "")
    actions: dict[str, dict[str, bool]] = {
        "star": {"starred": True},
        "unstar": {"starred": False},
        "hide": {"hidden": True},
        "show": {"hidden": False},
        "question": {"is_question": True},
        "not_question": {"is_question": False},
    }
    changes = actions.get(action, {})
    if changes:
        item = wall_item_update(membership=membership, item=item, **changes)
    if htmx_target(request) is not None:
        return render_page(
            request, "web/events_live.html", {"event": current, "item": item, "can_curate": True}, partial="wall_item"
        )
    return redirect("web:event_live", pk=pk)


@require_GET
@member_view(VIEW)
def event_questions_page(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    """The audience's questions per session, starred first: a page to print or to show the speakers."""
    current = _event(membership, pk)
    event_wall_refresh(event=current)  # the speakers' page stays live even with no wall open
    starred_only = request.GET.get("starred") == "1"
    context = {
        "event": current,
        "groups": event_questions(current, starred_only=starred_only),
        "starred_only": starred_only,
        "presenter": request.GET.get("presenter") == "1",
    }
    return render_page(request, "web/events_questions.html", context)


# --- recap --------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@member_view(VIEW)
def event_recap_page(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    current = _event(membership, pk)
    if request.method == "GET":
        event_wall_refresh(event=current)  # the last posts of the audience count too
    recap = event_recap(current)
    status = 200
    if request.method == "POST":
        if not _can(membership, Perm.PUBLISH):
            return _refused(request, Perm.PUBLISH)
        form = RecapForm(request.POST, workspace=membership.workspace)
        if form.is_valid():
            try:
                event_recap_publish(
                    membership=membership,
                    event=current,
                    text=form.cleaned_data["text"],
                    accounts=list(form.cleaned_data["accounts"]),
                )
            except CompositionError as error:
                for problem in error.problems:
                    form.add_error(None, problem)
            except EventError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Recap post published."))
                return redirect("web:event_recap", pk=pk)
        status = 400
    else:
        form = RecapForm(
            workspace=membership.workspace,
            initial={"text": recap_suggestion(recap), "accounts": [account.pk for account in current.accounts.all()]},
        )
    context = {
        "event": current,
        "recap": recap,
        "form": form,
        "can_publish": _can(membership, Perm.PUBLISH),
        "phase": current.phase(),
    }
    return render_page(request, "web/events_recap.html", context, status=status)


@require_GET
@member_view(VIEW)
def event_recap_export(request: HttpRequest, membership: Membership, pk: int, fmt: str) -> HttpResponse:
    if fmt not in {"md", "csv"}:
        raise Http404
    current = _event(membership, pk)
    recap = event_recap(current)
    stamp = current.starts_at.astimezone(membership.workspace.zone).strftime("%Y-%m-%d")
    filename = f"{current.hashtag}-{stamp}-recap"
    if fmt == "csv":
        response = HttpResponse(recap_csv(recap), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    else:
        response = HttpResponse(recap_markdown(recap), content_type="text/markdown; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}.md"'
    return response


urlpatterns: list[URLPattern] = [
    path("events/", events, name="events"),
    path("events/<int:pk>/", event, name="event"),
    path("events/<int:pk>/edit/", event_edit, name="event_edit"),
    path("events/<int:pk>/delete/", event_delete_view, name="event_delete"),
    path("events/<int:pk>/sessions/", event_session_add, name="event_session_add"),
    path("events/<int:pk>/sessions/<int:session_id>/delete/", event_session_delete, name="event_session_delete"),
    path("events/<int:pk>/speakers/", event_speaker_add, name="event_speaker_add"),
    path("events/<int:pk>/speakers/<int:speaker_id>/", event_speaker_edit, name="event_speaker_edit"),
    path("events/<int:pk>/speakers/<int:speaker_id>/delete/", event_speaker_delete, name="event_speaker_delete"),
    path("events/<int:pk>/prepared/", event_prepared_add, name="event_prepared_add"),
    path("events/<int:pk>/prepared/<int:prepared_id>/delete/", event_prepared_delete, name="event_prepared_delete"),
    path("events/<int:pk>/announcements/", event_announce, name="event_announce"),
    path("events/<int:pk>/live/", event_live, name="event_live"),
    path("events/<int:pk>/live/preview/", event_live_preview, name="event_live_preview"),
    path("events/<int:pk>/live/publish/", event_live_publish, name="event_live_publish"),
    path("events/<int:pk>/live/sent/", event_live_sent, name="event_live_sent"),
    path("events/<int:pk>/wall/", event_wall, name="event_wall"),
    path("events/<int:pk>/wall/<int:item_id>/", event_wall_item, name="event_wall_item"),
    path("events/<int:pk>/questions/", event_questions_page, name="event_questions"),
    path("events/<int:pk>/recap/", event_recap_page, name="event_recap"),
    path("events/<int:pk>/recap/export.<str:fmt>", event_recap_export, name="event_recap_export"),
]
