"""Thin jobs: load by id, call one service."""

from __future__ import annotations

from django_tasks import task

from parvis.networks import services


@task()
def execute_action(action_id: int) -> str:
    action = services.action_execute(action_id=action_id)
    return action.status if action else "skipped"


@task()
def poll_account(account_id: int) -> int:
    report = services.account_poll(account_id=account_id)
    return report.stored if report else 0
