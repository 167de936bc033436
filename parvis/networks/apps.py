from django.apps import AppConfig


class NetworksConfig(AppConfig):
    name = "parvis.networks"
    label = "networks"
    verbose_name = "Networks"
