"""Bluesky connector."""
