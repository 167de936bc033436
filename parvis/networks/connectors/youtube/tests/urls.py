"""The site's URLs plus the YouTube onboarding pages, for the tests until the lead wires them in parvis/web/urls.py."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, include, path

from parvis import urls as root
from parvis.networks.connectors.youtube import urls as youtube_urls
from parvis.web import urls as web_urls

_web: list[URLPattern | URLResolver] = [
    *web_urls.urlpatterns,
    path("accounts/youtube/", include(youtube_urls.urlpatterns)),
]

urlpatterns: list[URLPattern | URLResolver] = [
    *(p for p in root.urlpatterns if getattr(p, "app_name", None) != "web"),
    path("", include((_web, "web"))),
]
