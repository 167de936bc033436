from django.urls import include, path

app_name = "web"

urlpatterns: list = [
    path("accounts/mastodon/", include("parvis.networks.connectors.mastodon.urls")),
]
