"""Load the models once per test session: embedding, lexicons and the seed class model."""

from __future__ import annotations

import pytest

from parvis.nlp import classes, triage


@pytest.fixture(scope="session")
def seed() -> classes.ClassModel:
    triage.warm_up()
    return classes.seed_model()
