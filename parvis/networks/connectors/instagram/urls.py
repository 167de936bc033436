"""Onboarding URLs, included by parvis/web/urls.py at accounts/instagram/ in the "web" namespace.

Facebook's callback (web:facebook_callback) serves Instagram too: one Meta app, one redirect URI.
"""

from __future__ import annotations

from django.urls import URLPattern, path

from parvis.networks.connectors.instagram import views

urlpatterns: list[URLPattern] = [
    path("", views.connect, name="instagram_connect"),
    path("accounts/", views.pick, name="instagram_pick"),
]
