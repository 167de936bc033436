from __future__ import annotations

import pytest
from django.utils import timezone

from parvis.core.models import AuditEntry, Membership
from parvis.core.permissions import PermissionDenied
from parvis.core.tests.factories import VoiceFactory
from parvis.networks.connectors.fake.connector import FakeConnector
from parvis.networks.errors import AuthExpired
from parvis.networks.models import AccountStatus, ActionStatus, ConnectedAccount
from parvis.networks.services import account_connect, account_disconnect
from parvis.networks.tests.factories import ActionFactory


def _connect(membership: Membership, token: str, **extra: str) -> ConnectedAccount:
    return account_connect(
        membership=membership,
        network="fake",
        instance_url="https://fake.example/",
        credentials={"access_token": token, **extra},
    )


def _needs_reauth(account: ConnectedAccount) -> None:
    account.status = AccountStatus.NEEDS_REAUTH
    account.next_poll_at = None
    account.last_error = "The access token was revoked."
    account.save(update_fields=["status", "next_poll_at", "last_error"])


def test_it_connects_the_account_the_credentials_belong_to(camille: Membership) -> None:
    account = _connect(camille, "cci")

    assert (account.external_id, account.handle, account.status) == ("id-cci", "@cci", AccountStatus.ACTIVE)
    assert account.instance_url == "https://fake.example/"  # kept as given: a feed may need its slash
    assert account.credentials == {"access_token": "cci"}


def test_a_new_account_is_polled_at_once(camille: Membership) -> None:
    account = _connect(camille, "cci")

    assert account.next_poll_at is not None
    assert account.next_poll_at <= timezone.now()


def test_credentials_the_network_refuses_connect_nothing(camille: Membership) -> None:
    FakeConnector.fail_next.append(AuthExpired("Invalid token"))

    with pytest.raises(AuthExpired):
        _connect(camille, "cci")

    assert not ConnectedAccount.objects.exists()


def test_connecting_an_account_needs_the_manage_accounts_permission(theo: Membership) -> None:
    with pytest.raises(PermissionDenied):
        _connect(theo, "cci")


def test_connecting_is_written_to_the_audit_log(camille: Membership) -> None:
    _connect(camille, "cci")

    assert AuditEntry.objects.filter(workspace=camille.workspace, verb="account.connect").count() == 1


def test_reconnecting_the_account_releases_its_held_actions(camille: Membership) -> None:
    account = _connect(camille, "cci")
    _needs_reauth(account)
    held = ActionFactory(account=account, status=ActionStatus.HELD, last_error="cci must be reconnected")

    _connect(camille, "cci", issued_at="2026-05-04")

    held.refresh_from_db()
    assert held.status == ActionStatus.PENDING
    assert held.next_attempt_at <= timezone.now()


def test_a_released_action_is_sent_once_the_reconnection_commits(
    camille: Membership, django_capture_on_commit_callbacks: pytest.FixtureRequest
) -> None:
    account = _connect(camille, "cci")
    _needs_reauth(account)
    held = ActionFactory(account=account, status=ActionStatus.HELD)

    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        _connect(camille, "cci", issued_at="2026-05-04")

    held.refresh_from_db()
    assert held.status == ActionStatus.DONE
    assert len(FakeConnector.published) == 1


def test_reconnecting_resumes_polling(camille: Membership) -> None:
    account = _connect(camille, "cci")
    _needs_reauth(account)

    _connect(camille, "cci", issued_at="2026-05-04")

    account.refresh_from_db()
    assert account.status == AccountStatus.ACTIVE
    assert account.last_error == ""
    assert account.next_poll_at is not None


def test_reconnecting_stores_the_new_credentials(camille: Membership) -> None:
    account = _connect(camille, "cci")

    _connect(camille, "cci", issued_at="2026-05-04")

    account.refresh_from_db()
    assert account.credentials == {"access_token": "cci", "issued_at": "2026-05-04"}


def test_reconnecting_keeps_the_voice_chosen_for_the_account(camille: Membership) -> None:
    VoiceFactory(workspace=camille.workspace, name="Chambre de commerce")
    president = VoiceFactory(workspace=camille.workspace, name="Présidente")
    account = _connect(camille, "cci")
    ConnectedAccount.objects.filter(pk=account.pk).update(voice=president)

    _connect(camille, "cci", issued_at="2026-05-04")

    account.refresh_from_db()
    assert account.voice == president


def test_reconnecting_leaves_actions_of_other_accounts_held(camille: Membership) -> None:
    account = _connect(camille, "cci")
    other = _connect(camille, "president")
    _needs_reauth(other)
    held = ActionFactory(account=other, status=ActionStatus.HELD)

    _connect(camille, "cci", issued_at="2026-05-04")

    held.refresh_from_db()
    assert held.status == ActionStatus.HELD
    assert account.pk != other.pk


def test_disconnecting_cancels_what_was_waiting_to_be_sent(camille: Membership) -> None:
    account = _connect(camille, "cci")
    pending = ActionFactory(account=account)
    held = ActionFactory(account=account, status=ActionStatus.HELD)
    done = ActionFactory(account=account, status=ActionStatus.DONE)

    account_disconnect(membership=camille, account=account)

    statuses = {action.pk: action.status for action in account.actions.all()}
    assert statuses == {
        pending.pk: ActionStatus.CANCELLED,
        held.pk: ActionStatus.CANCELLED,
        done.pk: ActionStatus.DONE,
    }


def test_disconnecting_forgets_the_credentials_and_stops_polling(camille: Membership) -> None:
    account = _connect(camille, "cci")

    account_disconnect(membership=camille, account=account)

    account.refresh_from_db()
    assert account.status == AccountStatus.DISABLED
    assert account.credentials == {}


def test_disconnecting_another_workspaces_account_is_refused(camille: Membership, oscar: Membership) -> None:
    account = _connect(camille, "cci")

    with pytest.raises(PermissionError):
        account_disconnect(membership=oscar, account=account)

    account.refresh_from_db()
    assert account.status == AccountStatus.ACTIVE
