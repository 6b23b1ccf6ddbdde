"""Plan pages: who may see them, the background job with progress, review, moves with refusals
and conflicts, locks, insertion options and publishing, all through the web."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import MunicipalityFactory, member
from tests.rides.plan_helpers import DAY, ride, town, vehicle
from thukkhon.core.models import Job
from thukkhon.fleet.models import Reservation
from thukkhon.rides import planning
from thukkhon.rides.models import Mobility, Plan, RideRequest, Run, Status, Stop
from thukkhon.rides.tasks import plan_day_now

pytestmark = pytest.mark.django_db
D = DAY.isoformat()


def _client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _url(name: str, *args: Any) -> str:
    return reverse(f"rides:{name}", args=[D, *args])


@pytest.fixture
def day(settings: Any) -> dict[str, Any]:
    settings.MAP_TILE_URL = ""
    muni = town()
    van = vehicle(muni, seats=4, wheelchair=1, name="ก รถตู้")
    car = vehicle(muni, seats=3, wheelchair=0, name="ข รถเก๋ง")
    a = ride(muni, 0.01, 0.03, mobility=Mobility.WHEELCHAIR)
    b = ride(muni, 0.02, 0.04)
    return {"muni": muni, "van": van, "car": car, "a": a, "b": b, "user": member(muni, "dispatcher")}


@pytest.mark.parametrize("role", ["welfare", "driver", "volunteer", "executive", "resident"])
def test_other_roles_get_404(day: dict[str, Any], role: str) -> None:
    c = _client(member(day["muni"], role))
    assert c.get(reverse("rides:plan-index")).status_code == 404
    assert c.get(_url("plan-day")).status_code == 404
    assert c.post(_url("plan-run")).status_code == 404
    assert not Plan.objects.exists()


def test_anonymous_is_sent_to_login(day: dict[str, Any]) -> None:
    assert Client().get(_url("plan-day")).status_code == 302


def test_admin_may_plan(day: dict[str, Any]) -> None:
    assert _client(member(day["muni"], "admin")).get(_url("plan-day")).status_code == 200


def test_plan_job_with_progress_then_review(
    day: dict[str, Any], settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.RIDES_PLAN_SECONDS = 0.3  # two requests: a short search finds the optimum
    c = _client(day["user"])
    page = c.get(_url("plan-day"))
    assert page.status_code == 200
    assert f'action="{_url("plan-run")}"' in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):  # the job runs after commit (inline)
        response = c.post(_url("plan-run"), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    plan = Plan.objects.get()
    job = Job.objects.get(pk=plan.job_id)
    assert job.kind == "rides.plan_day" and job.status == Job.Status.DONE
    assert job.progress == 100 and job.result["served"] == 2
    assert 'hx-trigger="every 1s"' in response.content.decode()  # the bar polls while the job runs
    progress = c.get(_url("plan-progress"), HTTP_HX_REQUEST="true")
    assert "hx-trigger" not in progress.content.decode()  # finished: no more polling
    assert progress["HX-Refresh"] == "true"  # the page reloads to show the plan
    page = c.get(_url("plan-day")).content.decode()
    assert "ก รถตู้" in page and 'id="plan-map"' in page and "plan-map-data" in page
    assert 'data-tiles=""' in page  # no tiles configured: stops on a plain background
    for stop in Stop.objects.all():
        assert f'id="stop-{stop.pk}"' in page


def test_progress_bar_polls_while_running(day: dict[str, Any]) -> None:
    plan = planning.plan_get_or_create(municipality=day["muni"], service_date=DAY)
    job = Job.objects.create(
        municipality=day["muni"], kind="rides.plan_day", status=Job.Status.RUNNING, progress=40, total=100
    )
    Plan.objects.filter(pk=plan.pk).update(job=job)
    html = _client(day["user"]).get(_url("plan-progress")).content.decode()
    assert 'hx-trigger="every 1s"' in html and 'value="40"' in html


def _planned(day: dict[str, Any]) -> Plan:
    plan = planning.plan_get_or_create(municipality=day["muni"], service_date=DAY)
    plan, _ = plan_day_now(plan=plan, version=plan.version, time_limit=0.3)
    return plan


def test_move_refused_with_the_reason_in_thai(day: dict[str, Any]) -> None:
    plan = _planned(day)
    r = _client(day["user"]).post(
        _url("plan-move"), {"version": plan.version, "request": day["a"].pk, "vehicle": day["car"].pk}
    )
    assert r.status_code == 400
    assert "ความจุไม่พอ" in r.content.decode()
    assert Plan.objects.get().version == plan.version


def test_stale_version_is_a_409_conflict(day: dict[str, Any]) -> None:
    plan = _planned(day)
    c = _client(day["user"])
    ok = c.post(
        _url("plan-move"), {"version": plan.version, "request": day["b"].pk, "vehicle": day["car"].pk}
    )
    assert ok.status_code == 302
    stale = c.post(
        _url("plan-move"), {"version": plan.version, "request": day["b"].pk, "vehicle": day["van"].pk}
    )
    assert stale.status_code == 409
    assert "แผนนี้ถูกแก้ไขโดยผู้อื่น โปรดโหลดใหม่" in stale.content.decode()
    assert Run.objects.get(vehicle=day["car"]).stops.filter(request=day["b"]).count() == 2


def test_lock_publish_and_options(day: dict[str, Any]) -> None:
    plan = _planned(day)
    c = _client(day["user"])
    run = Run.objects.filter(plan=plan).first()
    assert run is not None
    r = c.post(_url("plan-lock"), {"version": plan.version, "run": run.pk, "locked": "1"})
    assert r.status_code == 302 and not run.stops.filter(locked=False).exists()
    plan.refresh_from_db()
    r = c.post(_url("plan-publish"), {"version": plan.version})
    assert r.status_code == 302
    assert Plan.objects.get().state == Plan.State.PUBLISHED
    assert Reservation.objects.filter(purpose="rides").exists()
    assert set(RideRequest.objects.values_list("status", flat=True)) == {Status.SCHEDULED}
    late = ride(day["muni"], 0.02, 0.03)
    page = c.get(_url("plan-day")).content.decode()
    assert f'id="unplanned-{late.pk}"' in page
    options = c.get(_url("plan-options", late.pk))
    assert options.status_code == 200
    assert "plan-options" in options.content.decode()


def test_another_towns_plan_is_invisible(day: dict[str, Any]) -> None:
    _planned(day)
    other = MunicipalityFactory()
    c = _client(member(other, "dispatcher"))
    page = c.get(_url("plan-day")).content.decode()
    assert "ก รถตู้" not in page
    assert c.get(_url("plan-options", day["a"].pk)).status_code == 404
    plan = Plan.objects.get()
    r = c.post(_url("plan-publish"), {"version": plan.version})
    assert r.status_code == 404
    assert Plan.objects.get().state == Plan.State.DRAFT


def test_the_day_is_chosen_in_the_buddhist_era(day: dict[str, Any]) -> None:
    c = _client(day["user"])
    page = c.get(reverse("rides:plan-index"))
    assert page.status_code == 200
    assert 'placeholder="วว/ดด/ปปปป (พ.ศ.)"' in page.content.decode()
    chosen = c.get(reverse("rides:plan-index"), {"date": "27/11/2569"})
    assert (chosen.status_code, chosen.headers["Location"]) == (302, "/rides/plans/2026-11-27/")
    wrong = c.get(reverse("rides:plan-index"), {"date": "27/11/2026"})
    assert wrong.status_code == 200
    assert "ใช้ปี พ.ศ.: ค.ศ. 2026 คือ พ.ศ. 2569" in wrong.content.decode()
