from __future__ import annotations

import pytest

from parvis.core.models import Workspace
from parvis.core.tests.factories import WorkspaceFactory
from parvis.networks.models import AccountStatus, ActionStatus, ConnectedAccount
from parvis.networks.selectors import account_get, account_list, action_get, ledger_list
from parvis.networks.tests.factories import ActionFactory, ConnectedAccountFactory


def test_the_account_list_leaves_out_disconnected_accounts(workspace: Workspace) -> None:
    active = ConnectedAccountFactory(workspace=workspace)
    ConnectedAccountFactory(workspace=workspace, status=AccountStatus.DISABLED)

    assert list(account_list(workspace)) == [active]


def test_the_account_list_shows_only_the_workspaces_accounts(workspace: Workspace) -> None:
    ours = ConnectedAccountFactory(workspace=workspace)
    ConnectedAccountFactory(workspace=WorkspaceFactory())

    assert list(account_list(workspace, include_disabled=True)) == [ours]


def test_an_account_of_another_workspace_cannot_be_read(workspace: Workspace) -> None:
    foreign = ConnectedAccountFactory(workspace=WorkspaceFactory())

    with pytest.raises(ConnectedAccount.DoesNotExist):
        account_get(workspace, foreign.pk)


def test_the_ledger_shows_only_the_workspaces_actions(account: ConnectedAccount) -> None:
    ours = ActionFactory(account=account)
    ActionFactory()

    assert list(ledger_list(account.workspace)) == [ours]


def test_the_ledger_filters_by_status_and_account(workspace: Workspace) -> None:
    first = ConnectedAccountFactory(workspace=workspace)
    second = ConnectedAccountFactory(workspace=workspace)
    wanted = ActionFactory(account=first, status=ActionStatus.FAILED)
    ActionFactory(account=first, status=ActionStatus.DONE)
    ActionFactory(account=second, status=ActionStatus.FAILED)

    assert list(ledger_list(workspace, account_id=first.pk, status=ActionStatus.FAILED)) == [wanted]


def test_an_action_of_another_workspace_cannot_be_read(workspace: Workspace) -> None:
    foreign = ActionFactory()

    with pytest.raises(type(foreign).DoesNotExist):
        action_get(workspace, foreign.pk)
