"""Per-user API tokens: `Authorization: Bearer <token>`.

A token acts as one membership: the workspace comes from the token, never from the request,
and the role of that membership decides what the caller may do (core.permissions).
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer

from parvis.core.models import Membership
from parvis.core.services import api_token_authenticate


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Membership | None:
        token = token.strip()
        if not token:
            return None
        return api_token_authenticate(raw=token)


def acting_membership(request: HttpRequest) -> Membership:
    """The membership the request's token acts as (set by TokenAuth before the view runs)."""
    membership = getattr(request, "auth", None)
    if not isinstance(membership, Membership):
        raise AuthenticationError()
    return membership
