from __future__ import annotations

from collections.abc import Iterator

import pytest

from parvis.inbox import grouping_hooks, hooks


@pytest.fixture(autouse=True)
def grouping_hook() -> Iterator[None]:
    """The lead wires grouping_hooks.register() in the inbox app; until then, and for isolation, register here."""
    before = dict(hooks._HOOKS)
    grouping_hooks.register()
    yield
    hooks._HOOKS.clear()
    hooks._HOOKS.update(before)
