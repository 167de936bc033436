"""Onboarding URLs, included by parvis/web/urls.py at accounts/linkedin/ in the "web" namespace."""

from __future__ import annotations

from django.urls import URLPattern, path

from parvis.networks.connectors.linkedin import views

urlpatterns: list[URLPattern] = [
    path("", views.connect, name="linkedin_connect"),
    path("app/", views.app, name="linkedin_app"),
    path("callback/", views.callback, name="linkedin_callback"),
    path("page/", views.choose, name="linkedin_choose"),
]
