from django.apps import AppConfig


class SimulatorConfig(AppConfig):
    name = "parvis.simulator"
    label = "simulator"
    verbose_name = "Community simulator"
