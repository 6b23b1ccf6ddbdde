"""Planning: tiny hand-made days whose optimal plans are known, refusals naming the broken
constraint, version conflicts, insertion options, locked stops, publishing and reservations."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection

from tests.rides.plan_helpers import DAY, DEG, at, ride, town, vehicle
from thukkhon.fleet.models import Reservation
from thukkhon.fleet.services import VehicleBusy, vehicle_reserve
from thukkhon.rides import planning
from thukkhon.rides.models import Mobility, Plan, RideRequest, Run, Status, Stop, UnmetNeed
from thukkhon.rides.planning import PlanConflict, PlanRefused
from thukkhon.rides.tasks import plan_day_now

pytestmark = pytest.mark.django_db

FAST = 0.3  # seconds of search: these days are tiny


def _plan(muni: Any) -> Plan:
    return planning.plan_get_or_create(municipality=muni, service_date=DAY)


def _route(v: Any) -> list[tuple[int, str]]:
    run = Run.objects.get(vehicle=v)
    return [(s.request_id, s.kind) for s in run.stops.order_by("sequence")]


P, D = Stop.Kind.PICKUP, Stop.Kind.DROPOFF


def test_two_riders_share_the_van_when_seats_allow() -> None:
    muni = town()
    van = vehicle(muni, seats=2)
    a = ride(muni, 0.01, 0.03)
    b = ride(muni, 0.02, 0.04)
    plan, _result = plan_day_now(plan=_plan(muni), version=1, time_limit=FAST)
    # Both drop-offs after both pickups (the order of the two drop-offs costs the same).
    assert _route(van)[:2] == [(a.pk, P), (b.pk, P)]
    assert set(_route(van)[2:]) == {(a.pk, D), (b.pk, D)}
    assert float(plan.total_km) == pytest.approx(round(8 * DEG, 2))  # out to 0.04° and back
    assert plan.unplanned == 0 and plan.version == 2
    stops = list(Run.objects.get(vehicle=van).stops.order_by("sequence"))
    # Leaves as late as it can: earliest schedule starts the shift at 07:00 and waits for 08:00.
    assert stops[0].planned_at == at(8)
    assert stops[1].planned_at == at(8) + timedelta(seconds=round(DEG * 60))


def test_one_seat_means_one_rider_at_a_time() -> None:
    muni = town()
    van = vehicle(muni, seats=1)
    a = ride(muni, 0.01, 0.03)
    b = ride(muni, 0.02, 0.04)
    plan, _ = plan_day_now(plan=_plan(muni), version=1, time_limit=FAST)
    assert _route(van) == [(a.pk, P), (a.pk, D), (b.pk, P), (b.pk, D)]
    assert float(plan.total_km) == pytest.approx(round(10 * DEG, 2))


def test_attendants_take_seats() -> None:
    muni = town()
    van = vehicle(muni, seats=2)
    a = ride(muni, 0.01, 0.03, attendants=1)
    b = ride(muni, 0.02, 0.04)
    plan_day_now(plan=_plan(muni), version=1, time_limit=FAST)
    assert _route(van) == [(a.pk, P), (a.pk, D), (b.pk, P), (b.pk, D)]


def test_a_wheelchair_goes_to_the_van_with_a_wheelchair_place() -> None:
    muni = town()
    car = vehicle(muni, seats=4, wheelchair=0, name="ก รถเก๋ง")
    van = vehicle(muni, seats=4, wheelchair=1, name="ข รถตู้")
    w = ride(muni, 0.01, 0.02, mobility=Mobility.WHEELCHAIR)
    plan, _ = plan_day_now(plan=_plan(muni), version=1, time_limit=FAST)
    assert _route(van) == [(w.pk, P), (w.pk, D)]
    assert not Run.objects.filter(vehicle=car).exists()
    assert plan.unplanned == 0


def test_a_request_no_vehicle_can_carry_becomes_unmet_need() -> None:
    muni = town()
    vehicle(muni, seats=4)
    s = ride(muni, 0.01, 0.02, mobility=Mobility.STRETCHER)
    ok = ride(muni, 0.01, 0.02)
    plan, _ = plan_day_now(plan=_plan(muni), version=1, time_limit=FAST)
    assert plan.unplanned == 1
    assert UnmetNeed.objects.filter(request=s, reason=UnmetNeed.Reason.NOT_PLANNED).count() == 1
    assert not UnmetNeed.objects.filter(request=ok).exists()
    assert [r.pk for r in planning.unplanned_requests(plan)] == [s.pk]


def test_problem_from_the_day() -> None:
    muni = town()
    vehicle(muni, seats=3, wheelchair=1, start=(7, 0), end=(16, 30))
    w = ride(
        muni,
        0.01,
        0.02,
        mobility=Mobility.WHEELCHAIR,
        companions=1,
        attendants=1,
        dropoff_window=(at(9), at(9, 30)),
    )
    ride(muni, 0.0, 0.0, status=Status.REQUESTED)  # not accepted: not planned
    day = planning.build_day(muni, DAY)
    assert day.problem.n == 1
    r = day.problem.requests[0]
    assert r.id == str(w.pk)
    assert r.seats() == (2, 1, 0)
    assert r.pickup_window == (8 * 60, 12 * 60)
    assert r.delivery_window == (9 * 60, 9 * 60 + 30)
    assert r.max_ride_time == pytest.approx(2 * DEG + 15)
    v = day.problem.vehicles[0]
    assert (v.shift_start, v.shift_end) == (7 * 60, 16 * 60 + 30)
    assert v.capacity.as_tuple() == (3, 1, 0)


# --- Moves: feasibility checked at once, refusals name the constraint -----------------------------------


def _two_vans(muni: Any, **second: Any) -> tuple[Any, Any, RideRequest]:
    first = vehicle(muni, seats=4, wheelchair=1, name="ก รถตู้")
    other = vehicle(muni, name="ข รถคันที่สอง", **second)
    a = ride(muni, 0.01, 0.02, mobility=Mobility.WHEELCHAIR, pickup_window=(at(8), at(8, 10)))
    plan_day_now(plan=_plan(muni), version=1, time_limit=FAST)
    assert _route(first) == [(a.pk, P), (a.pk, D)]
    return first, other, a


def test_move_refused_for_capacity() -> None:
    muni = town()
    _first, other, a = _two_vans(muni, wheelchair=0)
    with pytest.raises(PlanRefused) as info:
        planning.plan_move_trip(plan=_plan(muni), version=2, request_id=a.pk, vehicle_id=other.pk)
    assert info.value.code == "capacity"
    assert "ความจุไม่พอ" in info.value.messages[0]
    assert "ที่สำหรับรถเข็น 1 แต่มีเพียง 0" in info.value.messages[0]
    assert _plan(muni).version == 2  # refused: nothing changed, not even the version


def test_move_refused_for_time_window() -> None:
    muni = town()
    _first, other, a = _two_vans(muni, wheelchair=1, start=(9, 0))
    with pytest.raises(PlanRefused) as info:
        planning.plan_move_trip(plan=_plan(muni), version=2, request_id=a.pk, vehicle_id=other.pk)
    assert info.value.code == "time_window"
    assert "ได้เร็วที่สุดเวลา 09:01 น." in info.value.messages[0]
    assert "ต้องไม่เกิน 08:10 น." in info.value.messages[0]


def test_move_refused_for_shift_end() -> None:
    muni = town()
    _first, other, a = _two_vans(muni, wheelchair=1, start=(7, 0), end=(8, 1))
    with pytest.raises(PlanRefused) as info:
        planning.plan_move_trip(plan=_plan(muni), version=2, request_id=a.pk, vehicle_id=other.pk)
    assert info.value.code == "shift_end"
    assert "เลยเวลาเลิกกะ" in info.value.messages[0]
    assert "กะเลิก 08:01 น." in info.value.messages[0]


def test_move_refused_for_ride_time() -> None:
    muni = town()
    van = vehicle(muni, seats=4)
    a = ride(muni, 0.01, 0.02)
    far = ride(muni, 0.20, 0.40, pickup_window=(at(8), at(14)))
    plan_day_now(plan=_plan(muni), version=1, time_limit=FAST)
    # Pick a up, drive far's whole trip, then drop a off: a would ride about 50 minutes.
    route = _route(van)
    assert set(route) == {(a.pk, P), (a.pk, D), (far.pk, P), (far.pk, D)}
    with pytest.raises(PlanRefused) as info:
        planning.plan_move_trip(
            plan=_plan(muni),
            version=2,
            request_id=a.pk,
            vehicle_id=van.pk,
            pickup_position=0,
            delivery_position=2,
        )
    assert info.value.code == "ride_time"
    limit = 2 * DEG + 15
    assert f"เกินกำหนด {limit:.0f} นาที" in info.value.messages[0]


def test_move_to_a_feasible_place_is_written() -> None:
    muni = town()
    first, other, a = _two_vans(muni, wheelchair=1)
    plan = planning.plan_move_trip(plan=_plan(muni), version=2, request_id=a.pk, vehicle_id=other.pk)
    assert plan.version == 3
    assert _route(other) == [(a.pk, P), (a.pk, D)]
    assert not Run.objects.filter(vehicle=first).exists()


def test_a_stale_version_is_a_conflict_and_changes_nothing() -> None:
    muni = town()
    _first, other, a = _two_vans(muni, wheelchair=1)
    with pytest.raises(PlanConflict) as info:
        planning.plan_move_trip(plan=_plan(muni), version=1, request_id=a.pk, vehicle_id=other.pk)
    assert info.value.messages == ["แผนนี้ถูกแก้ไขโดยผู้อื่น โปรดโหลดใหม่"]
    assert not Run.objects.filter(vehicle=other).exists()
    assert _plan(muni).version == 2


def test_conflict_message_in_english() -> None:
    from django.utils import translation

    with translation.override("en"):
        assert PlanConflict().messages == ["Someone else has changed this plan. Please reload."]


# --- Locks, driven stops and re-planning ---------------------------------------------------------------


def test_locked_and_driven_stops_stay_when_replanning() -> None:
    muni = town()
    first = vehicle(muni, seats=1, name="ก")
    second = vehicle(muni, seats=1, name="ข")
    a = ride(muni, 0.01, 0.03)
    b = ride(muni, 0.02, 0.04, pickup_window=(at(10), at(12)))
    plan, _ = plan_day_now(plan=_plan(muni), version=1, time_limit=FAST)
    # Force a worse plan by hand: both on the second vehicle, then lock its first trip as driven.
    for req in (a, b):
        if any(r == req.pk for r, _k in _route(first) if Run.objects.filter(vehicle=first).exists()):
            plan = planning.plan_move_trip(
                plan=plan, version=plan.version, request_id=req.pk, vehicle_id=second.pk
            )
    assert {r for r, _k in _route(second)} == {a.pk, b.pk}
    order = _route(second)
    driven = Stop.objects.get(request_id=order[0][0], kind=P)
    Stop.objects.filter(pk=driven.pk).update(state=Stop.State.DONE)
    locked_pickup = Stop.objects.get(request_id=order[2][0], kind=P)
    plan = planning.plan_lock(
        plan=plan, version=plan.version, run_id=locked_pickup.run_id, stop_id=locked_pickup.pk
    )
    assert list(
        Stop.objects.filter(run__vehicle=second).order_by("sequence").values_list("locked", flat=True)
    ) == [True, True, True, False]
    plan, _ = plan_day_now(plan=plan, version=plan.version, time_limit=FAST)
    assert _route(second) == order  # the locked prefix (3 stops) and the delivery that must follow
    # A locked trip cannot be moved.
    with pytest.raises(PlanRefused):
        planning.plan_move_trip(plan=plan, version=plan.version, request_id=order[0][0], vehicle_id=first.pk)
    # Unlocked, the replan is free to improve the rest (nothing is left to improve here but it runs).
    plan = planning.plan_lock(plan=plan, version=plan.version, run_id=locked_pickup.run_id, locked=False)
    assert Stop.objects.filter(run__vehicle=second, locked=True).count() == 0


def test_unplan_trip_records_unmet_need() -> None:
    muni = town()
    van = vehicle(muni)
    a = ride(muni, 0.01, 0.02)
    plan, _ = plan_day_now(plan=_plan(muni), version=1, time_limit=FAST)
    plan = planning.plan_unplan_trip(plan=plan, version=plan.version, request_id=a.pk)
    assert not Run.objects.filter(vehicle=van).exists()
    assert plan.unplanned == 1
    assert UnmetNeed.objects.filter(request=a, reason=UnmetNeed.Reason.NOT_PLANNED).exists()


# --- Publishing -----------------------------------------------------------------------------------------


def test_publish_reserves_vehicles_and_schedules_requests() -> None:
    muni = town()
    van = vehicle(muni, seats=2)
    a = ride(muni, 0.01, 0.03)
    b = ride(muni, 0.02, 0.04)
    plan, _ = plan_day_now(plan=_plan(muni), version=1, time_limit=FAST)
    plan = planning.plan_publish(plan=plan, version=plan.version)
    run = Run.objects.get(vehicle=van)
    slots = list(Reservation.objects.filter(vehicle=van).order_by("slot").values_list("slot", "reference"))
    assert slots[0] == (at(7), f"run:{run.pk}")  # the run leaves at 07:00 (earliest schedule)
    assert slots[-1][0] == at(8, 0)  # back 08:08.9: the 08:00 quarter hour is the last
    assert plan.state == Plan.State.PUBLISHED
    assert set(RideRequest.objects.filter(pk__in=[a.pk, b.pk]).values_list("status", flat=True)) == {
        Status.SCHEDULED
    }
    # A later change to the published plan keeps the reservations in step.
    plan = planning.plan_unplan_trip(plan=plan, version=plan.version, request_id=b.pk)
    assert RideRequest.objects.get(pk=b.pk).status == Status.ACCEPTED
    assert Reservation.objects.filter(vehicle=van).count() >= 1


def test_publish_refused_when_the_vehicle_is_taken() -> None:
    muni = town()
    van = vehicle(muni)
    a = ride(muni, 0.01, 0.03)
    plan, _ = plan_day_now(plan=_plan(muni), version=1, time_limit=FAST)
    vehicle_reserve(vehicle=van, starts_at=at(8), ends_at=at(9), purpose="funeral", reference="case:1")
    with pytest.raises(VehicleBusy):
        planning.plan_publish(plan=plan, version=plan.version)
    plan.refresh_from_db()
    assert plan.state == Plan.State.DRAFT and plan.version == 2
    assert RideRequest.objects.get(pk=a.pk).status == Status.ACCEPTED
    assert not Reservation.objects.filter(purpose="rides").exists()


# --- Same-day insertion ---------------------------------------------------------------------------------


def test_insertion_options_are_ranked_feasible_and_can_be_taken() -> None:
    muni = town()
    van = vehicle(muni, seats=2, name="ก")
    vehicle(muni, seats=2, name="ข")
    a = ride(muni, 0.01, 0.03)
    plan, _ = plan_day_now(plan=_plan(muni), version=1, time_limit=FAST)
    late = ride(muni, 0.02, 0.03, pickup_window=(at(8), at(9)))
    options = planning.insertion_options(plan=plan, request=late)
    assert options
    assert [o.added_km for o in options] == sorted(o.added_km for o in options)
    best = options[0]
    # Best: on the van already passing by, picked up between a's pickup and drop-off: no extra km.
    assert (best.vehicle_id, best.pickup_position, best.delivery_position) == (van.pk, 1, 1)
    assert best.added_km == pytest.approx(0.0, abs=1e-6)
    assert best.pickup_at == at(8) + timedelta(seconds=round(DEG * 60))
    day, current = planning.build_plan_day(plan, extra=[late])
    index = day.index_of_request[late.pk]
    for o in options:  # every option passes the exact checker
        k = day.index_of_vehicle[o.vehicle_id]
        _routes, breaches = planning.trip_placement(
            day, current, index, k, o.pickup_position, o.delivery_position
        )
        assert breaches == []
    plan = planning.plan_move_trip(
        plan=plan,
        version=plan.version,
        request_id=late.pk,
        vehicle_id=best.vehicle_id,
        pickup_position=best.pickup_position,
        delivery_position=best.delivery_position,
    )
    assert _route(van) == [(a.pk, P), (late.pk, P), (late.pk, D), (a.pk, D)]  # both drop-offs at 0.03°


def test_insertion_options_skip_locked_prefix() -> None:
    muni = town()
    van = vehicle(muni, seats=2)
    a = ride(muni, 0.01, 0.03)
    plan, _ = plan_day_now(plan=_plan(muni), version=1, time_limit=FAST)
    run = Run.objects.get(vehicle=van)
    plan = planning.plan_lock(plan=plan, version=plan.version, run_id=run.pk)
    late = ride(muni, 0.02, 0.03, pickup_window=(at(8), at(9)))
    options = planning.insertion_options(plan=plan, request=late)
    assert options and all(o.pickup_position >= 2 for o in options)
    assert a.pk in {r for r, _k in _route(van)}


# --- Concurrency on a transactional database ---------------------------------------------------------------


def _race(*calls: Any) -> list[Any]:
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("in-memory SQLite locks tables across threads: THUKKHON_TEST_SQLITE_FILE=1 or PostgreSQL")
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = calls[i]()
        except Exception as exc:
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


@pytest.mark.django_db(transaction=True)
def test_concurrent_moves_on_one_version_exactly_one_wins() -> None:
    muni = town()
    first = vehicle(muni, seats=4, wheelchair=1, name="ก")
    second = vehicle(muni, seats=4, wheelchair=1, name="ข")
    a = ride(muni, 0.01, 0.02)
    plan, _ = plan_day_now(plan=_plan(muni), version=1, time_limit=FAST)
    target = second if Run.objects.filter(vehicle=first).exists() else first
    results = _race(
        lambda: planning.plan_move_trip(
            plan=Plan.objects.get(pk=plan.pk), version=2, request_id=a.pk, vehicle_id=target.pk
        ),
        lambda: planning.plan_unplan_trip(plan=Plan.objects.get(pk=plan.pk), version=2, request_id=a.pk),
    )
    wins = [r for r in results if isinstance(r, Plan)]
    losses = [r for r in results if isinstance(r, PlanConflict)]
    assert len(wins) == 1 and len(losses) == 1, results
    assert Plan.objects.get(pk=plan.pk).version == 3


@pytest.mark.django_db(transaction=True)
def test_concurrent_publishes_exactly_one_wins() -> None:
    muni = town()
    vehicle(muni)
    ride(muni, 0.01, 0.02)
    plan, _ = plan_day_now(plan=_plan(muni), version=1, time_limit=FAST)
    results = _race(
        lambda: planning.plan_publish(plan=Plan.objects.get(pk=plan.pk), version=2),
        lambda: planning.plan_publish(plan=Plan.objects.get(pk=plan.pk), version=2),
    )
    assert sorted(type(r).__name__ for r in results) == ["Plan", "PlanConflict"], results
    assert (
        Reservation.objects.filter(purpose="rides").count()
        == Reservation.objects.values("slot").distinct().count()
    )


@pytest.mark.django_db(transaction=True)
def test_publish_and_another_booking_of_the_vehicle_exactly_one_wins() -> None:
    muni = town()
    van = vehicle(muni)
    ride(muni, 0.01, 0.02)
    plan, _ = plan_day_now(plan=_plan(muni), version=1, time_limit=FAST)
    results = _race(
        lambda: planning.plan_publish(plan=Plan.objects.get(pk=plan.pk), version=2),
        lambda: vehicle_reserve(
            vehicle=van, starts_at=at(7), ends_at=at(9), purpose="funeral", reference="case:9"
        ),
    )
    assert sum(1 for r in results if isinstance(r, VehicleBusy)) == 1, results
    purposes = set(Reservation.objects.filter(vehicle=van).values_list("purpose", flat=True))
    assert len(purposes) == 1
