"""Booking: time windows, return legs, recurring series, validation in the user's language with
nothing written, idempotency (also under concurrent submissions), and who may book for whom."""

from __future__ import annotations

import threading
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import translation

from tests.factories import HouseholdFactory, ResidentFactory
from tests.fleet_factories import VehicleFactory
from tests.rides.booking_town import BKK, NOW, BookingTown, make_town
from thukkhon.core.roles import Role
from thukkhon.people.models import ResidentStatus
from thukkhon.rides import booking
from thukkhon.rides.booking import Location
from thukkhon.rides.models import (
    Channel,
    LocationKind,
    Mobility,
    Purpose,
    ReturnMode,
    RideRequest,
    RideSeries,
    RideSettings,
    Status,
    TripEvent,
)


@pytest.fixture
def town(db: object) -> BookingTown:
    return make_town()


def _errors(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return exc.value.message_dict


def _nothing_written() -> None:
    assert RideRequest.objects.count() == 0
    assert TripEvent.objects.count() == 0
    assert RideSeries.objects.count() == 0


def test_outbound_windows_places_priority_and_event(town: BookingTown) -> None:
    ride = booking.request_create(actor=town.actor(Role.DISPATCHER), data=town.data(), now=NOW)
    ride.refresh_from_db()
    assert ride.appointment_at == datetime(2026, 12, 1, 9, 0, tzinfo=BKK)
    assert ride.dropoff_earliest == datetime(2026, 12, 1, 8, 15, tzinfo=BKK)
    assert ride.dropoff_latest == datetime(2026, 12, 1, 8, 45, tzinfo=BKK)
    assert (ride.pickup_earliest, ride.pickup_latest) == (None, None)
    assert (ride.pickup_lat, ride.pickup_lon) == (Decimal("18.585000"), Decimal("99.015000"))
    assert (ride.dropoff_lat, ride.dropoff_lon) == (Decimal("18.577000"), Decimal("99.009000"))
    assert ride.dropoff_place == town.hospital
    assert ride.channel == Channel.STAFF
    assert ride.status == Status.REQUESTED
    assert ride.booked_by == town.users[Role.DISPATCHER]
    assert ride.priority == 75
    assert [r["points"] for r in ride.priority_reasons] == [40, 15, 10, 10]
    assert list(ride.events.values_list("status", "note")) == [(Status.REQUESTED, "จองแล้ว")]
    assert RideSettings.objects.filter(municipality=town.muni).count() == 1  # created on first use
    assert not RideRequest.objects.filter(outbound=ride).exists()


def test_settings_change_the_windows(town: BookingTown) -> None:
    RideSettings.objects.create(municipality=town.muni, arrive_before_min=30, window_min=20)
    ride = booking.request_create(actor=town.actor(Role.WELFARE), data=town.data(), now=NOW)
    assert timezone_pair(ride) == ("08:10", "08:30")


def timezone_pair(ride: RideRequest) -> tuple[str, str]:
    assert ride.dropoff_earliest and ride.dropoff_latest
    return (
        ride.dropoff_earliest.astimezone(BKK).strftime("%H:%M"),
        ride.dropoff_latest.astimezone(BKK).strftime("%H:%M"),
    )


def test_fixed_return_leg(town: BookingTown) -> None:
    data = town.data(return_mode=ReturnMode.FIXED, return_time=time(14, 0), notes_for_driver="บ้านหลังวัด")
    ride = booking.request_create(actor=town.actor(Role.DISPATCHER), data=data, now=NOW)
    leg = RideRequest.objects.get(outbound=ride)
    assert leg.pickup_kind == LocationKind.PLACE and leg.pickup_place == town.hospital
    assert leg.dropoff_kind == LocationKind.HOME and leg.dropoff_place is None
    assert (leg.pickup_lat, leg.dropoff_lat) == (Decimal("18.577000"), Decimal("18.585000"))
    assert leg.pickup_earliest == datetime(2026, 12, 1, 14, 0, tzinfo=BKK)
    assert leg.pickup_latest == datetime(2026, 12, 1, 14, 30, tzinfo=BKK)
    assert (leg.dropoff_earliest, leg.dropoff_latest, leg.appointment_at) == (None, None, None)
    assert leg.notes_for_driver == "บ้านหลังวัด"
    assert ride.return_at == datetime(2026, 12, 1, 14, 0, tzinfo=BKK)
    assert list(leg.events.values_list("status", "note")) == [(Status.REQUESTED, "จองเที่ยวกลับแล้ว")]


def test_call_when_done_return_gets_its_window_when_called(town: BookingTown) -> None:
    actor = town.actor(Role.DISPATCHER)
    ride = booking.request_create(actor=actor, data=town.data(return_mode=ReturnMode.CALL), now=NOW)
    leg = RideRequest.objects.get(outbound=ride)
    assert (leg.status, leg.pickup_earliest, leg.pickup_latest) == (Status.REQUESTED, None, None)
    called = datetime(2026, 12, 1, 11, 5, tzinfo=BKK)
    with translation.override("en"):
        booking.return_call(actor=actor, ride=leg, at=called)
    leg.refresh_from_db()
    assert (leg.pickup_earliest, leg.pickup_latest) == (called, called + timedelta(minutes=30))
    assert leg.events.last().note == "Called: ready to be picked up"  # type: ignore[union-attr]
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        booking.return_call(actor=actor, ride=leg, at=called)
    assert exc.value.messages == ["This is not a return trip waiting for a call."]


def test_address_with_a_pin(town: BookingTown) -> None:
    data = town.data(
        dropoff=Location(
            kind=LocationKind.ADDRESS, address="12 ถ.อินทยงยศ", lat=Decimal("18.5701"), lon=Decimal("99.0102")
        )
    )
    ride = booking.request_create(actor=town.actor(Role.DISPATCHER), data=data, now=NOW)
    assert (ride.dropoff_address, ride.dropoff_lat, ride.dropoff_lon) == (
        "12 ถ.อินทยงยศ",
        Decimal("18.5701"),
        Decimal("99.0102"),
    )


BAD = [
    # (changes, now, field, English message)
    ({}, datetime(2026, 12, 1, 8, 30, tzinfo=BKK), "appointment_time",
     "The pickup would be in the past: choose a later date or time."),
    ({"service_date": date(2026, 11, 29)}, NOW, "service_date",
     "The pickup would be in the past: choose a later date or time."),
    ({"service_date": date(2026, 12, 31)}, NOW, "service_date",
     "Rides can be booked up to 30 days ahead, until 30 ธันวาคม 2569."),
    ({"appointment_time": time(7, 30)}, NOW, "appointment_time",
     "The appointment must be between 07:45 and 17:00, the hours of the service."),
    ({"appointment_time": time(17, 30)}, NOW, "appointment_time",
     "The appointment must be between 07:45 and 17:00, the hours of the service."),
    ({"appointment_time": None}, NOW, "appointment_time", "Enter the appointment time."),
    ({"mobility": Mobility.STRETCHER}, NOW, "mobility",
     "No vehicle of the municipality can carry a stretcher."),
    ({"companions": 4, "attendants": 2}, NOW, "mobility", "No vehicle of the municipality has 7 seats."),
    ({"mobility": Mobility.WHEELCHAIR, "companions": 7}, NOW, "mobility",
     "No vehicle of the municipality can carry this passenger with 7 more seated people."),
    ({"dropoff": Location(kind=LocationKind.PLACE)}, NOW, "dropoff", "Choose a place."),
    ({"dropoff": Location(kind=LocationKind.ADDRESS, address="ตลาด")}, NOW, "dropoff",
     "Pin the address on the map, or enter its latitude and longitude."),
    ({"dropoff": Location(kind=LocationKind.HOME)}, NOW, "dropoff",
     "The drop-off must be somewhere else than the pickup."),
    ({"return_mode": ReturnMode.FIXED}, NOW, "return_time", "Enter the time of the return trip."),
    ({"return_mode": ReturnMode.FIXED, "return_time": time(8, 0)}, NOW, "return_time",
     "The return trip must be after the appointment."),
    ({"return_mode": ReturnMode.FIXED, "return_time": time(18, 0)}, NOW, "return_time",
     "The return trip must be between 07:00 and 17:00, the hours of the service."),
    ({"purpose": "shopping"}, NOW, "purpose", "Choose a purpose from the list."),
]  # fmt: skip


@pytest.mark.parametrize(("changes", "now", "field", "message"), BAD)
def test_bad_input_is_refused_with_a_message_and_nothing_written(
    town: BookingTown, changes: dict[str, object], now: datetime, field: str, message: str
) -> None:
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        booking.request_create(actor=town.actor(Role.DISPATCHER), data=town.data(**changes), now=now)
    assert _errors(exc) == {field: [message]}
    _nothing_written()


def test_place_of_another_municipality(town: BookingTown) -> None:
    data = town.data(dropoff=Location(kind=LocationKind.PLACE, place=town.other_place))
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        booking.request_create(actor=town.actor(Role.DISPATCHER), data=data, now=NOW)
    assert _errors(exc) == {"dropoff": ["Choose a place of this municipality."]}
    _nothing_written()


def test_home_without_a_map_position(town: BookingTown) -> None:
    home = HouseholdFactory(municipality=town.muni, community=town.c1, latitude=None, longitude=None)
    resident = ResidentFactory(municipality=town.muni, community=town.c1, household=home)
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        booking.request_create(actor=town.actor(Role.DISPATCHER), data=town.data(resident), now=NOW)
    assert _errors(exc) == {
        "pickup": ["The resident's home has no map position: choose a place or pin an address."]
    }
    _nothing_written()


def test_a_stretcher_vehicle_that_is_not_in_use_does_not_count(town: BookingTown) -> None:
    VehicleFactory(municipality=town.muni, stretcher_places=1, is_active=False)
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        booking.request_create(
            actor=town.actor(Role.DISPATCHER), data=town.data(mobility=Mobility.STRETCHER), now=NOW
        )
    assert _errors(exc) == {"mobility": ["No vehicle of the municipality can carry a stretcher."]}
    VehicleFactory(municipality=town.muni, stretcher_places=1, seats=2)
    ride = booking.request_create(
        actor=town.actor(Role.DISPATCHER), data=town.data(mobility=Mobility.STRETCHER, companions=1), now=NOW
    )
    assert ride.mobility == Mobility.STRETCHER


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (ResidentStatus.DECEASED, "นายสมชาย ใจดี has died: no ride can be booked."),
        (ResidentStatus.MOVED, "นายสมชาย ใจดี has moved away: no ride can be booked."),
    ],
)
def test_deceased_or_moved_resident(town: BookingTown, status: str, message: str) -> None:
    town.r1.status, town.r1.status_date = status, date(2026, 11, 1)
    town.r1.save()
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        booking.request_create(actor=town.actor(Role.DISPATCHER), data=town.data(), now=NOW)
    assert _errors(exc) == {"resident": [message]}
    _nothing_written()


def test_duplicate_booking_for_the_same_resident_and_time(town: BookingTown) -> None:
    actor = town.actor(Role.DISPATCHER)
    first = booking.request_create(actor=actor, data=town.data(), now=NOW)
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        booking.request_create(actor=actor, data=town.data(appointment_time=time(10, 30)), now=NOW)
    assert _errors(exc) == {
        "appointment_time": [
            "นายสมชาย ใจดี already has a ride booked on this day, for an appointment at 09:00."
        ]
    }
    assert RideRequest.objects.count() == 1
    # Two hours later is another trip; and a cancelled booking does not block a new one.
    booking.request_create(actor=actor, data=town.data(appointment_time=time(11, 0)), now=NOW)
    first.status = Status.CANCELLED
    first.save()
    booking.request_create(actor=actor, data=town.data(), now=NOW)
    assert RideRequest.objects.count() == 3


def test_messages_in_thai(town: BookingTown) -> None:
    """Thai is the default language: the refusals come in Thai (from the compiled catalogue)."""
    with translation.override("th"), pytest.raises(ValidationError) as exc:
        booking.request_create(
            actor=town.actor(Role.DISPATCHER),
            data=town.data(appointment_time=None, mobility=Mobility.STRETCHER),
            now=NOW,
        )
    assert _errors(exc) == {
        "appointment_time": ["กรอกเวลานัด"],
        "mobility": ["เทศบาลไม่มีรถที่รับเปลนอนได้"],
    }
    _nothing_written()


def test_same_idempotency_key_returns_the_same_request(town: BookingTown) -> None:
    actor = town.actor(Role.DISPATCHER)
    data = town.data(return_mode=ReturnMode.FIXED, return_time=time(13, 0))
    first = booking.request_create(actor=actor, data=data, idempotency_key="abc-1", now=NOW)
    again = booking.request_create(actor=actor, data=data, idempotency_key="abc-1", now=NOW)
    assert again.pk == first.pk
    assert RideRequest.objects.count() == 2  # the outbound trip and its return
    assert TripEvent.objects.count() == 2
    # Another user's key of the same text is a different booking attempt.
    with translation.override("en"), pytest.raises(ValidationError):
        booking.request_create(actor=town.actor(Role.WELFARE), data=data, idempotency_key="abc-1", now=NOW)


@pytest.mark.django_db(transaction=True)
def test_concurrent_double_submit_with_one_key_makes_one_request() -> None:
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("in-memory SQLite locks tables across threads: THUKKHON_TEST_SQLITE_FILE=1 or PostgreSQL")
    town = make_town()
    actor = town.actor(Role.DISPATCHER)
    results: list[int] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def submit() -> None:
        try:
            barrier.wait()
            ride = booking.request_create(actor=actor, data=town.data(), idempotency_key="tap-7", now=NOW)
            results.append(ride.pk)
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(results) == 4 and len(set(results)) == 1
    assert RideRequest.objects.count() == 1
    assert TripEvent.objects.count() == 1


def test_volunteer_books_only_in_their_communities(town: BookingTown) -> None:
    volunteer = town.actor(Role.VOLUNTEER)
    ride = booking.request_create(actor=volunteer, data=town.data(town.r1), now=NOW)
    assert ride.channel == Channel.VOLUNTEER
    with pytest.raises(PermissionDenied):
        booking.request_create(actor=volunteer, data=town.data(town.r2), now=NOW)
    assert RideRequest.objects.count() == 1


def test_resident_books_only_for_themselves(town: BookingTown) -> None:
    me = town.actor(Role.RESIDENT)
    ride = booking.request_create(actor=me, data=town.data(town.r1), now=NOW)
    assert ride.channel == Channel.RESIDENT
    with pytest.raises(PermissionDenied):
        booking.request_create(actor=me, data=town.data(town.young, appointment_time=time(13, 0)), now=NOW)


@pytest.mark.parametrize("role", [Role.DRIVER, Role.EXECUTIVE, Role.TEACHER, Role.FUNERAL, Role.PARENT])
def test_other_roles_cannot_book(town: BookingTown, role: str) -> None:
    with pytest.raises(PermissionDenied):
        booking.request_create(actor=town.actor(role), data=town.data(), now=NOW)
    _nothing_written()


def test_update_recomputes_windows_and_adds_a_return(town: BookingTown) -> None:
    actor = town.actor(Role.DISPATCHER)
    ride = booking.request_create(actor=actor, data=town.data(), now=NOW)
    booking.request_update(
        actor=actor,
        ride=ride,
        data=town.data(appointment_time=time(10, 0), return_mode=ReturnMode.FIXED, return_time=time(12, 0)),
        now=NOW,
    )
    ride.refresh_from_db()
    assert timezone_pair(ride) == ("09:15", "09:45")
    leg = RideRequest.objects.get(outbound=ride)
    assert leg.pickup_earliest == datetime(2026, 12, 1, 12, 0, tzinfo=BKK)
    booking.request_update(actor=actor, ride=ride, data=town.data(appointment_time=time(10, 0)), now=NOW)
    leg.refresh_from_db()
    assert (leg.status, leg.cancel_reason) == (Status.CANCELLED, "ไม่มีเที่ยวกลับแล้ว")  # Thai by default


# --- Recurring series ------------------------------------------------------------------------------


def test_series_creates_one_request_per_date_up_to_the_horizon(town: BookingTown) -> None:
    actor = town.actor(Role.WELFARE)
    data = town.data(purpose=Purpose.DIALYSIS, service_date=date(2026, 12, 2), appointment_time=time(8, 0))
    series = booking.series_create(
        actor=actor, data=data, weekdays=[0, 2, 4], ends_on=date(2027, 2, 28), now=NOW
    )
    days = list(series.requests.order_by("service_date").values_list("service_date", flat=True))
    assert [d.day for d in days] == [2, 4, 7, 9, 11, 14, 16, 18, 21, 23, 25, 28, 30]
    assert series.generated_until == date(2026, 12, 30)
    assert set(series.requests.values_list("channel", flat=True)) == {Channel.SERIES}
    later = datetime(2026, 12, 10, 9, 0, tzinfo=BKK)
    assert booking.series_extend(actor=actor, series=series, now=later) == 4
    assert series.requests.filter(service_date__year=2027).count() == 4
    assert booking.series_extend(actor=actor, series=series, now=later) == 0
    cancelled = booking.series_cancel(actor=actor, series=series, reason="ย้ายไปฟอกไตที่อื่น", now=later)
    assert cancelled == 13
    series.refresh_from_db()
    assert (series.is_active, series.ended_reason) == (False, "ย้ายไปฟอกไตที่อื่น")
    assert series.requests.filter(status=Status.CANCELLED).count() == 13
    assert series.requests.filter(status=Status.REQUESTED).count() == 4  # 2, 4, 7 and 9 December


def test_series_with_one_bad_date_writes_nothing(town: BookingTown) -> None:
    actor = town.actor(Role.WELFARE)
    booking.request_create(
        actor=actor, data=town.data(service_date=date(2026, 12, 4), appointment_time=time(8, 30)), now=NOW
    )
    data = town.data(service_date=date(2026, 12, 2), appointment_time=time(8, 0))
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        booking.series_create(actor=actor, data=data, weekdays=[2, 4], ends_on=date(2026, 12, 11), now=NOW)
    assert _errors(exc) == {
        "appointment_time": [
            "4 ธันวาคม 2569: นายสมชาย ใจดี already has a ride booked on this day, for an appointment at 08:30."
        ]
    }
    assert RideSeries.objects.count() == 0
    assert RideRequest.objects.count() == 1


@pytest.mark.parametrize(
    ("weekdays", "ends_on", "errors"),
    [
        ([], date(2027, 1, 1), {"weekdays": ["Choose the days of the week."]}),
        ([7], date(2027, 1, 1), {"weekdays": ["Choose the days of the week."]}),
        ([1], None, {"ends_on": ["Enter the last date of the series."]}),
        ([1], date(2026, 12, 1), {"ends_on": ["The series must end after its first date."]}),
    ],
)
def test_series_input(town: BookingTown, weekdays: list[int], ends_on: date | None, errors: object) -> None:
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        booking.series_create(
            actor=town.actor(Role.WELFARE), data=town.data(), weekdays=weekdays, ends_on=ends_on, now=NOW
        )
    assert _errors(exc) == errors
    _nothing_written()


def test_series_idempotency(town: BookingTown) -> None:
    actor = town.actor(Role.WELFARE)
    kwargs = {"weekdays": [1], "ends_on": date(2026, 12, 15), "idempotency_key": "s-1", "now": NOW}
    first = booking.series_create(actor=actor, data=town.data(), **kwargs)  # type: ignore[arg-type]
    again = booking.series_create(actor=actor, data=town.data(), **kwargs)  # type: ignore[arg-type]
    assert first.pk == again.pk
    assert RideRequest.objects.count() == 3  # 1, 8 and 15 December


def test_the_daily_run_books_what_came_within_reach_of_each_series(
    town: BookingTown, django_capture_on_commit_callbacks: object
) -> None:
    from thukkhon.core.daily import run_daily
    from thukkhon.core.models import Job

    actor = town.actor(Role.WELFARE)
    data = town.data(purpose=Purpose.DIALYSIS, service_date=date(2026, 12, 2), appointment_time=time(8, 0))
    series = booking.series_create(
        actor=actor, data=data, weekdays=[0, 2, 4], ends_on=date(2027, 2, 28), now=NOW
    )
    assert series.requests.count() == 13
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        run_daily(on=date(2026, 12, 10), municipalities=[town.muni])
    job = Job.objects.get(kind="rides.extend_series")
    assert (job.status, job.result) == ("done", {"series": 1, "requests": 4, "skipped": 0})
    assert series.requests.filter(service_date__year=2027).count() == 4
