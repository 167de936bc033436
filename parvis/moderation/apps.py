from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ModerationConfig(AppConfig):
    name = "parvis.moderation"
    label = "moderation"
    verbose_name = _("Moderation")

    def ready(self) -> None:
        # Moderation rules and crisis detection run on every stored inbox batch.
        from parvis.moderation import registration

        registration.register()
