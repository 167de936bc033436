"""Helpers for the composer's tests: the fake network with threads and comments, short texts."""

from __future__ import annotations

from dataclasses import replace

import pytest

from parvis.networks.connectors.fake.connector import FakeConnector

LONG_TEXT = (
    "Le salon des entreprises ouvre ses portes jeudi à 9 h au centre des congrès. "
    "Plus de cent exposants vous attendent, des ateliers et des conférences toute la journée. "
    "Inscrivez-vous dès maintenant, l'entrée est gratuite pour les adhérents. "
) * 2  # about 470 characters: two posts of the fake network (280)


def threaded_fake(monkeypatch: pytest.MonkeyPatch, **changes: object) -> None:
    """Give the fake network threads and first comments (as Mastodon and Facebook have) for one test."""
    capabilities = replace(FakeConnector.capabilities, threads=True, first_comment=True, **changes)  # type: ignore[arg-type]
    monkeypatch.setattr(FakeConnector, "capabilities", capabilities)
