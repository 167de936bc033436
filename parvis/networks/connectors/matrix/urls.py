"""Onboarding URLs, included by parvis/web/urls.py at accounts/matrix/ in the "web" namespace."""

from __future__ import annotations

from django.urls import URLPattern, path

from parvis.networks.connectors.matrix import views

urlpatterns: list[URLPattern] = [
    path("", views.connect, name="matrix_connect"),
]
