"""Writes for publishing, one module per sub-domain. Import from the module that owns the service
(`parvis.publishing.services.posts`, `.links`, `.approvals`, ...); the post services are also
importable from here for existing callers."""

from parvis.publishing.services.posts import CompositionError, composition_check, media_upload, post_create

__all__ = ["CompositionError", "composition_check", "media_upload", "post_create"]
