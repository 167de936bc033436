"""Encryption of credentials at rest (Fernet: AES-128-CBC + HMAC-SHA256)."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models
from django.db.models import Lookup, Model


def _derive(secret: str) -> Fernet:
    digest = hashlib.sha256(f"parvis-credentials:{secret}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def _fernet() -> MultiFernet:
    """Encrypts with the current key; decrypts with it or, after a SECRET_KEY rotation, with a fallback."""
    if settings.PARVIS_CREDENTIALS_KEY:
        secrets = [settings.PARVIS_CREDENTIALS_KEY]
    else:
        secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet([_derive(secret) for secret in secrets])


def encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ValueError("Credentials cannot be decrypted: was the secret key changed?") from exc


class EncryptedJSONField(models.TextField):  # type: ignore[type-arg]
    """A JSON object stored encrypted; the database only ever sees ciphertext.

    The ciphertext changes at every save (random IV), so the column cannot be
    compared in queries: only `isnull` is offered, other lookups fail loudly
    instead of silently matching nothing.
    """

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> dict[str, Any]:
        if not value:
            return {}
        loaded: dict[str, Any] = json.loads(decrypt(value))
        return loaded

    def to_python(self, value: Any) -> dict[str, Any]:
        if isinstance(value, dict):
            return value
        if not value:
            return {}
        loaded: dict[str, Any] = json.loads(decrypt(value))
        return loaded

    def get_prep_value(self, value: Any) -> str:
        return encrypt(json.dumps(value or {}, sort_keys=True))

    def value_to_string(self, obj: Model) -> str:
        # Serialisation (dumpdata) keeps the ciphertext, so a dump holds no secret and loads back.
        return self.get_prep_value(self.value_from_object(obj))

    def get_lookup(self, lookup_name: str) -> type[Lookup[Any]] | None:
        if lookup_name != "isnull":
            return None
        return super().get_lookup(lookup_name)
