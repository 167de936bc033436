"""Moderation models, one module per area; every model is importable from `parvis.moderation.models`."""

from parvis.moderation.models.charter import *  # noqa: F403
from parvis.moderation.models.crisis import *  # noqa: F403
