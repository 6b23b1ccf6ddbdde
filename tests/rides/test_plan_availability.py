"""Planning on each vehicle's real free time: a body transport booked before planning, an
out-of-service morning, two shifts with a gap, moves refused with the clash named, publishing,
and out-of-service declared after planning shown on the review page."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tests.factories import member
from tests.fleet_factories import ShiftFactory
from tests.rides.plan_helpers import DAY, DEG, at, ride, town, vehicle
from thukkhon.fleet.models import Reservation
from thukkhon.fleet.services import VehicleBusy, out_of_service_create, vehicle_reserve
from thukkhon.rides import planning
from thukkhon.rides.models import Plan, RideRequest, Run, Status, Stop, UnmetNeed
from thukkhon.rides.planning import PlanRefused
from thukkhon.rides.tasks import plan_day_now

pytestmark = pytest.mark.django_db

FAST = 0.3
STEP = timedelta(seconds=round(DEG * 60))  # one 0.01° hop


def _plan(muni: Any) -> Plan:
    with translation.override("th"):
        plan, _ = plan_day_now(
            plan=planning.plan_get_or_create(municipality=muni, service_date=DAY), version=1, time_limit=FAST
        )
    return plan


def _times(van: Any) -> list[tuple[int, str, datetime]]:
    run = Run.objects.get(vehicle=van)
    return [(s.request_id, s.kind, s.planned_at) for s in run.stops.order_by("sequence")]


def _rides_slots(van: Any) -> list[datetime]:
    return list(
        Reservation.objects.filter(vehicle=van, purpose="rides")
        .order_by("slot")
        .values_list("slot", flat=True)
    )


P, D = Stop.Kind.PICKUP, Stop.Kind.DROPOFF


@pytest.fixture
def funeral_day() -> dict[str, Any]:
    """The only van is on a body transport 10:00–11:00, booked before planning."""
    muni = town()
    van = vehicle(muni, name="รถตู้ 1")
    vehicle_reserve(vehicle=van, starts_at=at(10), ends_at=at(11), purpose="funeral", reference="case:1")
    early = ride(muni, 0.01, 0.03, pickup_window=(at(8), at(9)))
    late = ride(muni, 0.01, 0.03, pickup_window=(at(10), at(12)))
    blocked = ride(muni, 0.01, 0.03, pickup_window=(at(10), at(10, 40)))
    plan = _plan(muni)
    return {"muni": muni, "van": van, "early": early, "late": late, "blocked": blocked, "plan": plan}


def test_no_trip_in_a_body_transport_and_the_rest_served_around_it(funeral_day: dict[str, Any]) -> None:
    van, early, late, blocked = (funeral_day[k] for k in ("van", "early", "late", "blocked"))
    times = _times(van)
    assert [(r, k) for r, k, _t in times] == [(early.pk, P), (early.pk, D), (late.pk, P), (late.pk, D)]
    assert times[0][2] == at(8)  # before the transport
    assert times[2][2] == at(11) + STEP  # out of the depot at 11:00, when the transport is over
    assert not [t for _r, _k, t in times if at(10) <= t < at(11)]
    run = Run.objects.get(vehicle=van)
    assert run.starts_at == at(7) and run.ends_at == at(11) + timedelta(seconds=round(6 * DEG * 60))
    plan = Plan.objects.get(pk=funeral_day["plan"].pk)
    assert plan.unplanned == 1
    need = UnmetNeed.objects.get(request=blocked)
    assert need.detail == "ไม่มีรถคันใดรับได้ในวันนั้น (รถตู้ 1 ติดภารกิจรับส่งศพ 10:00–11:00)"
    assert RideRequest.objects.get(pk=blocked.pk).status == Status.ACCEPTED


def test_publish_succeeds_and_holds_only_the_legs(funeral_day: dict[str, Any]) -> None:
    van, plan = funeral_day["van"], funeral_day["plan"]
    plan = planning.plan_publish(plan=plan, version=plan.version)
    assert plan.state == Plan.State.PUBLISHED
    # 07:00–08:05 (back from the early trip) and 11:00–11:07: never the transport's quarter hours.
    assert _rides_slots(van) == [at(7), at(7, 15), at(7, 30), at(7, 45), at(8), at(11)]
    funeral = Reservation.objects.filter(vehicle=van, purpose="funeral").values_list("slot", flat=True)
    assert sorted(funeral) == [at(10), at(10, 15), at(10, 30), at(10, 45)]
    assert RideRequest.objects.get(pk=funeral_day["early"].pk).status == Status.SCHEDULED
    assert RideRequest.objects.get(pk=funeral_day["late"].pk).status == Status.SCHEDULED
    # A body transport booked after publishing on a slot of the run is still refused.
    with pytest.raises(VehicleBusy):
        vehicle_reserve(
            vehicle=van, starts_at=at(11), ends_at=at(11, 30), purpose="funeral", reference="case:2"
        )
    vehicle_reserve(vehicle=van, starts_at=at(12), ends_at=at(13), purpose="funeral", reference="case:3")


def test_a_body_transport_booked_after_planning_on_the_planned_times_stops_publishing() -> None:
    muni = town()
    van = vehicle(muni, name="รถตู้ 1")
    trip = ride(muni, 0.01, 0.03, pickup_window=(at(8), at(12)))
    plan = _plan(muni)
    assert Run.objects.get(vehicle=van).starts_at == at(7)
    # Booked while the plan is a draft, on the quarter hours the run was planned on.
    vehicle_reserve(vehicle=van, starts_at=at(7), ends_at=at(8), purpose="funeral", reference="case:7")
    with pytest.raises(VehicleBusy):
        planning.plan_publish(plan=plan, version=plan.version)
    plan.refresh_from_db()
    assert plan.state == Plan.State.DRAFT and _rides_slots(van) == []
    # Re-planning plans around it; then publishing succeeds.
    plan_day_now(plan=plan, version=plan.version, time_limit=FAST)
    assert _times(van)[0][:2] == (trip.pk, P) and _times(van)[0][2] == at(8) + STEP
    plan.refresh_from_db()
    planning.plan_publish(plan=plan, version=plan.version)
    assert _rides_slots(van) == [at(8)]


def test_a_move_into_the_body_transport_is_refused_with_the_clash(funeral_day: dict[str, Any]) -> None:
    van, plan, blocked = funeral_day["van"], funeral_day["plan"], funeral_day["blocked"]
    assert planning.insertion_options(plan=plan, request=blocked) == []
    with translation.override("th"), pytest.raises(PlanRefused) as refused:
        planning.plan_move_trip(plan=plan, version=plan.version, request_id=blocked.pk, vehicle_id=van.pk)
    assert refused.value.code == "reserved"
    message = refused.value.messages[0]
    assert message.startswith("ย้ายไม่ได้ — รถตู้ 1 ติดภารกิจรับส่งศพ 10:00–11:00 ")
    # At the end of the morning (positions 2, 2 = after the early trip): back after 10:00.
    plan.refresh_from_db()
    with translation.override("th"), pytest.raises(PlanRefused) as refused:
        planning.plan_move_trip(
            plan=plan,
            version=plan.version,
            request_id=blocked.pk,
            vehicle_id=van.pk,
            pickup_position=2,
            delivery_position=2,
        )
    assert refused.value.code == "reserved"
    assert refused.value.messages[0] == (
        "ย้ายไม่ได้ — รถไม่ว่าง: รถตู้ 1 จะกลับถึงจุดจอดเวลา 10:05 แต่รถตู้ 1 ติดภารกิจรับส่งศพ 10:00–11:00"
    )
    plan.refresh_from_db()
    assert plan.version == 2  # refused changes change nothing
    assert len(_times(van)) == 4


def test_out_of_service_morning() -> None:
    muni = town()
    van = vehicle(muni, name="รถตู้ 1")
    out_of_service_create(vehicle=van, starts_at=at(7), ends_at=at(12), reason="เข้าศูนย์ซ่อมเบรก")
    morning = ride(muni, 0.01, 0.03, pickup_window=(at(8), at(11, 30)))
    noon = ride(muni, 0.01, 0.03, pickup_window=(at(8), at(13)))
    plan = _plan(muni)
    times = _times(van)
    assert [(r, k) for r, k, _t in times] == [(noon.pk, P), (noon.pk, D)]
    assert times[0][2] == at(12) + STEP
    assert Run.objects.get(vehicle=van).starts_at == at(12)
    assert UnmetNeed.objects.get(request=morning).detail == (
        "ไม่มีรถคันใดรับได้ในวันนั้น (รถตู้ 1 งดให้บริการ 07:00–12:00 (เข้าศูนย์ซ่อมเบรก))"
    )
    assert planning.insertion_options(plan=plan, request=morning) == []
    plan = planning.plan_publish(plan=plan, version=plan.version)
    assert _rides_slots(van) == [at(12)]


def test_two_shifts_with_a_gap() -> None:
    muni = town()
    van = vehicle(muni, name="รถตู้ 1", start=(7, 0), end=(10, 0))
    afternoon = ShiftFactory(vehicle=van, starts_at=at(13), ends_at=at(17))
    first = ride(muni, 0.01, 0.03, pickup_window=(at(8), at(9)))
    gap = ride(muni, 0.01, 0.03, pickup_window=(at(10, 30), at(12)))
    second = ride(muni, 0.01, 0.03, pickup_window=(at(13), at(14)))
    plan = _plan(muni)
    times = _times(van)
    assert [(r, k) for r, k, _t in times] == [(first.pk, P), (first.pk, D), (second.pk, P), (second.pk, D)]
    assert (times[0][2], times[2][2]) == (at(8), at(13) + STEP)
    assert UnmetNeed.objects.get(request=gap).detail == (
        "ไม่มีรถคันใดรับได้ในวันนั้น (รถตู้ 1 ไม่มีพนักงานขับรถเข้ากะ 10:00–13:00)"
    )
    run = Run.objects.get(vehicle=van)
    assert run.driver_id != afternoon.driver_id  # the run carries the first shift's driver
    # A late trip in the afternoon: positions count the whole run (2 stops in the morning).
    late = ride(muni, 0.02, 0.03, pickup_window=(at(13), at(14)))
    options = planning.insertion_options(plan=plan, request=late)
    best = options[0]
    assert (best.vehicle_id, best.pickup_position, best.delivery_position) == (van.pk, 3, 3)
    assert options[0].added_km == pytest.approx(0.0, abs=1e-6)
    best = options[0]
    plan = planning.plan_move_trip(
        plan=plan,
        version=plan.version,
        request_id=late.pk,
        vehicle_id=van.pk,
        pickup_position=best.pickup_position,
        delivery_position=best.delivery_position,
    )
    assert [(r, k) for r, k, _t in _times(van)] == [
        (first.pk, P),
        (first.pk, D),
        (second.pk, P),
        (late.pk, P),
        (late.pk, D),
        (second.pk, D),
    ]
    # A trip picked up in the morning and dropped off in the afternoon is refused.
    with translation.override("th"), pytest.raises(PlanRefused) as refused:
        planning.plan_move_trip(
            plan=plan,
            version=plan.version,
            request_id=gap.pk,
            vehicle_id=van.pk,
            pickup_position=1,
            delivery_position=3,
        )
    assert refused.value.code == "reserved"
    assert "จุดรับและจุดส่งจะอยู่คนละช่วงเวลาว่างของ รถตู้ 1" in refused.value.messages[0]
    plan = planning.plan_publish(plan=plan, version=plan.version)
    assert _rides_slots(van) == [at(7), at(7, 15), at(7, 30), at(7, 45), at(8), at(13)]


def test_out_of_service_declared_after_publishing_is_shown_on_the_review_page() -> None:
    muni = town()
    van = vehicle(muni, name="รถตู้ 1")
    trip = ride(muni, 0.01, 0.03, pickup_window=(at(8), at(12)))
    plan = _plan(muni)
    plan = planning.plan_publish(plan=plan, version=plan.version)
    assert _rides_slots(van) == [at(7), at(7, 15), at(7, 30), at(7, 45), at(8)]
    # The van breaks down: declared although a run holds part of the period.
    out_of_service_create(vehicle=van, starts_at=at(7, 30), ends_at=at(9), reason="ยางแตก")
    maintenance = Reservation.objects.filter(vehicle=van, purpose="maintenance").values_list(
        "slot", flat=True
    )
    assert sorted(maintenance) == [at(8, 15), at(8, 30), at(8, 45)]
    with translation.override("th"):
        views = planning.plan_review(plan)
    assert views[0].conflicts == ["รถตู้ 1 งดให้บริการ 07:30–09:00 (ยางแตก): มี 2 จุดของเที่ยวรถนี้อยู่ในช่วงนั้น"]
    client = Client()
    client.force_login(member(muni, "dispatcher"))
    page = client.get(reverse("rides:plan-day", args=[DAY.isoformat()]), headers={"Accept-Language": "th"})
    html = page.content.decode()
    assert 'id="plan-affected"' in html and "ยางแตก" in html
    assert page.context["affected"] == [v for v in page.context["runs"] if v.run.vehicle_id == van.pk]
    # Re-planning moves the trip after the breakdown.
    plan.refresh_from_db()
    with translation.override("th"):
        plan_day_now(plan=plan, version=plan.version, time_limit=FAST)
    times = _times(van)
    assert [(r, k) for r, k, _t in times] == [(trip.pk, P), (trip.pk, D)]
    assert times[0][2] == at(9) + STEP
    assert planning.plan_review(Plan.objects.get(pk=plan.pk))[0].conflicts == []
    assert _rides_slots(van) == [at(9)]


def test_out_of_service_is_still_refused_over_a_body_transport() -> None:
    muni = town()
    van = vehicle(muni)
    vehicle_reserve(vehicle=van, starts_at=at(10), ends_at=at(11), purpose="funeral", reference="case:1")
    with pytest.raises(VehicleBusy):
        out_of_service_create(vehicle=van, starts_at=at(9), ends_at=at(10, 30), reason="ล้างรถ")
    assert not Reservation.objects.filter(purpose="maintenance").exists()


def test_review_page_draws_the_body_transport_on_the_timeline(funeral_day: dict[str, Any]) -> None:
    client = Client()
    client.force_login(member(funeral_day["muni"], "dispatcher"))
    page = client.get(reverse("rides:plan-day", args=[DAY.isoformat()]), headers={"Accept-Language": "th"})
    timeline = page.context["timeline"]
    row = timeline.rows[0]
    assert [(s.kind, s.left, s.width) for s in row.segments] == [
        ("shift", 0.0, 100.0),
        ("funeral", 30.0, 10.0),  # 10:00–11:00 on a 07:00–17:00 day
    ]
    assert row.segments[1].label == "รถตู้ 1 ติดภารกิจรับส่งศพ 10:00–11:00"
    assert row.segments[1].short == "การเคลื่อนย้ายศพ 10:00–11:00"
    assert [left for left, _label in row.stops][:1] == [10.0]  # 08:00
    assert timeline.hours[0] == (0.0, "07:00") and timeline.hours[-1] == (100.0, "17:00")
    html = page.content.decode()
    assert 'class="tl-seg tl-funeral"' in html and "รถตู้ 1 ติดภารกิจรับส่งศพ 10:00–11:00" in html
    assert 'id="plan-affected"' not in html
    # The request no interval could take is listed with the reason.
    assert "ไม่มีรถคันใดรับได้ในวันนั้น (รถตู้ 1 ติดภารกิจรับส่งศพ 10:00–11:00)" in html
