"""Writes for publishing, one module per sub-domain. Import from the module that owns the service
(`parvis.publishing.services.posts`, `.media`, `.links`, `.approvals`, ...); the post and media
services are also importable from here for existing callers."""

from parvis.publishing.services.media import CompositionError, media_archive, media_update, media_upload
from parvis.publishing.services.posts import (
    VariantInput,
    approval_needed,
    composition_check,
    post_cancel,
    post_check,
    post_create,
    post_delete,
    post_release,
    post_reschedule,
    post_update,
)

__all__ = [
    "CompositionError",
    "VariantInput",
    "approval_needed",
    "composition_check",
    "media_archive",
    "media_update",
    "media_upload",
    "post_cancel",
    "post_check",
    "post_create",
    "post_delete",
    "post_release",
    "post_reschedule",
    "post_update",
]
