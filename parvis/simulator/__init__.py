"""The community simulator and the demo: a tool that stands in for the outside world.

A lively French-speaking community (members, spammers, trolls) played on a
Mastodon-compatible server, deterministic from a seed, plus the `demo` command
that starts a local Mastodon (mastodon-mock), Parvis and this community together.

This app is NOT part of Parvis's in-pipe. It talks to the network server
directly with Mastodon.py and requests, the way the people it plays would, and
it never goes through `parvis.core.http` or a connector: that is the exception
to "only connectors talk to networks", and it is why no Parvis app may import
it (an import-linter contract enforces that).

- `corpus`: every text the community says (written for Parvis, no third-party data);
- `script`: the pure, deterministic sequence of `Record`s (no server, no Django);
- `runner`: plays records against a mastodon-mock server;
- `demo`: the seeding of the demo workspace and the mock's configuration;
- `supervisor`: the child processes of `manage.py demo`.
"""
