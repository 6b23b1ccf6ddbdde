"""Daily work of the People Assistance Vehicle (run by ``thukkhon manage run_daily``)."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from django.utils import timezone

from thukkhon.core.actor import actor_for
from thukkhon.core.daily import daily_job, job_day
from thukkhon.core.jobs import job_progress
from thukkhon.core.models import Job

SERIES_JOB = "rides.extend_series"


@daily_job(SERIES_JOB)
def extend_series_job(job: Job) -> dict[str, Any]:
    """Every day, each active recurring series books the dates that came within reach
    (``book_days_ahead``), in the name of the person who set the series up."""
    from thukkhon.rides.booking import series_extend
    from thukkhon.rides.models import RideSeries

    now = timezone.make_aware(datetime.combine(job_day(job), time(6, 0)))
    series = list(
        RideSeries.objects.filter(municipality=job.municipality, is_active=True)
        .select_related("created_by")
        .order_by("id")
    )
    created = skipped = 0
    for n, one in enumerate(series, start=1):
        actor = actor_for(one.created_by, one.municipality_id)
        if actor is None:  # the person who set it up has left: the dispatcher sees it on the list
            skipped += 1
        else:
            created += series_extend(actor=actor, series=one, now=now)
        job_progress(job, n, len(series))
    return {"series": len(series), "requests": created, "skipped": skipped}
