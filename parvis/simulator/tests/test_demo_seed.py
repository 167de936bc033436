"""The demo's seeding (without starting any process) and its Mastodon configuration."""

from __future__ import annotations

import stat
import tomllib

import pytest
from django.contrib.auth import authenticate
from mastodon_mock.config import MastodonMockConfig

from parvis.core.models import Membership, Role, Workspace
from parvis.networks.models import AccountStatus, ConnectedAccount
from parvis.simulator.corpus import ORG_POSTS
from parvis.simulator.demo import (
    DEMO_COMMUNITY_MANAGER,
    DEMO_ORG_USERNAME,
    DEMO_OWNER,
    DEMO_TIMEZONE,
    DEMO_WORKSPACE_NAME,
    demo_org_token,
    demo_seed,
    mock_config,
)


@pytest.mark.django_db
def test_it_creates_the_workspace_its_two_users_and_the_account():
    seed = demo_seed(instance_url="https://fake.example", access_token="org", network="fake")

    assert seed.workspace.name == DEMO_WORKSPACE_NAME
    assert seed.workspace.timezone == DEMO_TIMEZONE
    assert seed.owner.role == Role.OWNER
    assert seed.owner.user.username == DEMO_OWNER.username
    assert seed.community_manager.role == Role.COMMUNITY_MANAGER
    assert seed.community_manager.user.username == DEMO_COMMUNITY_MANAGER.username
    assert authenticate(username=DEMO_OWNER.username, password=DEMO_OWNER.password) is not None
    assert authenticate(username=DEMO_COMMUNITY_MANAGER.username, password=DEMO_COMMUNITY_MANAGER.password)
    assert seed.account.workspace == seed.workspace
    assert seed.account.status == AccountStatus.ACTIVE
    assert seed.account.credentials == {"access_token": "org"}


@pytest.mark.django_db
def test_running_it_again_keeps_one_workspace_and_refreshes_the_account():
    first = demo_seed(instance_url="https://fake.example", access_token="org", network="fake")
    first.owner.user.set_password("changed")
    first.owner.user.save()

    again = demo_seed(instance_url="https://fake.example", access_token="org", network="fake")

    assert Workspace.objects.filter(name=DEMO_WORKSPACE_NAME).count() == 1
    assert again.workspace == first.workspace
    assert Membership.objects.filter(workspace=first.workspace).count() == 2
    assert again.account.pk == first.account.pk
    assert again.retired == 0
    assert authenticate(username=DEMO_OWNER.username, password=DEMO_OWNER.password) is not None


@pytest.mark.django_db
def test_an_organisation_account_with_a_new_identity_replaces_the_old_one():
    first = demo_seed(instance_url="https://fake.example", access_token="org", network="fake")

    again = demo_seed(instance_url="https://fake.example", access_token="org-reborn", network="fake")

    assert again.account.pk != first.account.pk
    assert again.retired == 1
    first.account.refresh_from_db()
    assert first.account.status == AccountStatus.DISABLED
    live = ConnectedAccount.objects.filter(workspace=again.workspace).exclude(status=AccountStatus.DISABLED)
    assert list(live) == [again.account]


@pytest.mark.django_db
@pytest.mark.network
def test_it_connects_the_organisation_on_a_real_local_mastodon(mastodon_server):
    org = mastodon_server.create_account(DEMO_ORG_USERNAME)

    seed = demo_seed(instance_url=mastodon_server.base_url, access_token=org.access_token)
    again = demo_seed(instance_url=mastodon_server.base_url, access_token=org.access_token)

    assert seed.account.network == "mastodon"
    assert DEMO_ORG_USERNAME in seed.account.handle
    assert seed.account.external_id == org.id
    assert again.account.pk == seed.account.pk


def test_the_organisation_token_is_made_once_and_kept_private(tmp_path):
    token = demo_org_token(tmp_path / "demo")

    assert len(token) >= 32
    assert demo_org_token(tmp_path / "demo") == token
    assert stat.S_IMODE((tmp_path / "demo" / "org-token").stat().st_mode) == 0o600


def test_the_mock_configuration_seeds_the_organisation_and_its_posts(tmp_path):
    text = mock_config(org_token='tok"en\\', database_path=tmp_path / "m.sqlite3", host="127.0.0.1", port=3123)

    config = MastodonMockConfig.model_validate(tomllib.loads(text))

    assert config.domain == "127.0.0.1:3123"
    assert config.database.path == str(tmp_path / "m.sqlite3")
    [account] = config.seed.accounts
    assert account.username == DEMO_ORG_USERNAME
    assert account.access_token == 'tok"en\\'
    assert [status.text for status in config.seed.statuses] == list(ORG_POSTS)
    assert {status.account for status in config.seed.statuses} == {DEMO_ORG_USERNAME}


@pytest.mark.network
def test_a_mock_started_with_that_configuration_knows_the_organisation(tmp_path):
    import requests
    from mastodon import Mastodon
    from mastodon_mock.testing.server import MockServer

    text = mock_config(org_token="org-token", database_path=":memory:", host="127.0.0.1", port=3000)
    with MockServer(config=MastodonMockConfig.model_validate(tomllib.loads(text))) as server:
        session = requests.Session()
        session.trust_env = False  # loopback, never through a proxy
        client = Mastodon(access_token="org-token", api_base_url=server.base_url, session=session, request_timeout=10)
        me = client.account_verify_credentials()
        assert me["username"] == DEMO_ORG_USERNAME
        assert len(client.account_statuses(me["id"])) == len(ORG_POSTS)
