"""Parvis's URLs plus the Matrix onboarding in the "web" namespace, for tests run before the lead wires it."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, include, path

from parvis import urls as root
from parvis.web import urls as web

_ONBOARDING = path("accounts/matrix/", include("parvis.networks.connectors.matrix.urls"))
_WEB: list[URLPattern | URLResolver] = [*web.urlpatterns, _ONBOARDING]

urlpatterns: list[URLPattern | URLResolver] = [
    pattern
    for pattern in root.urlpatterns
    if not (isinstance(pattern, URLResolver) and getattr(pattern, "app_name", None) == "web")
] + [path("", include((_WEB, "web")))]
