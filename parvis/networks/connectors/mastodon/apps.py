"""Installed as an app only so Django finds the onboarding templates in templates/mastodon/."""

from __future__ import annotations

from django.apps import AppConfig


class MastodonConnectorConfig(AppConfig):
    name = "parvis.networks.connectors.mastodon"
    label = "mastodon_connector"
    verbose_name = "Mastodon"
    default = True
