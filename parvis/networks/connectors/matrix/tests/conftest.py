"""A Synapse homeserver for the Matrix contract tests, the organisation's user on it and people around it."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from parvis.networks.connectors.matrix.connector import MatrixConnector
from parvis.networks.protocol import AccountRef
from parvis.testing.matrix import (  # noqa: F401 - fixtures, until the root conftest lists parvis.testing.matrix
    MatrixPerson,
    SynapseServer,
    matrix_connect,
    matrix_registered,
    synapse_server,
)


def account_ref(server: SynapseServer, person: MatrixPerson, **settings: object) -> AccountRef:
    """What Parvis stores for a connected account, built without the database (the person's own token)."""
    return AccountRef(
        id=1,
        network="matrix",
        instance_url=server.base_url,
        external_id=person.user_id,
        handle=person.user_id,
        credentials={"access_token": person.access_token, "user_id": person.user_id, **settings},
    )


@pytest.fixture
def connector() -> MatrixConnector:
    return MatrixConnector()


@pytest.fixture
def org(synapse_server: SynapseServer) -> MatrixPerson:  # noqa: F811
    return synapse_server.register("org", display_name="CCI Lyon")


@pytest.fixture
def org_ref(synapse_server: SynapseServer, org: MatrixPerson) -> AccountRef:  # noqa: F811
    return account_ref(synapse_server, org, auto_join=True)


@pytest.fixture
def person(synapse_server: SynapseServer) -> Callable[[str], MatrixPerson]:  # noqa: F811
    def make(name: str) -> MatrixPerson:
        return synapse_server.register(name, display_name=name.title())

    return make


@pytest.fixture
def bob(person: Callable[[str], MatrixPerson]) -> MatrixPerson:
    return person("bob")


@pytest.fixture
def public_room(bob: MatrixPerson, org: MatrixPerson) -> str:
    """A public room made by Bob, which the organisation has joined."""
    room = bob.create_room(name="Entraide")
    org.join(room)
    return room
