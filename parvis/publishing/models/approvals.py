"""Approval reviews of posts and signed review links for people without an account."""

from __future__ import annotations

__all__: list[str] = []
