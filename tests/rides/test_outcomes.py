"""The outcome state machine: permitted transitions only, one event per change (once per
idempotency key), denial with a reason → unmet need, late cancellation, unplanned → unmet need."""

from __future__ import annotations

from datetime import datetime, time

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from tests.fleet_factories import DriverFactory, VehicleFactory
from tests.rides.booking_town import BKK, NOW, BookingTown, make_town
from thukkhon.core.models import Membership
from thukkhon.core.roles import Role
from thukkhon.rides import booking, outcomes
from thukkhon.rides.models import Plan, ReturnMode, RideRequest, Run, Status, Stop, TripEvent, UnmetNeed


@pytest.fixture
def town(db: object) -> BookingTown:
    return make_town()


def _book(town: BookingTown, **changes: object) -> RideRequest:
    return booking.request_create(actor=town.actor(Role.DISPATCHER), data=town.data(**changes), now=NOW)


def _statuses(ride: RideRequest) -> list[str]:
    return list(ride.events.order_by("id").values_list("status", flat=True))


def test_the_whole_way_writes_one_event_each(town: BookingTown) -> None:
    ride = _book(town)
    dispatcher = town.actor(Role.DISPATCHER)
    outcomes.request_accept(actor=dispatcher, ride=ride)
    outcomes.request_transition(actor=None, ride=ride, to=Status.SCHEDULED, note="plan v1")
    for status in (Status.EN_ROUTE, Status.PICKED_UP, Status.COMPLETED):
        outcomes.request_transition(actor=dispatcher, ride=ride, to=status)
    ride.refresh_from_db()
    assert ride.status == Status.COMPLETED
    assert _statuses(ride) == ["requested", "accepted", "scheduled", "en_route", "picked_up", "completed"]
    assert list(ride.events.order_by("id").values_list("by__username", flat=True)) == [
        "dispatcher", "dispatcher", None, "dispatcher", "dispatcher", "dispatcher",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("path", "to", "message"),
    [
        ([], Status.COMPLETED, "A ride that is “Requested” cannot become “Completed”."),
        ([], Status.SCHEDULED, "A ride that is “Requested” cannot become “Scheduled”."),
        ([Status.ACCEPTED], Status.PICKED_UP, "A ride that is “Accepted” cannot become “Picked up”."),
        ([Status.ACCEPTED, Status.SCHEDULED], Status.COMPLETED,
         "A ride that is “Scheduled” cannot become “Completed”."),
        ([Status.ACCEPTED, Status.SCHEDULED, Status.EN_ROUTE, Status.PICKED_UP], Status.NO_SHOW,
         "A ride that is “Picked up” cannot become “No-show”."),
    ],
)  # fmt: skip
def test_only_permitted_transitions(town: BookingTown, path: list[str], to: str, message: str) -> None:
    ride = _book(town)
    for status in path:
        outcomes.request_transition(actor=None, ride=ride, to=status)
    before = TripEvent.objects.count()
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        outcomes.request_transition(actor=town.actor(Role.ADMIN), ride=ride, to=to)
    assert exc.value.message_dict == {"status": [message]}
    assert TripEvent.objects.count() == before
    ride.refresh_from_db()
    assert ride.status == (path[-1] if path else Status.REQUESTED)


def test_a_final_status_allows_nothing(town: BookingTown) -> None:
    ride = _book(town)
    outcomes.request_cancel(actor=town.actor(Role.DISPATCHER), ride=ride, reason="หายป่วยแล้ว")
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        outcomes.request_accept(actor=town.actor(Role.DISPATCHER), ride=ride)
    assert exc.value.messages == ["A ride that is “Cancelled” cannot become “Accepted”."]


def test_denial_needs_a_reason_and_records_unmet_need_for_both_legs(town: BookingTown) -> None:
    ride = _book(town, return_mode=ReturnMode.FIXED, return_time=time(13, 0))
    welfare = town.actor(Role.WELFARE)
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        outcomes.request_deny(actor=welfare, ride=ride, reason="  ")
    assert exc.value.message_dict == {"reason": ["Give the reason for the denial."]}
    assert UnmetNeed.objects.count() == 0
    outcomes.request_deny(actor=welfare, ride=ride, reason="รถเต็มทุกคัน")
    ride.refresh_from_db()
    leg = RideRequest.objects.get(outbound=ride)
    assert (ride.status, ride.denial_reason) == (Status.DENIED, "รถเต็มทุกคัน")
    assert (leg.status, leg.denial_reason) == (Status.DENIED, "รถเต็มทุกคัน")
    assert sorted(UnmetNeed.objects.values_list("request_id", "reason", "detail")) == [
        (ride.pk, "denied", "รถเต็มทุกคัน"),
        (leg.pk, "denied", "รถเต็มทุกคัน"),
    ]
    assert _statuses(leg) == ["requested", "denied"]


def test_accepting_the_outbound_accepts_its_return(town: BookingTown) -> None:
    ride = _book(town, return_mode=ReturnMode.CALL)
    outcomes.request_accept(actor=town.actor(Role.DISPATCHER), ride=ride)
    assert RideRequest.objects.get(outbound=ride).status == Status.ACCEPTED


@pytest.mark.parametrize(
    ("at", "status"),
    [
        (datetime(2026, 12, 1, 6, 14, tzinfo=BKK), Status.CANCELLED),  # 2 h 1 min before 08:15
        (datetime(2026, 12, 1, 6, 16, tzinfo=BKK), Status.LATE_CANCELLED),  # 1 h 59 min before
    ],
)
def test_late_cancellation_within_two_hours_of_the_pickup(
    town: BookingTown, at: datetime, status: str
) -> None:
    ride = _book(town)
    outcomes.request_cancel(actor=town.actor(Role.VOLUNTEER), ride=ride, reason="ญาติพาไปเอง", at=at)
    ride.refresh_from_db()
    assert (ride.status, ride.cancel_reason) == (status, "ญาติพาไปเอง")
    assert _statuses(ride) == ["requested", status]


def test_the_planned_pickup_time_decides_lateness(town: BookingTown) -> None:
    ride = _book(town)
    outcomes.request_accept(actor=town.actor(Role.DISPATCHER), ride=ride)
    vehicle = VehicleFactory(municipality=town.muni)
    plan = Plan.objects.create(municipality=town.muni, service_date=ride.service_date)
    run = Run.objects.create(
        plan=plan,
        vehicle=vehicle,
        starts_at=datetime(2026, 12, 1, 7, 0, tzinfo=BKK),
        ends_at=datetime(2026, 12, 1, 12, 0, tzinfo=BKK),
    )
    Stop.objects.create(
        run=run,
        sequence=1,
        request=ride,
        kind=Stop.Kind.PICKUP,
        planned_at=datetime(2026, 12, 1, 7, 40, tzinfo=BKK),
    )
    outcomes.request_transition(actor=None, ride=ride, to=Status.SCHEDULED)
    outcomes.request_cancel(
        actor=town.actor(Role.DISPATCHER),
        ride=ride,
        reason="ไม่สบาย",
        at=datetime(2026, 12, 1, 5, 45, tzinfo=BKK),
    )
    ride.refresh_from_db()
    assert ride.status == Status.LATE_CANCELLED


def test_cancellation_needs_a_reason(town: BookingTown) -> None:
    ride = _book(town)
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        outcomes.request_cancel(actor=town.actor(Role.DISPATCHER), ride=ride, reason="")
    assert exc.value.message_dict == {"reason": ["Give the reason for the cancellation."]}


def test_a_retried_transition_is_recorded_once(town: BookingTown) -> None:
    ride = _book(town)
    dispatcher = town.actor(Role.DISPATCHER)
    first = outcomes.request_accept(actor=dispatcher, ride=ride, idempotency_key="k-1")
    again = outcomes.request_accept(actor=dispatcher, ride=ride, idempotency_key="k-1")
    assert first.pk == again.pk
    assert _statuses(ride) == ["requested", "accepted"]
    other = _book(town, appointment_time=time(14, 0))
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        outcomes.request_accept(actor=dispatcher, ride=other, idempotency_key="k-1")
    assert exc.value.messages == ["This idempotency key was already used for another ride."]
    # Without a key, the same change twice is refused the second time.
    with pytest.raises(ValidationError):
        outcomes.request_accept(actor=dispatcher, ride=ride)


def test_unplanned_request_is_unmet_need_once(town: BookingTown) -> None:
    with translation.override("en"):
        _test_unplanned(town)


def _test_unplanned(town: BookingTown) -> None:
    ride = _book(town)
    outcomes.request_accept(actor=town.actor(Role.DISPATCHER), ride=ride)
    need = outcomes.request_mark_unplanned(ride=ride, detail="ไม่มีรถว่างช่วง 08:00")
    again = outcomes.request_mark_unplanned(ride=ride, detail="ไม่มีรถว่างช่วง 08:00")
    assert need.pk == again.pk
    assert (need.reason, need.detail, need.municipality_id) == (
        "not_planned",
        "ไม่มีรถว่างช่วง 08:00",
        town.muni.pk,
    )
    one_leg = outcomes.request_mark_unplanned(ride=ride, one_leg_only=True)
    assert one_leg.reason == "one_leg_only"
    ride.refresh_from_db()
    assert ride.status == Status.ACCEPTED
    assert list(ride.events.order_by("id").values_list("status", "note")) == [
        ("requested", "Booked"),
        ("accepted", ""),
        ("accepted", "ไม่มีรถว่างช่วง 08:00"),
        ("accepted", "Only one leg of a round trip could be served"),
    ]


@pytest.mark.parametrize("role", [Role.VOLUNTEER, Role.RESIDENT, Role.DRIVER, Role.EXECUTIVE])
def test_who_may_not_decide(town: BookingTown, role: str) -> None:
    ride = _book(town)
    with pytest.raises(PermissionDenied):
        outcomes.request_accept(actor=town.actor(role), ride=ride)
    assert _statuses(ride) == ["requested"]


def test_a_driver_records_outcomes_only_on_their_runs(town: BookingTown) -> None:
    ride = _book(town)
    outcomes.request_accept(actor=town.actor(Role.DISPATCHER), ride=ride)
    outcomes.request_transition(actor=None, ride=ride, to=Status.SCHEDULED)
    driver_actor = town.actor(Role.DRIVER)
    with pytest.raises(PermissionDenied):
        outcomes.request_transition(actor=driver_actor, ride=ride, to=Status.EN_ROUTE)
    membership = Membership.objects.get(user=town.users[Role.DRIVER], role=Role.DRIVER)
    driver = DriverFactory(membership=membership)
    plan = Plan.objects.create(municipality=town.muni, service_date=ride.service_date)
    run = Run.objects.create(
        plan=plan,
        vehicle=VehicleFactory(municipality=town.muni),
        driver=driver,
        starts_at=datetime(2026, 12, 1, 7, 0, tzinfo=BKK),
        ends_at=datetime(2026, 12, 1, 12, 0, tzinfo=BKK),
    )
    Stop.objects.create(
        run=run,
        sequence=1,
        request=ride,
        kind=Stop.Kind.PICKUP,
        planned_at=datetime(2026, 12, 1, 7, 40, tzinfo=BKK),
    )
    outcomes.request_transition(actor=driver_actor, ride=ride, to=Status.EN_ROUTE)
    ride.refresh_from_db()
    assert ride.status == Status.EN_ROUTE


def test_a_volunteer_may_not_cancel_outside_their_communities(town: BookingTown) -> None:
    ride = _book(town, resident=town.r2)
    with pytest.raises(PermissionDenied):
        outcomes.request_cancel(actor=town.actor(Role.VOLUNTEER), ride=ride, reason="x")


def test_the_passenger_is_told_of_a_cancellation_but_not_after_their_death(
    town: BookingTown, django_capture_on_commit_callbacks: object
) -> None:
    from thukkhon.core.models import Notification
    from thukkhon.people.models import ResidentStatus

    ride = _book(town)
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        outcomes.request_cancel(actor=town.actor(Role.DISPATCHER), ride=ride, reason="ไม่สบาย")
    told = Notification.objects.get()
    assert (told.template, told.state) == ("ride_cancelled", "sent")
    assert ride.resident.first_name in told.body

    other = _book(town, resident=town.r2)
    other.resident.status, other.resident.status_date = ResidentStatus.DECEASED, NOW.date()
    other.resident.save()
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        outcomes.request_cancel(actor=None, ride=other, reason="ผู้โดยสารเสียชีวิต")
    assert Notification.objects.count() == 1
