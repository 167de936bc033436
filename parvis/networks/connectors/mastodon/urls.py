"""Onboarding URLs, included by parvis/web/urls.py at accounts/mastodon/ in the "web" namespace."""

from __future__ import annotations

from django.urls import URLPattern, path

from parvis.networks.connectors.mastodon import views

urlpatterns: list[URLPattern] = [
    path("", views.connect, name="mastodon_connect"),
    path("token/", views.token, name="mastodon_token"),
    path("callback/", views.callback, name="mastodon_callback"),
]
