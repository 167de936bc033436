"""Thin jobs: load by id, call one service."""

from __future__ import annotations

import os
import socket

from django_tasks import task

from parvis.networks import services, services_health


@task()
def execute_action(action_id: int) -> str:
    action = services.action_execute(action_id=action_id)
    return action.status if action else "skipped"


@task()
def poll_account(account_id: int) -> int:
    report = services.account_poll(account_id=account_id)
    return report.stored if report else 0


@task()
def verify_action(action_id: int) -> str:
    action = services.action_verify(action_id=action_id)
    if action is None:
        return "skipped"
    return "verified" if action.verified_at else ("missing" if action.last_error else "later")


@task()
def ping_workers(sent_at: str) -> str:
    """Sent by the scheduler every minute: the worker that runs it proves the queue is being processed."""
    worker = worker_name()
    services_health.worker_sign(worker=worker)
    return worker


def worker_name() -> str:
    """How the health page names this worker process: host and process id."""
    return f"{socket.gethostname()}:{os.getpid()}"
