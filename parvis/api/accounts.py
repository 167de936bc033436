"""/accounts and /ledger: connected accounts and their health, and what Parvis did on the networks."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router

from parvis.api.auth import acting_membership
from parvis.api.schemas import (
    ERRORS,
    AccountOut,
    LedgerFilters,
    LedgerPageOut,
    account_out,
    ledger_entry_out,
    next_offset,
)
from parvis.core.permissions import Perm
from parvis.core.services import require
from parvis.networks.selectors import account_list, ledger_list

router = Router(tags=["accounts"])


@router.get("/accounts", response={200: list[AccountOut], **ERRORS}, summary="Connected accounts and their health")
def list_accounts(request: HttpRequest, include_disabled: bool = False) -> list[AccountOut]:
    membership = acting_membership(request)
    return [account_out(account) for account in account_list(membership.workspace, include_disabled=include_disabled)]


@router.get("/ledger", response={200: LedgerPageOut, **ERRORS}, summary="Actions on the networks, latest first")
def list_ledger(request: HttpRequest, filters: Query[LedgerFilters]) -> LedgerPageOut:
    membership = acting_membership(request)
    require(membership, Perm.VIEW_LEDGER)
    actions = list(
        ledger_list(
            membership.workspace,
            account_id=filters.account_id,
            status=filters.status,
            limit=filters.offset + filters.limit + 1,  # one more tells whether another page follows
        )
    )[filters.offset :]
    shown = actions[: filters.limit]
    return LedgerPageOut(
        limit=filters.limit,
        offset=filters.offset,
        next_offset=next_offset(filters, len(shown), more=len(actions) > filters.limit),
        items=[ledger_entry_out(action) for action in shown],
    )
