"""`manage.py parvis_api_token`: creating a token from the command line."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from parvis.core.models import ApiToken


def _run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("parvis_api_token", *args, stdout=out, stderr=err)
    return out.getvalue().strip(), err.getvalue()


def test_the_command_prints_a_token_that_opens_the_api(api, camille):
    raw, _notice = _run("camille", "--workspace", "cci-lyon", "--name", "zapier")

    assert api.with_token(raw).get("/accounts").status_code == 200


def test_the_command_stores_only_the_tokens_digest(camille):
    raw, _notice = _run("camille", "--workspace", "cci-lyon", "--name", "zapier")

    token = ApiToken.objects.get()
    assert token.name == "zapier"
    assert token.digest == ApiToken.digest_for(raw)
    assert raw not in {token.digest, token.prefix, token.name}


def test_the_command_says_the_token_will_not_be_shown_again(camille):
    _raw, notice = _run("camille", "--workspace", "cci-lyon")

    assert "cannot be shown again" in notice


def test_the_command_refuses_a_user_who_is_not_a_member_of_the_workspace(camille, oscar):
    with pytest.raises(CommandError):
        _run("oscar", "--workspace", "cci-lyon")
    assert not ApiToken.objects.exists()


def test_the_command_refuses_an_unknown_user(workspace):
    with pytest.raises(CommandError):
        _run("nobody", "--workspace", "cci-lyon")
