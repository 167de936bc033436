"""The demo's data: its workspace, people and accounts, its live event, and the configuration of its Mastodon server.

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
from datetime import datetime, timedelta
from pathlib import Path

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from parvis.core.models import Membership, Role, Workspace
from parvis.core.services import membership_add, workspace_create
from parvis.networks.errors import ConnectorError
from parvis.networks.models import AccountStatus, ConnectedAccount
from parvis.networks.registry import UnknownNetwork, get_connector_class
from parvis.networks.services import account_connect, account_disconnect
from parvis.publishing.models import LiveEvent
from parvis.publishing.services.events import (
    event_create,
    event_update,
    prepared_post_create,
    session_create,
    session_update,
    speaker_create,
)
from parvis.simulator.corpus import DEMO_EVENT_HASHTAG, EVENT_SPEAKERS, ORG_POSTS

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
    event: LiveEvent | None = None  # the live event running during the demo


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
    5. The live event, running now (see `demo_seed_event`).

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
    event = demo_seed_event(membership=manager, account=account)
    demo_seed_inbox(owner=owner, account=account)
    return DemoSeed(
        workspace=workspace, owner=owner, community_manager=manager, account=account, retired=retired, event=event
    )


# --- the inbox: charter, moderation rules, response times, welcome -----------------------------------

DEMO_CHARTER_TITLE = "Charte de la communauté de la CCI de Lyon (démo)"
DEMO_CHARTER = """Nos comptes sont des lieux d'échange entre entrepreneurs, commerçants et la Chambre.
Nous répondons à tous les messages, dans les délais annoncés, sur le réseau où ils ont été écrits.

## 1. Respect

### 1.1 Pas d'insultes ni d'attaques personnelles
Critiquer nos services est bienvenu ; insulter une personne, l'équipe ou un membre ne l'est pas.
Les messages insultants sont masqués, et nous expliquons pourquoi.

### 1.2 Pas de propos haineux
Les propos racistes, sexistes, homophobes ou discriminatoires sont masqués et leurs auteurs bloqués.

## 2. Pertinence

### 2.1 Pas de publicité ni de spam
La promotion non sollicitée, les liens trompeurs et les messages répétés sont masqués.

## 3. Recours
Vous pensez qu'une décision est injuste ? Répondez au message d'explication ou écrivez-nous en privé :
une autre personne de l'équipe réexamine la décision.
"""


def demo_seed_inbox(*, owner: Membership, account: ConnectedAccount) -> None:
    """The demo's charter (published), its moderation rules, a BtoC response-time policy and the welcome rule.

    Made once: a workspace that already has a published charter, rules, a policy or a welcome rule keeps them.
    """
    from parvis.inbox.models import SlaPolicy, WelcomeRule
    from parvis.inbox.models.welcome import ThanksMode
    from parvis.inbox.sla import sla_policy_create
    from parvis.inbox.welcome import welcome_rule_save
    from parvis.moderation.models import CharterClause, ModerationRule
    from parvis.moderation.models.charter import RemovalAction
    from parvis.moderation.services import charter_draft_save, charter_publish, rule_save

    workspace = owner.workspace
    clauses = CharterClause.objects.filter(version__charter__workspace=workspace)
    if not clauses.exists():
        charter_draft_save(membership=owner, title=DEMO_CHARTER_TITLE, body=DEMO_CHARTER, slug="cci-lyon-demo")
        charter_publish(membership=owner)
    latest = {clause.code: clause for clause in clauses.order_by("version__number")}
    if not ModerationRule.objects.filter(workspace=workspace).exists():
        rule_save(
            membership=owner,
            name="Insultes : masquer et expliquer",
            order=10,
            categories=["insult-or-hate"],
            removal=RemovalAction.HIDE,
            explain=True,
            clause=latest.get("1.1"),
        )
        rule_save(
            membership=owner,
            name="Publicité et spam : masquer",
            order=20,
            categories=["spam-or-advertising"],
            has_links=True,
            removal=RemovalAction.HIDE,
            explain=False,
            clause=latest.get("2.1"),
        )
    if not SlaPolicy.objects.filter(workspace=workspace).exists():
        sla_policy_create(membership=owner, preset="btoc")
    if not WelcomeRule.objects.filter(account=account).exists():
        welcome_rule_save(
            membership=owner,
            account=account,
            enabled=True,
            follow_back=True,
            thanks=ThanksMode.MENTION,
            per_hour=10,
            per_day=50,
        )


# --- the live event ----------------------------------------------------------------------------------

DEMO_EVENT_NAME = "Rencontres de l'entreprise lyonnaise"
DEMO_EVENT_PLACE = "Palais de la Bourse, Lyon"
DEMO_EVENT_DESCRIPTION = (
    "Une demi-journée de conférences et de tables rondes pour les commerçants, artisans et dirigeants "
    "de PME de la métropole. Démonstration du live-tweet dans Parvis."
)
# The programme in minutes from the start of the event; the speakers are the corpus's EVENT_SPEAKERS
# (accounts on the demo's Mastodon), plus the chamber's president, who has no account.
DEMO_PROGRAMME: tuple[tuple[int, int, str, str, tuple[str, ...]], ...] = (
    (0, 45, "Ouverture : l'économie lyonnaise en 2026", "Grand amphithéâtre", ("president",)),
    (45, 105, "Exporter quand on est une TPE", "Grand amphithéâtre", ("helene_carpentier",)),
    (
        105,
        165,
        "Table ronde : recruter et garder ses talents",
        "Salle de la Corbeille",
        ("nadege_fabre", "yves_morin_atelier"),
    ),
    (165, 225, "Le numérique au service du commerce de proximité", "Grand amphithéâtre", ("samuel_ortiz",)),
)
DEMO_PRESIDENT = ("Marc Delorme", "Président de la CCI (démo)")
# The event starts this long before the demo does, so the second session is running when it opens.
DEMO_EVENT_LEAD = timedelta(minutes=60)
DEMO_PREPARED: dict[int, tuple[str, ...]] = {
    0: ("C'est parti pour les {event} ! {speaker} ouvre la journée.", "Salle comble en {room} pour l'ouverture."),
    1: (
        "{speaker} : « Exporter, c'est d'abord écouter ses clients. »",
        "Vos questions pour {speaker} ? Posez-les avec {hashtag}, on les transmet !",
    ),
    2: ("Table ronde : {speaker} sur le recrutement dans les PME.", "Vos questions sur le recrutement ? {hashtag}"),
    3: ("{speaker} présente des outils simples pour les commerces de quartier.",),
}


def demo_seed_event(*, membership: Membership, account: ConnectedAccount, now: datetime | None = None) -> LiveEvent:
    """The demo's live event, running now: made once, then moved to the current time when it is not running.

    Its hashtag is the one the simulator's community posts with (corpus.DEMO_EVENT_HASHTAG), its
    speakers have Mastodon accounts on the demo server (mentioned as local users: "@helene_carpentier"),
    and each session has prepared posts. The organisation's account covers it.
    """
    instant = now or timezone.now()
    start = (instant - DEMO_EVENT_LEAD).replace(second=0, microsecond=0)
    end = start + timedelta(minutes=DEMO_PROGRAMME[-1][1])
    event = LiveEvent.objects.filter(workspace=membership.workspace, hashtag=DEMO_EVENT_HASHTAG).order_by("pk").first()
    if event is None:
        return _demo_event_create(membership=membership, account=account, start=start, end=end)
    running = event.starts_at <= instant < event.ends_at - timedelta(minutes=30)
    shift = timedelta(0) if running else start - event.starts_at
    event_update(
        membership=membership,
        event=event,
        name=event.name,
        hashtag=event.hashtag,
        starts_at=event.starts_at + shift,
        ends_at=event.ends_at + shift,
        place=event.place,
        description=event.description,
        status=event.status,
        accounts=[account],
    )
    for session in event.sessions.all():
        session_update(
            membership=membership,
            session=session,
            title=session.title,
            starts_at=session.starts_at + shift,
            ends_at=session.ends_at + shift,
            room=session.room,
            speakers=list(session.speakers.all()),
        )
    return event


def _demo_event_create(
    *, membership: Membership, account: ConnectedAccount, start: datetime, end: datetime
) -> LiveEvent:
    event = event_create(
        membership=membership,
        name=DEMO_EVENT_NAME,
        hashtag=DEMO_EVENT_HASHTAG,
        starts_at=start,
        ends_at=end,
        place=DEMO_EVENT_PLACE,
        description=DEMO_EVENT_DESCRIPTION,
        status="confirmed",
        accounts=[account],
    )
    speakers = {
        persona.handle: speaker_create(
            membership=membership,
            event=event,
            name=persona.display_name,
            organisation=persona.bio.rstrip("."),
            handles={"mastodon": f"@{persona.handle}"},
        )
        for persona in EVENT_SPEAKERS
    }
    speakers["president"] = speaker_create(
        membership=membership, event=event, name=DEMO_PRESIDENT[0], organisation=DEMO_PRESIDENT[1]
    )
    for number, (begin, finish, title, room, names) in enumerate(DEMO_PROGRAMME):
        session = session_create(
            membership=membership,
            event=event,
            title=title,
            starts_at=start + timedelta(minutes=begin),
            ends_at=start + timedelta(minutes=finish),
            room=room,
            speakers=[speakers[name] for name in names],
        )
        for text in DEMO_PREPARED.get(number, ()):
            prepared_post_create(membership=membership, event=event, session=session, text=text)
    return event


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
