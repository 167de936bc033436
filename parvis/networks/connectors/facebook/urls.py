"""Onboarding URLs, included by parvis/web/urls.py at accounts/facebook/ in the "web" namespace."""

from __future__ import annotations

from django.urls import URLPattern, path

from parvis.networks.connectors.facebook import views

urlpatterns: list[URLPattern] = [
    path("", views.connect, name="facebook_connect"),
    path("app/", views.app, name="facebook_app"),
    path("callback/", views.callback, name="facebook_callback"),
    path("pages/", views.pick, name="facebook_pick"),
]
