"""Eligibility that can block: a municipality either only informs (the default) or refuses the
requests of residents who do not qualify. A refusal is a denial by the rules, recorded as unmet
need with its reasons; staff may book anyway with a reason, which is recorded; nobody else can."""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from tests.rides.booking_town import NOW, BookingTown, make_town
from thukkhon.core.roles import Role
from thukkhon.rides import booking, eligibility
from thukkhon.rides.models import (
    IneligibleRequests,
    Purpose,
    ReturnMode,
    RideRequest,
    Status,
    TripEvent,
    UnmetNeed,
)

NONE_MET_TH = "ไม่มีสิทธิ์ใช้รถช่วยเหลือประชาชน: ไม่เข้าเกณฑ์ใดเลย (อายุ ความพิการ ภาวะพึ่งพิง บัตรสวัสดิการ)"
NONE_MET_EN = (
    "Not eligible for the People Assistance Vehicle: "
    "Meets none of the criteria (age, disability, dependency, welfare card)."
)


@pytest.fixture
def town(db: object) -> BookingTown:
    return make_town()


def _refuse(town: BookingTown, **rules: object) -> None:
    settings = eligibility.settings_for(town.muni.pk)
    settings.ineligible_requests = IneligibleRequests.REFUSE
    for name, value in rules.items():
        setattr(settings, name, value)
    settings.save()


def test_inform_only_is_the_default_and_books_as_before(town: BookingTown) -> None:
    assert eligibility.settings_for(town.muni.pk).ineligible_requests == "inform"
    ride = booking.request_create(actor=town.actor(Role.VOLUNTEER), data=town.data(town.young), now=NOW)
    assert (ride.status, ride.denial_reason, ride.eligibility_override) == (Status.REQUESTED, "", "")
    assert UnmetNeed.objects.count() == 0


def test_volunteer_booking_is_refused_in_thai_and_recorded_as_unmet_need(town: BookingTown) -> None:
    _refuse(town)
    with translation.override("th"):
        ride = booking.request_create(
            actor=town.actor(Role.VOLUNTEER),
            data=town.data(town.young, return_mode=ReturnMode.FIXED, return_time=time(11, 0)),
            now=NOW,
        )
    ride.refresh_from_db()
    assert (ride.status, ride.denial_reason, ride.channel) == (Status.DENIED, NONE_MET_TH, "volunteer")
    leg = RideRequest.objects.get(outbound=ride)
    assert (leg.status, leg.denial_reason) == (Status.DENIED, NONE_MET_TH)
    needs = UnmetNeed.objects.order_by("request_id")
    assert [(n.request_id, n.reason, n.detail) for n in needs] == [
        (ride.pk, UnmetNeed.Reason.DENIED, NONE_MET_TH),
        (leg.pk, UnmetNeed.Reason.DENIED, NONE_MET_TH),
    ]
    events = TripEvent.objects.filter(request=ride).order_by("id")
    assert [(e.status, e.by_id, e.note) for e in events] == [
        (Status.REQUESTED, town.users[Role.VOLUNTEER].pk, "จองแล้ว"),
        (Status.DENIED, None, NONE_MET_TH),
    ]


def test_a_volunteer_cannot_override(town: BookingTown) -> None:
    _refuse(town)
    with translation.override("en"):
        ride = booking.request_create(
            actor=town.actor(Role.VOLUNTEER),
            data=town.data(town.young),
            eligibility_override="ลูกขอให้ไปส่ง",
            now=NOW,
        )
    assert (ride.status, ride.denial_reason, ride.eligibility_override) == (Status.DENIED, NONE_MET_EN, "")


def test_a_resident_is_refused_with_the_rule_that_failed(town: BookingTown) -> None:
    _refuse(town, medical_purposes_only=True)
    with translation.override("th"):
        ride = booking.request_create(
            actor=town.actor(Role.RESIDENT), data=town.data(purpose=Purpose.OFFICE), now=NOW
        )
    expected = "ไม่มีสิทธิ์ใช้รถช่วยเหลือประชาชน: ให้บริการเฉพาะการเดินทางทางการแพทย์"
    assert (ride.status, ride.denial_reason, ride.channel) == (Status.DENIED, expected, "resident")
    need = UnmetNeed.objects.get()
    assert (need.request_id, need.reason, need.detail) == (ride.pk, "denied", expected)


def test_a_retried_refused_booking_is_recorded_once(town: BookingTown) -> None:
    _refuse(town)
    actor = town.actor(Role.VOLUNTEER)
    first = booking.request_create(actor=actor, data=town.data(town.young), idempotency_key="k1", now=NOW)
    again = booking.request_create(actor=actor, data=town.data(town.young), idempotency_key="k1", now=NOW)
    assert again.pk == first.pk and again.status == Status.DENIED
    assert (RideRequest.objects.count(), UnmetNeed.objects.count()) == (1, 1)


def test_eligible_residents_are_booked_as_before_when_refusing(town: BookingTown) -> None:
    _refuse(town)
    ride = booking.request_create(actor=town.actor(Role.VOLUNTEER), data=town.data(town.r1), now=NOW)
    assert (ride.status, ride.eligibility_override) == (Status.REQUESTED, "")
    assert UnmetNeed.objects.count() == 0


def test_staff_must_give_a_reason_to_book_anyway_and_it_is_recorded(town: BookingTown) -> None:
    _refuse(town)
    actor = town.actor(Role.DISPATCHER)
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        booking.request_create(actor=actor, data=town.data(town.young), eligibility_override="  ", now=NOW)
    assert exc.value.message_dict == {
        "eligibility_override": [f"{NONE_MET_EN} To book the ride anyway, give the reason."]
    }
    assert (RideRequest.objects.count(), TripEvent.objects.count(), UnmetNeed.objects.count()) == (0, 0, 0)
    with translation.override("en"):
        ride = booking.request_create(
            actor=actor,
            data=town.data(town.young, return_mode=ReturnMode.CALL),
            eligibility_override=" หลังผ่าตัด เดินไม่ได้ชั่วคราว ",
            now=NOW,
        )
    ride.refresh_from_db()
    assert (ride.status, ride.eligibility_override) == (Status.REQUESTED, "หลังผ่าตัด เดินไม่ได้ชั่วคราว")
    assert RideRequest.objects.get(outbound=ride).eligibility_override == "หลังผ่าตัด เดินไม่ได้ชั่วคราว"
    assert TripEvent.objects.filter(request=ride).get().note == (
        "Booked although not eligible: หลังผ่าตัด เดินไม่ได้ชั่วคราว"
    )
    assert UnmetNeed.objects.count() == 0


def test_volunteer_scope_is_unchanged_when_refusing(town: BookingTown) -> None:
    _refuse(town)
    with pytest.raises(PermissionDenied):
        booking.request_create(actor=town.actor(Role.VOLUNTEER), data=town.data(town.r2), now=NOW)
    assert (RideRequest.objects.count(), UnmetNeed.objects.count()) == (0, 0)


def test_a_refused_series_ends_with_one_denied_date(town: BookingTown) -> None:
    _refuse(town)
    with translation.override("en"):
        series = booking.series_create(
            actor=town.actor(Role.VOLUNTEER),
            data=town.data(town.young),
            weekdays=[1, 3],
            ends_on=date(2026, 12, 31),
            now=NOW,
        )
    assert (series.is_active, series.ended_reason) == (False, NONE_MET_EN[:200])
    ride = series.requests.get()
    assert (ride.service_date, ride.status, ride.denial_reason) == (date(2026, 12, 1), "denied", NONE_MET_EN)
    assert UnmetNeed.objects.get().request_id == ride.pk


def test_a_series_booked_anyway_keeps_its_reason_for_the_dates_added_later(town: BookingTown) -> None:
    _refuse(town)
    actor = town.actor(Role.WELFARE)
    series = booking.series_create(
        actor=actor,
        data=town.data(town.young),
        weekdays=[1],
        ends_on=date(2027, 2, 2),
        eligibility_override="ผู้ป่วยมะเร็งรายใหม่",
        now=NOW,
    )
    assert series.is_active is True
    assert list(series.requests.values_list("eligibility_override", flat=True)) == ["ผู้ป่วยมะเร็งรายใหม่"] * 5
    before = series.requests.count()
    added = booking.series_extend(actor=actor, series=series, now=NOW + timedelta(days=14))
    assert added == 2
    assert set(series.requests.values_list("status", "eligibility_override")) == {
        (Status.REQUESTED, "ผู้ป่วยมะเร็งรายใหม่")
    }
    assert series.requests.count() == before + 2
    assert UnmetNeed.objects.count() == 0


def test_dates_added_later_for_a_resident_who_no_longer_qualifies_are_refused(town: BookingTown) -> None:
    actor = town.actor(Role.VOLUNTEER)
    series = booking.series_create(
        actor=actor, data=town.data(town.young), weekdays=[1], ends_on=date(2027, 2, 2), now=NOW
    )
    assert series.requests.filter(status=Status.REQUESTED).count() == 5  # inform only: all booked
    _refuse(town)
    with translation.override("en"):
        added = booking.series_extend(actor=actor, series=series, now=NOW + timedelta(days=7))
    assert added == 1
    late = series.requests.order_by("-service_date").first()
    assert late is not None
    assert (late.service_date, late.status, late.denial_reason) == (date(2027, 1, 5), "denied", NONE_MET_EN)
    assert list(UnmetNeed.objects.values_list("request_id", flat=True)) == [late.pk]


def test_a_change_that_makes_the_resident_ineligible_is_refused_and_changes_nothing(
    town: BookingTown,
) -> None:
    ride = booking.request_create(actor=town.actor(Role.VOLUNTEER), data=town.data(town.r1), now=NOW)
    _refuse(town, medical_purposes_only=True)
    office = town.data(town.r1, purpose=Purpose.OFFICE)
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        booking.request_update(actor=town.actor(Role.VOLUNTEER), ride=ride, data=office, now=NOW)
    assert exc.value.messages == [
        "Not eligible for the People Assistance Vehicle: Only medical trips are offered."
    ]
    ride.refresh_from_db()
    assert (ride.purpose, ride.status) == (Purpose.HOSPITAL, Status.REQUESTED)
    assert UnmetNeed.objects.count() == 0
    booking.request_update(
        actor=town.actor(Role.DISPATCHER),
        ride=ride,
        data=office,
        eligibility_override="ไปทำบัตรคนพิการ",
        now=NOW,
    )
    ride.refresh_from_db()
    assert (ride.purpose, ride.eligibility_override) == (Purpose.OFFICE, "ไปทำบัตรคนพิการ")


def test_through_the_api_a_volunteer_is_refused_and_staff_are_asked_for_a_reason(town: BookingTown) -> None:
    from django.utils import timezone

    from tests.api.conftest import ApiClient, token_for

    _refuse(town)
    day = timezone.localdate() + timedelta(days=3)
    payload = {
        "resident_id": town.young.pk,
        "purpose": "hospital",
        "service_date": day.isoformat(),
        "appointment_time": "10:00",
        "dropoff": {"kind": "place", "place_id": town.hospital.pk},
    }

    def post(role: str) -> Any:
        client = ApiClient(token_for(town.users[role], town.muni), "en")
        return client.client.post(
            "/api/v1/rides/requests", payload, content_type="application/json", headers=client.headers
        )

    refused = post(Role.VOLUNTEER)
    assert refused.status_code == 201
    assert (refused.json()["status"], refused.json()["denial_reason"]) == ("denied", NONE_MET_EN)
    assert UnmetNeed.objects.count() == 1
    asked = post(Role.DISPATCHER)
    assert asked.status_code == 422
    assert RideRequest.objects.count() == 1
    payload["eligibility_override"] = "ไปตรวจตามนัดหลังผ่าตัด ไม่มีญาติพาไป"
    booked = post(Role.DISPATCHER)
    assert booked.status_code == 201
    assert booked.json()["status"] == "requested"
    assert (
        RideRequest.objects.get(pk=booked.json()["id"]).eligibility_override
        == "ไปตรวจตามนัดหลังผ่าตัด ไม่มีญาติพาไป"
    )
