"""The demo's data: its workspace, people and accounts, and the configuration of its Mastodon server.

`demo_seed` is idempotent: `make demo` calls it at every start. The Mastodon
server (mastodon-mock) keeps its state in `var/demo/`, so the organisation's
account, its id and its token survive a restart and Parvis's polling cursor
stays valid; should that state be lost (or the port change), the account comes
back under a new identity and the old connected account is disconnected, so
the demo workspace always has exactly one live Mastodon account.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth.models import User
from django.db import transaction

from parvis.core.models import Membership, Role, Workspace
from parvis.core.services import membership_add, workspace_create
from parvis.networks.errors import ConnectorError
from parvis.networks.models import AccountStatus, ConnectedAccount
from parvis.networks.registry import UnknownNetwork, get_connector_class
from parvis.networks.services import account_connect, account_disconnect
from parvis.simulator.corpus import ORG_POSTS

DEMO_WORKSPACE_NAME = "Chambre de commerce et d'industrie de Lyon — démo"
DEMO_TIMEZONE = "Europe/Paris"
DEMO_ORG_USERNAME = "cci_demo"
DEMO_ORG_DISPLAY_NAME = "CCI Lyon (démo)"
DEMO_ORG_BIO = "Compte de démonstration de la Chambre de commerce et d'industrie de Lyon, joué par Parvis."


@dataclass(frozen=True)
class DemoUser:
    username: str
    password: str
    role: Role
    first_name: str
    last_name: str


# Demo credentials, printed by `manage.py demo`: the demo only listens on loopback.
DEMO_OWNER = DemoUser("demo", "demo-parvis", Role.OWNER, "Dominique", "Perret")
DEMO_COMMUNITY_MANAGER = DemoUser("camille", "camille-parvis", Role.COMMUNITY_MANAGER, "Camille", "Roussel")
DEMO_USERS = (DEMO_OWNER, DEMO_COMMUNITY_MANAGER)


@dataclass(frozen=True)
class DemoSeed:
    workspace: Workspace
    owner: Membership
    community_manager: Membership
    account: ConnectedAccount
    retired: int  # older Mastodon accounts of the demo workspace disconnected by this run


def _demo_user(spec: DemoUser) -> User:
    user, _created = User.objects.get_or_create(username=spec.username)
    user.first_name = spec.first_name
    user.last_name = spec.last_name
    user.email = f"{spec.username}@demo.parvis.invalid"
    user.is_active = True
    user.set_password(spec.password)  # reset at each start: the printed password always works
    user.save()
    return user


def _membership(workspace: Workspace, user: User, role: Role) -> Membership:
    current = Membership.objects.filter(workspace=workspace, user=user).first()
    if current is not None and current.role == role:
        return current
    return membership_add(workspace=workspace, user=user, role=role, actor=None)


@transaction.atomic
def demo_seed(*, instance_url: str, access_token: str, network: str = "mastodon") -> DemoSeed:
    """Create or refresh the demo: its two users, its workspace, and the organisation's connected account.

    1. Users "demo" (owner) and "camille" (community manager), passwords reset to the printed ones.
    2. The workspace "Chambre de commerce et d'industrie de Lyon — démo" (Europe/Paris), made once.
    3. The organisation's account connected through `account_connect` (which verifies the token
       with the server and refreshes the existing row when the identity is the same).
    4. Any other, older account of that network in the workspace is disconnected.

    Raises ConnectorError when the server refuses the token.
    """
    owner_user = _demo_user(DEMO_OWNER)
    manager_user = _demo_user(DEMO_COMMUNITY_MANAGER)
    workspace = Workspace.objects.filter(name=DEMO_WORKSPACE_NAME).order_by("pk").first()
    if workspace is None:
        workspace = workspace_create(name=DEMO_WORKSPACE_NAME, owner=owner_user, timezone_name=DEMO_TIMEZONE)
    owner = _membership(workspace, owner_user, DEMO_OWNER.role)
    manager = _membership(workspace, manager_user, DEMO_COMMUNITY_MANAGER.role)
    account = account_connect(
        membership=owner, network=network, instance_url=instance_url, credentials={"access_token": access_token}
    )
    stale = (
        ConnectedAccount.objects.filter(workspace=workspace, network=network)
        .exclude(pk=account.pk)
        .exclude(status=AccountStatus.DISABLED)
    )
    retired = 0
    for old in stale:
        account_disconnect(membership=owner, account=old)
        retired += 1
    return DemoSeed(workspace=workspace, owner=owner, community_manager=manager, account=account, retired=retired)


def demo_connect_feed(*, membership: Membership, url: str) -> tuple[ConnectedAccount | None, str]:
    """Connect a local RSS feed if the RSS connector is installed; (account, "") or (None, why not)."""
    try:
        get_connector_class("rss")
    except (UnknownNetwork, ImportError) as error:
        return None, f"no RSS connector ({error.__class__.__name__})"
    try:
        account = account_connect(membership=membership, network="rss", instance_url=url, credentials={})
    except ConnectorError as error:
        return None, error.message
    return account, ""


# --- the demo's Mastodon server -------------------------------------------------------------------


def demo_org_token(directory: Path) -> str:
    """The organisation's access token on the demo server: made once, kept in `directory` (mode 0600)."""
    path = directory / "org-token"
    if path.exists() and (token := path.read_text().strip()):
        return token
    directory.mkdir(parents=True, exist_ok=True)
    token = secrets.token_urlsafe(32)
    path.write_text(token)
    path.chmod(0o600)
    return token


def _toml(value: str) -> str:
    # JSON string escapes are valid TOML basic-string escapes (json.dumps never writes "\/").
    return json.dumps(value, ensure_ascii=False)


def mock_config(*, org_token: str, database_path: Path | str, host: str, port: int) -> str:
    """A mastodon-mock configuration (TOML) for the demo: its database file, the organisation and its posts."""
    lines = [
        "# Written by `manage.py demo` at every start; edit parvis/simulator/demo.py instead.",
        f"domain = {_toml(f'{host}:{port}')}",
        'url_scheme = "http"',
        'title = "Mastodon local (démo Parvis)"',
        'description = "Un serveur Mastodon de démonstration, sur cette machine seulement."',
        "rules = [",
        '  "Respectez les autres membres.",',
        '  "Pas de publicité ni de spam.",',
        "]",
        "",
        "[database]",
        f"path = {_toml(str(database_path))}",
        "",
        "[[seed.accounts]]",
        f"username = {_toml(DEMO_ORG_USERNAME)}",
        f"display_name = {_toml(DEMO_ORG_DISPLAY_NAME)}",
        f"note = {_toml(DEMO_ORG_BIO)}",
        f"access_token = {_toml(org_token)}",
        f"email = {_toml(DEMO_ORG_USERNAME + '@demo.parvis.invalid')}",
    ]
    for text in ORG_POSTS:
        lines += ["", "[[seed.statuses]]", f"account = {_toml(DEMO_ORG_USERNAME)}", f"text = {_toml(text)}"]
    return "\n".join(lines) + "\n"
