"""Onboarding URLs, included by parvis/web/urls.py at accounts/youtube/ in the "web" namespace."""

from __future__ import annotations

from django.urls import URLPattern, path

from parvis.networks.connectors.youtube import views

urlpatterns: list[URLPattern] = [
    path("", views.connect, name="youtube_connect"),
    path("app/", views.app, name="youtube_app"),
    path("callback/", views.callback, name="youtube_callback"),
]
