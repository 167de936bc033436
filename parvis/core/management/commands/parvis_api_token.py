"""`manage.py parvis_api_token USERNAME --workspace SLUG [--name NAME]`: create an API token.

The raw token is printed once on standard output (and nowhere else: only its digest is stored),
so a script can capture it with `$(manage.py parvis_api_token ...)`.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from parvis.core.selectors import membership_list_for_user
from parvis.core.services import api_token_create


class Command(BaseCommand):
    help = "Create an API token acting as USERNAME in one workspace; the token is shown once."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--workspace", required=True, help="Slug of the workspace the token acts in.")
        parser.add_argument("--name", default="cli", help="A label to recognise the token later.")

    def handle(self, *args: Any, **options: Any) -> None:
        user_model = get_user_model()
        user = user_model.objects.filter(**{user_model.USERNAME_FIELD: options["username"], "is_active": True}).first()
        if user is None:
            raise CommandError(f"No active user named {options['username']!r}.")
        membership = membership_list_for_user(user=user).filter(workspace__slug=options["workspace"]).first()
        if membership is None:
            raise CommandError(f"{user.get_username()} is not a member of the workspace {options['workspace']!r}.")
        token, raw = api_token_create(membership=membership, name=options["name"])
        self.stdout.write(raw)
        self.stderr.write(
            f"Token {token.prefix}… ({token.name}) acts as {user.get_username()} ({membership.role}) "
            f"in {membership.workspace.slug}. Store it now: it cannot be shown again."
        )
