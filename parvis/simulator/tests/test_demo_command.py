"""What `manage.py demo` checks before it starts anything."""

from __future__ import annotations

import socket

import pytest
from django.core.management import CommandError, call_command

from parvis.simulator.management.commands.demo import port_free


@pytest.fixture
def busy_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


def test_a_port_in_use_is_not_free(busy_port):
    assert not port_free(busy_port)


def test_the_demo_refuses_a_web_port_in_use_before_starting_anything(busy_port):
    with pytest.raises(CommandError, match=f"Port {busy_port} is taken.*--port"):
        call_command("demo", "--port", str(busy_port))


def test_the_demo_refuses_a_mastodon_port_in_use_when_it_was_asked_for(busy_port):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        free = sock.getsockname()[1]
    with pytest.raises(CommandError, match=f"Port {busy_port} is taken.*--mastodon-port"):
        call_command("demo", "--port", str(free), "--mastodon-port", str(busy_port))
