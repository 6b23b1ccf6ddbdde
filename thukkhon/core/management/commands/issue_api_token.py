"""``thukkhon manage issue_api_token USERNAME --name NAME [--municipality CODE]``

Issues an API token acting as USERNAME in one of their municipalities and prints it once: only its
SHA-256 digest is stored. ``--revoke PREFIX`` revokes the user's token that starts with PREFIX.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from thukkhon.core.actor import actor_for
from thukkhon.core.api_auth import api_token_issue, api_token_revoke
from thukkhon.core.models import ApiToken, Municipality, User


class Command(BaseCommand):
    help = "Issue (or revoke) an API token for a user; the token is printed once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", help="What the token is for, e.g. the integration's name.")
        parser.add_argument(
            "--municipality", help="Municipality code (default: the user's first municipality)."
        )
        parser.add_argument("--revoke", metavar="PREFIX", help="Revoke the token starting with PREFIX.")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None or not user.is_active:
            raise CommandError(f"No active user {options['username']!r}.")
        municipality_id = None
        if options["municipality"]:
            municipality = Municipality.objects.filter(code=options["municipality"]).first()
            if municipality is None:
                raise CommandError(f"No municipality with code {options['municipality']!r}.")
            municipality_id = municipality.pk
        actor = actor_for(user, municipality_id)
        if actor is None or (municipality_id is not None and actor.municipality.pk != municipality_id):
            raise CommandError(f"{user.username} has no active membership in that municipality.")

        if options["revoke"]:
            token = ApiToken.objects.filter(user=user, prefix__startswith=options["revoke"][:8]).first()
            if token is None:
                raise CommandError(f"{user.username} has no token starting with {options['revoke']!r}.")
            api_token_revoke(actor=actor, token=token)
            self.stdout.write(f"Revoked {token}.")
            return

        if not options["name"]:
            raise CommandError("Give the token a name with --name.")
        try:
            token, raw = api_token_issue(actor=actor, name=options["name"])
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stderr.write(
            f"Token {token.name!r} for {user.username} in {actor.municipality.code} "
            "(shown once; store it now):"
        )
        self.stdout.write(raw)
