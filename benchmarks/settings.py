"""Settings for benchmark and drill runs: Parvis's own, on a database of their own.

Tables are created from the models (`migrate --run-syncdb`, migrations disabled), the way the
test suite does, so a run needs nothing but an empty database. The re-delivery window comes from
the environment here, so runs can use short timeouts.
"""

from __future__ import annotations

import os

from parvis.settings import *  # noqa: F403


class _NoMigrations(dict[str, None]):
    def __contains__(self, item: object) -> bool:
        return True

    def __getitem__(self, item: str) -> None:
        return None


MIGRATION_MODULES = _NoMigrations()

if "PARVIS_ACTION_REDELIVERY_AFTER" in os.environ:
    PARVIS_ACTION_REDELIVERY_AFTER = float(os.environ["PARVIS_ACTION_REDELIVERY_AFTER"])
