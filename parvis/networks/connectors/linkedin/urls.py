"""Onboarding URLs, included by parvis/web/urls.py at accounts/linkedin/ in the "web" namespace."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
