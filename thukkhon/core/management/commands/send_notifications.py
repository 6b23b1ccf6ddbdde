"""``thukkhon manage send_notifications [--municipality CODE]``

Sends every queued notification (LINE, SMS or the outbox) in this process, with the same retries as
the ``core.send_notifications`` job, and prints how many were sent and how many failed.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from thukkhon.core.models import Municipality
from thukkhon.core.notify import send_queued


class Command(BaseCommand):
    help = "Send the queued notifications now."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--municipality", help="Municipality code (default: every municipality).")

    def handle(self, *args: Any, **options: Any) -> None:
        towns = Municipality.objects.order_by("code")
        if options["municipality"]:
            towns = towns.filter(code=options["municipality"])
        for town in towns:
            result = send_queued(town)
            self.stdout.write(f"{town.code}: {result['sent']} sent, {result['failed']} failed")
