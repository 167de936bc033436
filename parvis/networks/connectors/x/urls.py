"""Onboarding URLs, included by parvis/web/urls.py at accounts/x/ in the "web" namespace."""

from __future__ import annotations

from django.urls import URLPattern, path

from parvis.networks.connectors.x import views

urlpatterns: list[URLPattern] = [
    path("", views.connect, name="x_connect"),
    path("app/", views.app, name="x_app"),
    path("callback/", views.callback, name="x_callback"),
]
