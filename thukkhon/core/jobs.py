"""Background jobs with progress.

One way to run background work: :func:`enqueue` records a :class:`~thukkhon.core.models.Job` and,
after the surrounding transaction commits, runs the registered function on a Celery worker when
``CELERY_BROKER_URL`` is set, or in a background thread of this process (the embedded default).
A job function receives the job and reports progress with :func:`job_progress`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import close_old_connections, transaction
from django.utils import timezone

from thukkhon.core.models import Job, Municipality, User

log = logging.getLogger(__name__)

JobFunction = Callable[[Job], dict[str, Any]]
_REGISTRY: dict[str, JobFunction] = {}


def job_kind(name: str) -> Callable[[JobFunction], JobFunction]:
    """Register a job function under a stable name."""

    def register(fn: JobFunction) -> JobFunction:
        _REGISTRY[name] = fn
        return fn

    return register


def enqueue(
    *, municipality: Municipality, kind: str, params: dict[str, Any], user: User | None = None, total: int = 0
) -> Job:
    if kind not in _REGISTRY:
        raise KeyError(kind)
    job = Job.objects.create(
        municipality=municipality, kind=kind, params=params, created_by=user, total=total
    )
    transaction.on_commit(lambda: _dispatch(job.pk))
    return job


def _dispatch(job_id: int) -> None:
    if settings.THUKKHON_JOBS_INLINE:
        run_job(job_id)
    elif settings.CELERY_BROKER_URL:
        from thukkhon.core.tasks import run_job_task

        run_job_task.delay(job_id)
    else:
        threading.Thread(target=_run_in_thread, args=(job_id,), daemon=True, name=f"job-{job_id}").start()


def _run_in_thread(job_id: int) -> None:
    try:
        run_job(job_id)
    finally:
        close_old_connections()


def run_job(job_id: int) -> None:
    """Run a job once. A job that is already running or finished is left alone (idempotent)."""
    claimed = Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(
        status=Job.Status.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return
    job = Job.objects.get(pk=job_id)
    try:
        result = _REGISTRY[job.kind](job)
    except Exception as exc:  # a failed job records why; the user sees it on the job page
        log.exception("job %s (%s) failed", job.pk, job.kind)
        Job.objects.filter(pk=job_id).update(
            status=Job.Status.FAILED, message=str(exc)[:300], finished_at=timezone.now()
        )
        return
    Job.objects.filter(pk=job_id).update(
        status=Job.Status.DONE, result=result, finished_at=timezone.now(), progress=job.total or job.progress
    )


def job_progress(job: Job, progress: int, total: int | None = None, message: str = "") -> None:
    job.progress = progress
    fields = {"progress": progress}
    if total is not None:
        job.total = total
        fields["total"] = total
    if message:
        fields["message"] = message[:300]  # type: ignore[assignment]
    Job.objects.filter(pk=job.pk).update(**fields)
