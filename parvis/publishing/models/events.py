"""Live events: programme, speakers and their handles, prepared posts, the live wall."""

from __future__ import annotations

__all__: list[str] = []
