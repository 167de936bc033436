"""What runs after new messages are stored: SLA timers, grouping, moderation rules, welcome, crisis.

Apps above the inbox (moderation) cannot be imported by it, so they register here in their
AppConfig.ready(); inbox areas register the same way, so the order is explicit in one place.
Hooks run inside the ingest transaction, in ascending `order`, with the messages just stored
(incoming only, triaged, with their primary keys). A hook must be idempotent: a retried poll
may hand it the same messages again only if they were not stored, but a crash between hooks
rolls the whole batch back.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from parvis.inbox.models import Message
    from parvis.networks.models import ConnectedAccount

AfterIngest = Callable[["ConnectedAccount", Sequence["Message"]], None]

# Conventional orders: keep gaps so an area can slot in between.
ORDER_SLA = 10
ORDER_GROUPING = 20
ORDER_ASSIGNMENT = 30
ORDER_MODERATION = 40
ORDER_WELCOME = 50
ORDER_CRISIS = 60


@dataclass(frozen=True)
class _Hook:
    order: int
    name: str
    run: AfterIngest


_HOOKS: dict[str, _Hook] = {}


def register_after_ingest(name: str, hook: AfterIngest, *, order: int) -> None:
    """Register (or replace, by name) a hook run after each stored batch."""
    _HOOKS[name] = _Hook(order=order, name=name, run=hook)


def run_after_ingest(account: ConnectedAccount, messages: Sequence[Message]) -> None:
    if not messages:
        return
    for hook in sorted(_HOOKS.values(), key=lambda item: (item.order, item.name)):
        hook.run(account, messages)


def registered() -> list[str]:
    return [hook.name for hook in sorted(_HOOKS.values(), key=lambda item: (item.order, item.name))]
