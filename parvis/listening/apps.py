from django.apps import AppConfig


class ListeningConfig(AppConfig):
    name = "parvis.listening"
    label = "listening"
    verbose_name = "Listening"

    def ready(self) -> None:
        from parvis.listening import ingest

        ingest.register()
