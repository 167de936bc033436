from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "parvis.community"
    label = "community"
    verbose_name = "Community"
