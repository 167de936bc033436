"""Installed as an app only so Django finds the onboarding templates in templates/bluesky/."""

from __future__ import annotations

from django.apps import AppConfig


class BlueskyConnectorConfig(AppConfig):
    name = "parvis.networks.connectors.bluesky"
    label = "bluesky_connector"
    verbose_name = "Bluesky"
    default = True
