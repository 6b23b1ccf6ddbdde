"""Daily jobs: what runs once a day for every municipality.

An app registers a job function as daily with :func:`daily_job` (it is then also a job kind of
:mod:`thukkhon.core.jobs`), or registers an existing job kind with :func:`register_daily`::

    @daily_job("childhood.dspm_reminders")
    def dspm_reminders_job(job: Job) -> dict[str, Any]:
        day = date.fromisoformat(job.params["day"])
        ...

    register_daily("rides.queue_reminders", params=lambda on: {"day": (on + timedelta(days=1)).isoformat()})

:func:`run_daily` (``thukkhon manage run_daily``, from cron or Celery beat) enqueues each daily job
for each municipality with ``{"day": "YYYY-MM-DD"}`` by default. Running it twice for the same day
enqueues nothing new: a job of the same kind and parameters that is queued, running or done is
kept (a failed one is enqueued again).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils import timezone

from thukkhon.core.jobs import JobFunction, enqueue, job_kind
from thukkhon.core.models import Job, Municipality

Params = Callable[[date], dict[str, Any]]


def day_params(on: date) -> dict[str, Any]:
    return {"day": on.isoformat()}


@dataclass(frozen=True)
class DailyJob:
    kind: str
    params: Params


_DAILY: dict[str, DailyJob] = {}


def register_daily(kind: str, *, params: Params = day_params) -> None:
    """Run the job kind ``kind`` (already registered with :func:`~thukkhon.core.jobs.job_kind`) every
    day; ``params(on)`` gives the job's parameters for the day."""
    _DAILY[kind] = DailyJob(kind=kind, params=params)


def daily_job(name: str, *, params: Params = day_params) -> Callable[[JobFunction], JobFunction]:
    """Register a job function under ``name`` and run it every day."""

    def register(fn: JobFunction) -> JobFunction:
        job_kind(name)(fn)
        register_daily(name, params=params)
        return fn

    return register


def daily_jobs() -> list[DailyJob]:
    return [_DAILY[k] for k in sorted(_DAILY)]


def job_day(job: Job) -> date:
    """The day a daily job runs for: its ``day`` parameter, or today."""
    raw = job.params.get("day")
    return date.fromisoformat(raw) if raw else timezone.localdate()


@dataclass(frozen=True)
class Enqueued:
    municipality: Municipality
    kind: str
    job: Job
    created: bool


def run_daily(*, on: date | None = None, municipalities: list[Municipality] | None = None) -> list[Enqueued]:
    """Enqueue every daily job for every municipality (or the ones given) for the day ``on``."""
    day = on or timezone.localdate()
    towns = municipalities if municipalities is not None else list(Municipality.objects.order_by("code"))
    out = []
    for town in towns:
        for daily in daily_jobs():
            params = daily.params(day)
            existing = (
                Job.objects.filter(municipality=town, kind=daily.kind, params=params)
                .exclude(status=Job.Status.FAILED)
                .order_by("-id")
                .first()
            )
            if existing is not None:
                out.append(Enqueued(town, daily.kind, existing, created=False))
                continue
            job = enqueue(municipality=town, kind=daily.kind, params=params)
            out.append(Enqueued(town, daily.kind, job, created=True))
    return out
