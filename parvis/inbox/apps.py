from django.apps import AppConfig


class InboxConfig(AppConfig):
    name = "parvis.inbox"
    label = "inbox"
    verbose_name = "Inbox"

    def ready(self) -> None:
        from parvis.inbox import ingest

        ingest.register()
        from parvis.inbox import reactions

        reactions.register()
        # After-ingest hooks of the inbox's areas (their order is in inbox.hooks).
        from parvis.inbox import grouping_hooks, sla_hooks, welcome_hooks, work_hooks

        sla_hooks.register()
        grouping_hooks.register()
        work_hooks.register()
        welcome_hooks.register()
