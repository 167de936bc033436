"""Credentials at rest: the database only ever sees ciphertext."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import serializers
from django.core.exceptions import FieldError
from django.db import connection

from parvis.core.crypto import decrypt
from parvis.core.tests.factories import WorkspaceFactory
from parvis.networks.models import ConnectedAccount

SECRET = {"access_token": "jeton-très-secret-42", "refresh_token": "r3fr3sh"}


def raw_credentials(account: ConnectedAccount) -> str:
    table = ConnectedAccount._meta.db_table
    column = ConnectedAccount._meta.get_field("credentials").column
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [account.pk])  # noqa: S608 - names from the model
        (value,) = cursor.fetchone()
    return str(value)


def make_account(credentials: dict[str, str]) -> ConnectedAccount:
    return ConnectedAccount.objects.create(
        workspace=WorkspaceFactory(),
        network="fake",
        instance_url="https://fake.example",
        external_id="acct-1",
        handle="@cci",
        credentials=credentials,
    )


@pytest.fixture
def account(db: None) -> ConnectedAccount:
    return make_account(SECRET)


def test_it_stores_credentials_as_ciphertext(account: ConnectedAccount) -> None:
    raw = raw_credentials(account)

    assert raw.startswith("gAAAAA")  # a Fernet token
    assert "jeton" not in raw
    assert "access_token" not in raw


def test_the_ciphertext_holds_the_credentials(account: ConnectedAccount) -> None:
    assert decrypt(raw_credentials(account)) == (
        '{"access_token": "jeton-tr\\u00e8s-secret-42", "refresh_token": "r3fr3sh"}'
    )


def test_it_reads_back_the_credentials_it_stored(account: ConnectedAccount) -> None:
    assert ConnectedAccount.objects.get(pk=account.pk).credentials == SECRET


def test_it_reads_back_credentials_through_values(account: ConnectedAccount) -> None:
    assert list(ConnectedAccount.objects.values_list("credentials", flat=True)) == [SECRET]


def test_it_reads_empty_credentials_as_an_empty_dict(db: None) -> None:
    account = make_account({})

    assert ConnectedAccount.objects.get(pk=account.pk).credentials == {}
    assert raw_credentials(account).startswith("gAAAAA")


def test_it_encrypts_the_same_credentials_differently_at_each_save(account: ConnectedAccount) -> None:
    first = raw_credentials(account)
    account.save()

    assert raw_credentials(account) != first


def test_it_refuses_to_decrypt_with_another_key_and_says_why(account: ConnectedAccount, settings: Any) -> None:
    settings.PARVIS_CREDENTIALS_KEY = "une-autre-clé"

    with pytest.raises(ValueError, match=r"^Credentials cannot be decrypted: was the secret key changed\?$"):
        ConnectedAccount.objects.get(pk=account.pk)


def test_it_still_decrypts_after_the_secret_key_is_rotated_with_a_fallback(
    account: ConnectedAccount, settings: Any
) -> None:
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-brand-new-secret-key-for-this-test-only-0123456789"

    assert ConnectedAccount.objects.get(pk=account.pk).credentials == SECRET


def test_it_encrypts_with_the_new_key_after_a_rotation(account: ConnectedAccount, settings: Any) -> None:
    old_key = settings.SECRET_KEY
    settings.SECRET_KEY_FALLBACKS = [old_key]
    settings.SECRET_KEY = "a-brand-new-secret-key-for-this-test-only-0123456789"
    account.save()
    settings.SECRET_KEY_FALLBACKS = []

    assert ConnectedAccount.objects.get(pk=account.pk).credentials == SECRET


def test_it_refuses_to_filter_on_credentials(account: ConnectedAccount) -> None:
    # The ciphertext changes at every save: an equality filter could never match.
    with pytest.raises(FieldError, match="Unsupported lookup 'exact'"):
        list(ConnectedAccount.objects.filter(credentials=SECRET))


def test_a_serialised_account_holds_ciphertext_and_loads_back(account: ConnectedAccount) -> None:
    dumped = serializers.serialize("json", [account])

    (loaded,) = serializers.deserialize("json", dumped)

    assert "jeton" not in dumped
    assert loaded.object.credentials == SECRET
