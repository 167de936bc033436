"""Fixtures every test of the repository can use (see parvis/testing/fixtures.py)."""

pytest_plugins = ["parvis.testing.fixtures", "parvis.testing.atproto", "parvis.testing.matrix", "parvis.testing.mail"]


import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: pytest.FixtureRequest) -> None:
    """Personas are created in most tests; the production hasher would dominate the run time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]
