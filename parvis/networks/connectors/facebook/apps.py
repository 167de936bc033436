"""Installed as an app only so Django finds the onboarding templates in templates/facebook/."""

from __future__ import annotations

from django.apps import AppConfig


class FacebookConnectorConfig(AppConfig):
    name = "parvis.networks.connectors.facebook"
    label = "facebook_connector"
    verbose_name = "Facebook Pages"
    default = True
