from __future__ import annotations

import pytest

from parvis.core.models import Membership
from parvis.moderation.models import CharterClause, CharterVersion
from parvis.moderation.services import charter_draft_save, charter_publish
from parvis.networks.models import ConnectedAccount
from parvis.networks.tests.factories import ConnectedAccountFactory

CHARTER = """# Charte de la communauté

Nous voulons des échanges vifs et respectueux.

## 1 Respect

### 1.1 Pas d'insultes

Les insultes, les attaques personnelles et les propos haineux sont masqués.

### 1.2 Pas de diffamation

Accuser quelqu'un sans preuve, c'est non.

## 2 Spam

La publicité non sollicitée et les messages répétés sont retirés.
"""


@pytest.fixture(autouse=True)
def _fast_passwords(settings: pytest.FixtureRequest) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]
    settings.PARVIS_BASE_URL = "https://parvis.cci-lyon.example"  # type: ignore[attr-defined]


@pytest.fixture
def version(camille: Membership) -> CharterVersion:
    charter_draft_save(membership=camille, title="Charte de la communauté", body=CHARTER, slug="cci-lyon")
    return charter_publish(membership=camille)


@pytest.fixture
def insults(version: CharterVersion) -> CharterClause:
    return version.clauses.get(code="1.1")


@pytest.fixture
def spam(version: CharterVersion) -> CharterClause:
    return version.clauses.get(code="2")


@pytest.fixture
def account(camille: Membership) -> ConnectedAccount:
    created: ConnectedAccount = ConnectedAccountFactory(workspace=camille.workspace)
    return created
