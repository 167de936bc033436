"""Onboarding URLs, included by parvis/web/urls.py at accounts/email/ in the "web" namespace."""

from __future__ import annotations

from django.urls import URLPattern, path

from parvis.networks.connectors.email import views

urlpatterns: list[URLPattern] = [
    path("", views.connect, name="email_connect"),
]
