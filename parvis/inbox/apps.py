from django.apps import AppConfig


class InboxConfig(AppConfig):
    name = "parvis.inbox"
    label = "inbox"
    verbose_name = "Inbox"

    def ready(self) -> None:
        from parvis.inbox import ingest

        ingest.register()
