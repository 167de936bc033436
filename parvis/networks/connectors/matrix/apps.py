"""Installed as an app only so Django finds the onboarding templates in templates/matrix/."""

from __future__ import annotations

from django.apps import AppConfig


class MatrixConnectorConfig(AppConfig):
    name = "parvis.networks.connectors.matrix"
    label = "matrix_connector"
    verbose_name = "Matrix"
    default = True
