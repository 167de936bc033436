"""Publishing models, one module per sub-domain; everything is importable from here."""

from parvis.publishing.models.approvals import *  # noqa: F403
from parvis.publishing.models.calendar import *  # noqa: F403
from parvis.publishing.models.events import *  # noqa: F403
from parvis.publishing.models.links import *  # noqa: F403
from parvis.publishing.models.posts import (
    Campaign,
    Delivery,
    MediaItem,
    Post,
    PostOrigin,
    PostStage,
    PostStatus,
    PublishingSettings,
    RelayKind,
    post_status,
)

__all__ = [
    "Campaign",
    "Delivery",
    "MediaItem",
    "Post",
    "PostOrigin",
    "PostStage",
    "PostStatus",
    "PublishingSettings",
    "RelayKind",
    "post_status",
]
