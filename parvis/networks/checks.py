"""System checks for delivery settings (`manage.py check`, and every command that runs them at startup).

The exactly-once argument rests on one inequality: an attempt is cut off at the run timeout, and
the scheduler takes an action back from a silent worker only after the re-delivery window, which
is longer. If it were not, an action could be sent again while its first attempt was still running.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register

# Calls in one publish with images (upload, processing, post): the run timeout should leave room for them.
CALLS_PER_ATTEMPT = 4


@register("parvis")
def delivery_timeouts(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """PARVIS_HTTP_TIMEOUT < PARVIS_ACTION_RUN_TIMEOUT < re-delivery window (with a tick to spare)."""
    from parvis.networks.services import redelivery_after_seconds

    messages: list[CheckMessage] = []
    run = float(settings.PARVIS_ACTION_RUN_TIMEOUT)
    http = float(settings.PARVIS_HTTP_TIMEOUT)
    tick = float(settings.PARVIS_SCHEDULER_TICK)
    redelivery = redelivery_after_seconds()
    if run <= 0:
        messages.append(Error("PARVIS_ACTION_RUN_TIMEOUT must be a positive number of seconds.", id="networks.E002"))
        return messages
    if redelivery <= run + tick:
        messages.append(
            Error(
                f"The re-delivery window ({redelivery:g} s) must be longer than PARVIS_ACTION_RUN_TIMEOUT ({run:g} s) "
                f"plus a scheduler tick ({tick:g} s): otherwise an action may be sent again while its attempt "
                "is still running.",
                hint="Raise PARVIS_ACTION_REDELIVERY_AFTER, or leave it unset (run timeout + 60 s).",
                id="networks.E001",
            )
        )
    if http >= run:
        messages.append(
            Error(
                f"PARVIS_HTTP_TIMEOUT ({http:g} s) must be shorter than PARVIS_ACTION_RUN_TIMEOUT ({run:g} s): "
                "a single call to a network could outlast the attempt.",
                id="networks.E003",
            )
        )
    elif http * CALLS_PER_ATTEMPT > run:
        messages.append(
            Warning(
                f"PARVIS_ACTION_RUN_TIMEOUT ({run:g} s) leaves little room for a post with images "
                f"({CALLS_PER_ATTEMPT} calls of up to PARVIS_HTTP_TIMEOUT = {http:g} s): slow uploads will be cut off "
                "and retried.",
                id="networks.W001",
            )
        )
    return messages
