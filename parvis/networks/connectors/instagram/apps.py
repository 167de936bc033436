"""Installed as an app only so Django finds the onboarding templates in templates/instagram/."""

from __future__ import annotations

from django.apps import AppConfig


class InstagramConnectorConfig(AppConfig):
    name = "parvis.networks.connectors.instagram"
    label = "instagram_connector"
    verbose_name = "Instagram"
    default = True
