"""pytest fixtures for a real Mastodon API on loopback (mastodon-mock). Registered by the root conftest.py.

Fixtures
========

=============================  ========  ==================================================
fixture                        scope     gives
=============================  ========  ==================================================
``mastodon_server_session``    session   one started `MastodonMockServer` (HTTP), never reset
``mastodon_server``            function  the same server, reset before the test: empty, no faults
``mastodon_tls``               session   `TLSMaterial`: a throwaway CA and a certificate for 127.0.0.1
``mastodon_tls_server``        function  an HTTPS server, reset, with REQUESTS_CA_BUNDLE pointing
                                         at the CA for the test (Mastodon.py's OAuth needs https)
``mastodon_connect``           function  ``connect(membership, username="org") -> (account, mock account)``:
                                         a mock account connected to Parvis through the real
                                         ``account_connect`` service
=============================  ========  ==================================================

Servers start on first use, so a test run that uses none starts none. Tests that
use them talk to loopback: mark them ``@pytest.mark.network``. Parvis refuses
loopback addresses unless PARVIS_PRIVATE_HOSTS_ALLOWED lists them; the tests
under ``parvis/`` get that from ``parvis/conftest.py``, others set it themselves.

Example::

    @pytest.mark.network
    def test_a_mention_reaches_the_inbox(mastodon_server, mastodon_connect, camille):
        account, org = mastodon_connect(camille)
        bob = mastodon_server.create_account("bob")
        mastodon_server.client(bob).status_post(f"{org.mention} hello")
        account_poll(account_id=account.pk)
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import pytest

from parvis.testing.mastodon import MastodonMockServer, MockAccount, TLSMaterial

if TYPE_CHECKING:
    from parvis.core.models import Membership
    from parvis.networks.models import ConnectedAccount

ConnectMastodon = Callable[..., tuple["ConnectedAccount", MockAccount]]


@pytest.fixture(scope="session")
def mastodon_server_session() -> Iterator[MastodonMockServer]:
    """One mastodon-mock over HTTP for the whole run (one per xdist worker). Not reset: see `mastodon_server`."""
    with MastodonMockServer() as server:
        yield server


@pytest.fixture
def mastodon_server(mastodon_server_session: MastodonMockServer) -> MastodonMockServer:
    """The session's mastodon-mock, reset before this test: no accounts, no statuses, no fault rules."""
    mastodon_server_session.reset()
    return mastodon_server_session


@pytest.fixture(scope="session")
def mastodon_tls(tmp_path_factory: pytest.TempPathFactory) -> TLSMaterial:
    """A throwaway certificate authority and a server certificate for 127.0.0.1 and localhost."""
    return TLSMaterial.create(tmp_path_factory.mktemp("mastodon-tls"))


@pytest.fixture(scope="session")
def mastodon_tls_server_session(mastodon_tls: TLSMaterial) -> Iterator[MastodonMockServer]:
    """One mastodon-mock over HTTPS for the whole run. Clients must trust `mastodon_tls.ca_path`."""
    with MastodonMockServer(tls=mastodon_tls) as server:
        yield server


@pytest.fixture
def mastodon_tls_server(
    mastodon_tls_server_session: MastodonMockServer, mastodon_tls: TLSMaterial, monkeypatch: pytest.MonkeyPatch
) -> MastodonMockServer:
    """The HTTPS mastodon-mock, reset, trusted by every requests session of this test (REQUESTS_CA_BUNDLE)."""
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(mastodon_tls.ca_path))
    mastodon_tls_server_session.reset()
    return mastodon_tls_server_session


@pytest.fixture
def mastodon_connect(mastodon_server: MastodonMockServer) -> ConnectMastodon:
    """Connect a mock account to Parvis the way the token form does: `connect(membership, username="org")`.

    Returns the ConnectedAccount and the MockAccount (whose `mention` other mock accounts
    use to reach it). Pass `server=` to use another server (the HTTPS one).
    """

    def connect(
        membership: Membership, username: str = "org", *, server: MastodonMockServer | None = None
    ) -> tuple[ConnectedAccount, MockAccount]:
        from parvis.networks.services import account_connect

        target = server or mastodon_server
        mock_account = target.create_account(username, display_name=username.title())
        account = account_connect(
            membership=membership,
            network="mastodon",
            instance_url=target.base_url,
            credentials={"access_token": mock_account.access_token},
        )
        return account, mock_account

    return connect
