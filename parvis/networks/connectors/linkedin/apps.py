"""Installed as an app only so Django finds the onboarding templates in templates/linkedin/."""

from __future__ import annotations

from django.apps import AppConfig


class LinkedinConnectorConfig(AppConfig):
    name = "parvis.networks.connectors.linkedin"
    label = "linkedin_connector"
    verbose_name = "LinkedIn"
    default = True
