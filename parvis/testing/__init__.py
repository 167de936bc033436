"""Reusable test tooling: a real Mastodon API on loopback (`mastodon`) and its pytest fixtures (`fixtures`)."""
