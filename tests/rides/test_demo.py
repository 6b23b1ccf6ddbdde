"""The vehicle service of the demo town: fleet, drivers, a month of history, today's manifest and
tomorrow's plan made by the real planning job, feasible by the engine's exact checker."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from thukkhon.core.actor import actor_for
from thukkhon.core.models import Job, User
from thukkhon.demo.town import build_demo
from thukkhon.dispatch.check import check_plan
from thukkhon.fleet.models import Driver, Reservation, Shift, Vehicle
from thukkhon.rides import planning, reports
from thukkhon.rides.demo import build_rides_demo
from thukkhon.rides.models import Plan, RideRequest, Run, Status, Stop, TripEvent, UnmetNeed

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 18)  # a Wednesday


@pytest.fixture
def demo() -> dict[str, Any]:
    town = build_demo(seed=7, scale=0.05, as_of=TODAY)
    counts = build_rides_demo(town, seed=7, today=TODAY, plan_seconds=2.0)
    return {"town": town, "counts": counts}


def test_fleet_drivers_and_history(demo: dict[str, Any]) -> None:
    town = demo["town"]
    vehicles = list(Vehicle.objects.filter(municipality=town))
    assert len(vehicles) == 4
    assert sum(1 for v in vehicles if v.kind == Vehicle.Kind.VAN and v.wheelchair_places) == 2
    assert sum(1 for v in vehicles if v.stretcher_places) == 1
    assert sum(1 for v in vehicles if v.kind == Vehicle.Kind.CAR) == 1
    assert {v.depot.name_th for v in vehicles if v.depot} == {"สำนักงานเทศบาลเมืองลำพูน"}
    drivers = Driver.objects.filter(membership__municipality=town)
    assert drivers.count() == 4
    assert drivers.filter(membership__user__username="driver").exists()
    assert not any(
        d.membership.user.has_usable_password() for d in drivers.exclude(membership__user__username="driver")
    )
    assert Shift.objects.filter(municipality=town, starts_at__date=TODAY + timedelta(days=1)).count() == 4
    past = RideRequest.objects.filter(municipality=town, service_date__lt=TODAY)
    statuses = set(past.values_list("status", flat=True))
    assert {Status.COMPLETED, Status.NO_SHOW, Status.CANCELLED, Status.DENIED} <= statuses
    assert past.filter(status=Status.COMPLETED).count() > 300
    assert UnmetNeed.objects.filter(municipality=town, reason=UnmetNeed.Reason.DENIED).exists()
    assert not past.filter(status=Status.DENIED, denial_reason="").exists()
    done = Stop.objects.filter(request__in=past.filter(status=Status.COMPLETED))
    assert not done.filter(done_at__isnull=True).exists()
    assert (
        TripEvent.objects.filter(request__in=past, status=Status.COMPLETED).count()
        == past.filter(status=Status.COMPLETED).count()
    )


def test_tomorrow_is_planned_by_the_job_published_and_feasible(demo: dict[str, Any]) -> None:
    town = demo["town"]
    tomorrow = TODAY + timedelta(days=1)
    assert 34 <= demo["counts"]["tomorrow"] <= 50
    plan = Plan.objects.get(municipality=town, service_date=tomorrow)
    assert plan.state == Plan.State.PUBLISHED
    assert plan.job is not None and plan.job.kind == "rides.plan_day" and plan.job.status == Job.Status.DONE
    assert plan.runs.count() >= 3
    day, written = planning.build_plan_day(plan)
    assert check_plan(written) == []
    served = RideRequest.objects.filter(municipality=town, service_date=tomorrow, status=Status.SCHEDULED)
    assert served.count() == day.problem.n - len(written.unserved) > 30
    assert Reservation.objects.filter(municipality=town, reference__startswith="run:").exists()


def test_driver_sees_todays_stops(demo: dict[str, Any]) -> None:
    driver = User.objects.get(username="driver")
    run = Run.objects.get(plan__service_date=TODAY, driver__membership__user=driver)
    assert run.plan.state == Plan.State.PUBLISHED
    assert run.stops.filter(state=Stop.State.PLANNED).count() >= 2
    c = Client()
    c.force_login(driver)
    response = c.get(reverse("rides:manifest"), {"date": TODAY.isoformat()})
    assert response.status_code == 200
    first = run.stops.order_by("sequence").select_related("request__resident").first()
    assert first is not None and first.request.resident.first_name in response.content.decode()


def test_the_month_fills_the_reports(demo: dict[str, Any]) -> None:
    actor = actor_for(User.objects.get(username="executive"))
    assert actor is not None
    f = reports.build_report(actor, TODAY - timedelta(days=30), TODAY - timedelta(days=1)).figures
    assert f["completed"] > 300 and f["denied"] > 0 and f["no_show"] > 0 and f["unmet"] > 0
    assert 0 < f["on_time"] < f["pickups"]
    assert f["late"] > 0 and f["early"] > 0
    assert f["passengers_per_hour"] > 0 and f["km"] > 0
    assert all(b > 0 for b in f["bands"]), f["bands"]


def test_same_seed_same_history() -> None:
    def built() -> list[tuple[Any, ...]]:
        with transaction.atomic():
            town = build_demo(seed=3, scale=0.03, as_of=TODAY)
            build_rides_demo(town, seed=3, today=TODAY, plan_seconds=0.5)
            rows = list(
                RideRequest.objects.filter(service_date__lte=TODAY)
                .order_by("id")
                .values_list(
                    "service_date", "resident__national_id", "purpose", "status", "mobility", "appointment_at"
                )
            )
            transaction.set_rollback(True)
        return rows

    first = built()
    assert len(first) > 300
    assert built() == first
