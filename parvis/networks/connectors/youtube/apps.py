"""Installed as an app only so Django finds the onboarding templates in templates/youtube/."""

from __future__ import annotations

from django.apps import AppConfig


class YouTubeConnectorConfig(AppConfig):
    name = "parvis.networks.connectors.youtube"
    label = "youtube_connector"
    verbose_name = "YouTube"
    default = True
