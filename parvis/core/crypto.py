"""Encryption of credentials at rest (Fernet: AES-128-CBC + HMAC-SHA256)."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.db import models


def _fernet() -> Fernet:
    key = settings.PARVIS_CREDENTIALS_KEY or settings.SECRET_KEY
    digest = hashlib.sha256(f"parvis-credentials:{key}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ValueError("Credentials cannot be decrypted: was the secret key changed?") from exc


class EncryptedJSONField(models.TextField):  # type: ignore[type-arg]
    """A JSON object stored encrypted; the database only ever sees ciphertext."""

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
