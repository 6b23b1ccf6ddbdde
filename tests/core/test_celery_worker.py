"""A real Celery worker on Redis runs a background job to completion."""

from __future__ import annotations

import os
import socket
import time
from urllib.parse import urlparse

import pytest
from celery.contrib.testing.worker import start_worker

from thukkhon.celery import app
from thukkhon.core import jobs
from thukkhon.core.models import Job, Municipality

BROKER = os.environ.get("CELERY_TEST_BROKER_URL", "redis://127.0.0.1:6379/15")


def _redis_up() -> bool:
    url = urlparse(BROKER)
    try:
        with socket.create_connection((url.hostname or "127.0.0.1", url.port or 6379), timeout=1):
            return True
    except OSError:
        return False


if not _redis_up():
    if os.environ.get("THUKKHON_REQUIRE_SERVICES") == "1":
        raise RuntimeError(f"Redis is required for this run but is not reachable at {BROKER}")
    pytestmark = pytest.mark.skip(reason=f"no Redis at {BROKER}")


@jobs.job_kind("test.count_households")
def _count(job: Job) -> dict[str, int]:
    jobs.job_progress(job, 1, total=2)
    return {"answer": int(job.params["a"]) + int(job.params["b"]), "worker_pid": os.getpid()}


@pytest.fixture
def celery_worker(settings):
    settings.CELERY_BROKER_URL = BROKER
    settings.THUKKHON_JOBS_INLINE = False
    app.conf.update(broker_url=BROKER, result_backend=None, task_always_eager=False)
    with start_worker(app, perform_ping_check=False, pool="solo", shutdown_timeout=10) as worker:
        yield worker


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_job_runs_on_a_real_worker(celery_worker):
    town = Municipality.objects.create(code="w", name_th="เทศบาลทดสอบ", name_en="Test")
    job = jobs.enqueue(municipality=town, kind="test.count_households", params={"a": 40, "b": 2})
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.status in (Job.Status.DONE, Job.Status.FAILED):
            break
        time.sleep(0.1)
    assert job.status == Job.Status.DONE
    assert job.result["answer"] == 42
    assert job.progress == 2
    assert job.total == 2
