from django.apps import AppConfig


class NetworksConfig(AppConfig):
    name = "parvis.networks"
    label = "networks"
    verbose_name = "Networks"

    def ready(self) -> None:
        from parvis.networks import checks  # noqa: F401 - registers the system checks
