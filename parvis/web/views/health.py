"""Pages for health (see docs/architecture.md). `urlpatterns` is appended by parvis/web/urls.py."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
