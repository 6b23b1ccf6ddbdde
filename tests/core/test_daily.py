"""Daily jobs: a registry in core and ``thukkhon manage run_daily``."""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from tests.factories import MunicipalityFactory
from thukkhon.core import daily, jobs
from thukkhon.core.models import Job

pytestmark = pytest.mark.django_db

SEEN: list[tuple[int, str]] = []


@pytest.fixture
def probe():  # type: ignore[no-untyped-def]
    """A daily job registered for the test only."""
    SEEN.clear()

    def probe_job(job: Job) -> dict[str, Any]:
        SEEN.append((job.municipality_id, job.params["day"]))
        return {"ok": True}

    daily.daily_job("test.probe")(probe_job)
    yield
    daily._DAILY.pop("test.probe", None)
    jobs._REGISTRY.pop("test.probe", None)


def test_childhood_reminders_are_registered():
    assert "childhood.dspm_reminders" in {d.kind for d in daily.daily_jobs()}


def test_run_daily_enqueues_every_job_for_every_town_once(probe, django_capture_on_commit_callbacks):
    a, b = MunicipalityFactory(), MunicipalityFactory()
    day = date(2026, 12, 1)
    with django_capture_on_commit_callbacks(execute=True):
        first = daily.run_daily(on=day)
    assert sorted(SEEN) == sorted([(a.pk, "2026-12-01"), (b.pk, "2026-12-01")])
    assert {(e.municipality.pk, e.kind) for e in first} >= {(a.pk, "test.probe"), (b.pk, "test.probe")}
    assert all(e.created for e in first)
    assert Job.objects.filter(kind="childhood.dspm_reminders", status=Job.Status.DONE).count() == 2
    # the same day again: nothing new
    with django_capture_on_commit_callbacks(execute=True):
        again = daily.run_daily(on=day)
    assert not any(e.created for e in again) and len(SEEN) == 2
    # a failed job is tried again; another day is another job
    Job.objects.filter(municipality=a, kind="test.probe").update(status=Job.Status.FAILED)
    with django_capture_on_commit_callbacks(execute=True):
        daily.run_daily(on=day, municipalities=[a])
        daily.run_daily(on=day + timedelta(days=1), municipalities=[a])
    assert SEEN[2:] == [(a.pk, "2026-12-01"), (a.pk, "2026-12-02")]


def test_register_daily_with_own_parameters(probe, django_capture_on_commit_callbacks):
    town = MunicipalityFactory()
    daily.register_daily("test.probe", params=lambda on: {"day": (on + timedelta(days=1)).isoformat()})
    with django_capture_on_commit_callbacks(execute=True):
        daily.run_daily(on=date(2026, 12, 31), municipalities=[town])
    assert [(town.pk, "2027-01-01")] == SEEN


def test_command(probe, django_capture_on_commit_callbacks):
    town = MunicipalityFactory()
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("run_daily", "--date", "2026-12-01", "--municipality", town.code, stdout=out)
    assert f"2026-12-01 {town.code} test.probe: job" in out.getvalue() and "enqueued" in out.getvalue()
    assert [(town.pk, "2026-12-01")] == SEEN
    out = io.StringIO()
    call_command("run_daily", "--date", "2026-12-01", "--municipality", town.code, stdout=out)
    assert "already done" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("run_daily", "--date", "1/12/2569")
    with pytest.raises(CommandError):
        call_command("run_daily", "--municipality", "nowhere")
