"""The JSON API, version 1: /api/v1/…, schema at /api/v1/openapi.json, docs at /api/v1/docs."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path
from ninja import NinjaAPI

from parvis.api import accounts, inbox, posts
from parvis.api.auth import TokenAuth
from parvis.api.errors import install_error_handlers

api = NinjaAPI(
    title="Parvis API",
    version="1",
    description=(
        "Per-user tokens: `Authorization: Bearer <token>` (create one with "
        "`manage.py parvis_api_token USERNAME --workspace SLUG`). A token acts as its user's "
        "membership in one workspace, with that membership's role. Errors are "
        '`{"detail": "...", "problems": [...]}`, in the language of `Accept-Language` (French or English).'
    ),
    urls_namespace="api-v1",
    auth=TokenAuth(),
)
install_error_handlers(api)
api.add_router("/inbox", inbox.router)
api.add_router("/posts", posts.router)
api.add_router("/", accounts.router)

urlpatterns: list[URLPattern | URLResolver] = [path("", api.urls)]
