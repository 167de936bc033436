"""Inbox models, one module per area; every model is importable from `parvis.inbox.models`."""

from parvis.inbox.models.conversations import *  # noqa: F403
from parvis.inbox.models.grouping import *  # noqa: F403
from parvis.inbox.models.reactions import *  # noqa: F403
from parvis.inbox.models.sla import *  # noqa: F403
from parvis.inbox.models.triage import *  # noqa: F403
from parvis.inbox.models.welcome import *  # noqa: F403
from parvis.inbox.models.work import *  # noqa: F403
