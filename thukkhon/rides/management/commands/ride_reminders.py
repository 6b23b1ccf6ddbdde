"""``thukkhon manage ride_reminders [--date YYYY-MM-DD] [--municipality CODE] [--send]``

Queues the day-before reminder for every scheduled ride of the date (tomorrow by default) in each
municipality (or one), then with ``--send`` sends the queued messages in this process. Safe to run
again: a ride's reminder is queued and sent once. Run it from cron once a day, e.g.
``0 16 * * * thukkhon manage ride_reminders --send``.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from thukkhon.core.models import Municipality
from thukkhon.core.notify import send_queued
from thukkhon.rides.notifications import queue_reminders


class Command(BaseCommand):
    help = "Queue (and with --send, send) the reminders for the scheduled rides of a day."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="The day of the rides, YYYY-MM-DD (default: tomorrow).")
        parser.add_argument("--municipality", help="Municipality code (default: every municipality).")
        parser.add_argument("--send", action="store_true", help="Send the queued messages now.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            day = date.fromisoformat(options["date"]) if options["date"] else None
        except ValueError:
            raise CommandError("--date must be YYYY-MM-DD") from None
        day = day or timezone.localdate() + timedelta(days=1)
        towns = Municipality.objects.order_by("code")
        if options["municipality"]:
            towns = towns.filter(code=options["municipality"])
            if not towns.exists():
                raise CommandError(f"no municipality with code {options['municipality']!r}")
        for town in towns:
            result = queue_reminders(town, day)
            line = f"{town.code} {day.isoformat()}: {result['requests']} scheduled, {result['queued']} queued"
            if options["send"]:
                sent = send_queued(town)
                line += f", {sent['sent']} sent, {sent['failed']} failed"
            self.stdout.write(line)
