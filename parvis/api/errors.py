"""Every error the API returns is JSON `{"detail": "...", "problems": [...]}` with the right status."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from parvis.core.permissions import PermissionDenied
from parvis.inbox.services import ReplyError
from parvis.publishing.services import CompositionError


def install_error_handlers(api: NinjaAPI) -> None:
    handlers: list[tuple[type[Exception], Any]] = [
        (AuthenticationError, _unauthenticated),
        (PermissionDenied, _forbidden),
        (ObjectDoesNotExist, _not_found),
        (Http404, _not_found),
        (HttpError, _http_error),
        (ValidationError, _invalid),
        (CompositionError, _not_publishable),
        (ReplyError, _not_answerable),
    ]
    for exception, handler in handlers:
        api.add_exception_handler(exception, partial(handler, api=api))


def _respond(
    api: NinjaAPI, request: HttpRequest, status: int, detail: str, problems: list[str] | None = None
) -> HttpResponse:
    return api.create_response(request, {"detail": detail, "problems": problems or []}, status=status)


def _unauthenticated(request: HttpRequest, error: AuthenticationError, *, api: NinjaAPI) -> HttpResponse:
    response = _respond(api, request, 401, _("Missing, unknown or revoked API token."))
    response["WWW-Authenticate"] = "Bearer"
    return response


def _forbidden(request: HttpRequest, error: PermissionDenied, *, api: NinjaAPI) -> HttpResponse:
    detail = _("Your role in this workspace does not allow this (%(permission)s).") % {"permission": error.perm.value}
    return _respond(api, request, 403, detail)


def _not_found(request: HttpRequest, error: Exception, *, api: NinjaAPI) -> HttpResponse:
    # Another workspace's rows are "not found" too: their existence is not ours to reveal.
    return _respond(api, request, 404, _("Not found."))


def _http_error(request: HttpRequest, error: HttpError, *, api: NinjaAPI) -> HttpResponse:
    return _respond(api, request, error.status_code, error.message)


def _invalid(request: HttpRequest, error: ValidationError, *, api: NinjaAPI) -> HttpResponse:
    return _respond(api, request, 422, _("The request is not valid."), [_describe(item) for item in error.errors])


def _not_publishable(request: HttpRequest, error: CompositionError, *, api: NinjaAPI) -> HttpResponse:
    return _respond(api, request, 422, _("The post cannot be published as written."), list(error.problems))


def _not_answerable(request: HttpRequest, error: ReplyError, *, api: NinjaAPI) -> HttpResponse:
    return _respond(api, request, 422, str(error))


def _describe(error: dict[str, Any]) -> str:
    """Ninja's `{"loc": ["body", "payload", "text"], "msg": "Field required"}` → "text: Field required"."""
    location = [str(part) for part in error.get("loc", ())]
    if location[:1] == ["body"]:
        location = location[2:]
    elif location[:1] in (["query"], ["path"]):
        location = location[1:]
    message = str(error.get("msg", ""))
    return f"{'.'.join(location)}: {message}" if location else message
