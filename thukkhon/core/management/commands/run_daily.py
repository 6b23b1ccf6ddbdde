"""``thukkhon manage run_daily [--date YYYY-MM-DD] [--municipality CODE]``

Enqueues every registered daily job (:mod:`thukkhon.core.daily`) for every municipality, e.g. from
cron at 06:00: ``0 6 * * * uv run thukkhon manage run_daily``. Running it again for the same day
enqueues nothing new.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from thukkhon.core.daily import daily_jobs, run_daily
from thukkhon.core.models import Municipality


class Command(BaseCommand):
    help = "Enqueue the daily jobs (reminders and the like) of every municipality."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="The day to run for, YYYY-MM-DD (default: today).")
        parser.add_argument("--municipality", help="Municipality code (default: every municipality).")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            day = date.fromisoformat(options["date"]) if options["date"] else timezone.localdate()
        except ValueError as exc:
            raise CommandError("--date must be YYYY-MM-DD") from exc
        towns = None
        if options["municipality"]:
            towns = list(Municipality.objects.filter(code=options["municipality"]))
            if not towns:
                raise CommandError(f"no municipality with code {options['municipality']!r}")
        if not daily_jobs():
            self.stdout.write("no daily jobs are registered")
            return
        for item in run_daily(on=day, municipalities=towns):
            state = "enqueued" if item.created else f"already {item.job.status}"
            self.stdout.write(
                f"{day.isoformat()} {item.municipality.code} {item.kind}: job {item.job.pk} {state}"
            )
