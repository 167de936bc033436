"""Installed as an app only so Django finds the onboarding templates in templates/email/."""

from __future__ import annotations

from django.apps import AppConfig


class EmailConnectorConfig(AppConfig):
    name = "parvis.networks.connectors.email"
    label = "email_connector"
    verbose_name = "E-mail"
    default = True
