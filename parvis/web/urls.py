from django.contrib.auth import views as auth_views
from django.urls import URLPattern, URLResolver, include, path

from parvis.web.views import (
    accounts,
    approvals,
    calendar,
    crisis,
    curation,
    events,
    grouping,
    health,
    inbox,
    ledger,
    links,
    listening,
    media,
    moderation,
    notifications,
    publishing,
    sla,
    strategy,
    triage,
    welcome,
    workspace,
)

app_name = "web"

urlpatterns: list[URLPattern | URLResolver] = [
    # Signing in and out
    path(
        "login/",
        auth_views.LoginView.as_view(template_name="web/login.html", redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Inbox (the home page)
    path("", inbox.inbox, name="inbox"),
    path("conversations/<int:pk>/", inbox.conversation, name="conversation"),
    path("conversations/<int:pk>/reply/", inbox.conversation_reply, name="conversation_reply"),
    path("conversations/<int:pk>/status/", inbox.conversation_status, name="conversation_status"),
    path("messages/<int:pk>/delivery/", inbox.message_delivery, name="message_delivery"),
    # Publishing
    path("compose/", publishing.compose, name="compose"),
    path("compose/count/", publishing.compose_count, name="compose_count"),
    path("posts/", publishing.posts, name="posts"),
    path("ledger/", ledger.ledger, name="ledger"),
    path("ledger/<int:pk>/retry/", ledger.action_retry_view, name="action_retry"),
    # Listening
    path("listening/", listening.listening, name="listening"),
    # Accounts and workspace
    path("accounts/", accounts.accounts, name="accounts"),
    path("accounts/feeds/", accounts.account_feed_add, name="account_feed_add"),
    path("accounts/<int:pk>/poll/", accounts.account_poll, name="account_poll"),
    path("accounts/<int:pk>/disconnect/", accounts.account_disconnect_view, name="account_disconnect"),
    path("accounts/mastodon/", include("parvis.networks.connectors.mastodon.urls")),
    path("accounts/bluesky/", include("parvis.networks.connectors.bluesky.urls")),
    path("accounts/x/", include("parvis.networks.connectors.x.urls")),
    path("accounts/facebook/", include("parvis.networks.connectors.facebook.urls")),
    path("accounts/instagram/", include("parvis.networks.connectors.instagram.urls")),
    path("accounts/linkedin/", include("parvis.networks.connectors.linkedin.urls")),
    path("accounts/youtube/", include("parvis.networks.connectors.youtube.urls")),
    path("accounts/matrix/", include("parvis.networks.connectors.matrix.urls")),
    path("accounts/email/", include("parvis.networks.connectors.email.urls")),
    path("workspace/", workspace.workspace, name="workspace"),
    path("workspace/voices/", workspace.voice_add, name="voice_add"),
    path("workspace/switch/", workspace.workspace_switch, name="workspace_switch"),
]

# Each page module owns its routes (names in the "web" namespace).
for _module in (
    approvals,
    calendar,
    crisis,
    curation,
    events,
    grouping,
    health,
    inbox,
    links,
    media,
    moderation,
    notifications,
    sla,
    strategy,
    triage,
    welcome,
):
    urlpatterns += _module.urlpatterns
