"""Short links served by Parvis (/l/<code>) and their clicks."""

from __future__ import annotations

__all__: list[str] = []
