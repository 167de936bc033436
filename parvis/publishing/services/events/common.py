"""Shared by the live-event services: errors for the user, times in the workspace's zone, checks."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from parvis.core.models import Membership, Workspace
from parvis.networks.models import ConnectedAccount
from parvis.networks.protocol import Capabilities
from parvis.networks.registry import UnknownNetwork, display_name, get_connector
from parvis.publishing.models import LiveEvent
from parvis.publishing.timeparse import InvalidLocalTime, local_to_utc


class EventError(ValueError):
    """The request cannot be carried out; `message` says why, in the user's language."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def instant_in_zone(value: datetime, workspace: Workspace) -> datetime:
    """An aware instant: naive values are wall-clock times in the workspace's zone (DST-safe)."""
    if timezone.is_aware(value):
        return value
    try:
        return local_to_utc(value, workspace.zone)
    except InvalidLocalTime as error:
        raise EventError(
            _("%(time)s does not exist in %(zone)s: the clocks change at that time.")
            % {"time": f"{value:%Y-%m-%d %H:%M}", "zone": workspace.timezone}
        ) from error


def check_times(starts_at: datetime, ends_at: datetime) -> None:
    if ends_at <= starts_at:
        raise EventError(_("The end must come after the start."))


def capabilities_of(network: str) -> Capabilities:
    try:
        return get_connector(network).capabilities
    except (UnknownNetwork, ImportError):
        return Capabilities()


def require_own_event(membership: Membership, event: LiveEvent) -> None:
    if event.workspace_id != membership.workspace_id:
        raise PermissionError("Not your workspace")


def target_accounts(membership: Membership, accounts: Sequence[ConnectedAccount]) -> list[ConnectedAccount]:
    unique = list({account.pk: account for account in accounts}.values())
    if any(account.workspace_id != membership.workspace_id for account in unique):
        raise PermissionError("An account does not belong to this workspace")
    if not unique:
        raise EventError(_("Choose at least one account."))
    return unique


network_name = display_name
