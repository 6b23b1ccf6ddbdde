from __future__ import annotations

from celery import shared_task


@shared_task(name="thukkhon.run_job", acks_late=True)
def run_job_task(job_id: int) -> None:
    from thukkhon.core.jobs import run_job

    run_job(job_id)


@shared_task(name="thukkhon.ping")
def ping(value: int) -> int:
    """Used by the test that proves a real worker runs: it answers value + 1."""
    return value + 1
