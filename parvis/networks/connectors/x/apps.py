"""Installed as an app only so Django finds the onboarding templates in templates/x/."""

from __future__ import annotations

from django.apps import AppConfig


class XConnectorConfig(AppConfig):
    name = "parvis.networks.connectors.x"
    label = "x_connector"
    verbose_name = "X"
    default = True
