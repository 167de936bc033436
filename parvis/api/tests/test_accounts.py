"""/accounts and /ledger."""

from __future__ import annotations

from parvis.api.tests.network import event, receive
from parvis.inbox.models import Conversation
from parvis.networks.connectors.fake.connector import FakeConnector
from parvis.networks.errors import TransientError
from parvis.networks.models import AccountStatus, ConnectedAccount
from parvis.networks.services import account_poll


def test_accounts_show_network_handle_status_last_poll_and_last_error(api, camille, account):
    FakeConnector.fail_next = [TransientError("The instance did not answer")]
    account_poll(account_id=account.pk)

    (listed,) = api.as_(camille).get("/accounts").json()

    assert (listed["id"], listed["network"], listed["handle"], listed["status"]) == (
        account.pk,
        "fake",
        "@cci_lyon",
        "active",
    )
    assert listed["last_poll_at"] is not None
    assert listed["last_error"] == "The instance did not answer"


def test_accounts_leave_out_disconnected_ones_unless_asked(api, camille, account, second_account):
    ConnectedAccount.objects.filter(pk=second_account.pk).update(status=AccountStatus.DISABLED)

    default = api.as_(camille).get("/accounts").json()
    everything = api.as_(camille).get("/accounts", include_disabled="true").json()

    assert [item["handle"] for item in default] == ["@cci_lyon"]
    assert [item["handle"] for item in everything] == ["@cci_lyon", "@cci_lyon_events"]


def test_accounts_of_another_workspace_are_not_listed(api, oscar, account, oscar_account):
    assert [item["handle"] for item in api.as_(oscar).get("/accounts").json()] == ["@brasserie"]


def _reply(api, member, account, text):
    conversation = Conversation.objects.filter(account=account).first()
    return api.as_(member).post(f"/inbox/items/{conversation.pk}/reply", {"text": text})


def test_ledger_lists_actions_with_their_attempts(api, camille, account, django_capture_on_commit_callbacks):
    receive(account, event("s1", "Une question"))
    with django_capture_on_commit_callbacks(execute=True):
        _reply(api, camille, account, "Une réponse")

    (entry,) = api.as_(camille).get("/ledger").json()["items"]

    assert (entry["kind"], entry["status"], entry["summary"], entry["source"]) == (
        "reply",
        "done",
        "Une réponse",
        "inbox.reply",
    )
    assert entry["account"]["handle"] == "@cci_lyon"
    assert entry["created_by"] == "camille"
    assert [attempt["outcome"] for attempt in entry["attempt_log"]] == ["ok"]


def test_ledger_filters_by_status(api, camille, account, django_capture_on_commit_callbacks):
    receive(account, event("s1", "Une question"))
    FakeConnector.fail_next = [TransientError("timeout")]
    with django_capture_on_commit_callbacks(execute=True):
        _reply(api, camille, account, "Échoue d'abord")
    _reply(api, camille, account, "En attente")

    pending = api.as_(camille).get("/ledger", status="pending").json()["items"]

    assert {entry["summary"] for entry in pending} == {"Échoue d'abord", "En attente"}
    assert api.as_(camille).get("/ledger", status="done").json()["items"] == []


def test_ledger_filters_by_account(api, camille, account, second_account):
    receive(account, event("s1", "Au compte principal"))
    receive(second_account, event("e1", "Au compte événements"))
    _reply(api, camille, account, "Réponse principale")
    _reply(api, camille, second_account, "Réponse événements")

    entries = api.as_(camille).get("/ledger", account_id=second_account.pk).json()["items"]

    assert [entry["summary"] for entry in entries] == ["Réponse événements"]


def test_ledger_of_another_workspace_is_empty(api, camille, oscar, account):
    receive(account, event("s1", "Une question"))
    _reply(api, camille, account, "Une réponse")

    assert api.as_(oscar).get("/ledger").json()["items"] == []


def test_ledger_refuses_an_unknown_status_with_422(api, camille):
    response = api.as_(camille).get("/ledger", status="exploded")

    assert response.status_code == 422


def test_a_contributor_reads_the_ledger(api, theo, account):
    assert api.as_(theo).get("/ledger").status_code == 200
