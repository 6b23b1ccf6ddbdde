"""Eligibility by the municipality's rules and the priority score, each with its reasons; the
service reads the vulnerability profile without an access log, a person's view logs it."""

from __future__ import annotations

from datetime import date, time

import pytest
from django.utils import translation

from tests.factories import VulnerabilityFactory
from tests.rides.booking_town import NOW, BookingTown, make_town
from thukkhon.core.models import AccessLog
from thukkhon.core.roles import Role
from thukkhon.rides import booking, eligibility, outcomes
from thukkhon.rides.models import Purpose, RideSettings


@pytest.fixture
def town(db: object) -> BookingTown:
    return make_town()


DAY = date(2026, 12, 1)


def _assess(resident: object, purpose: str = Purpose.HOSPITAL) -> eligibility.Assessment:
    with translation.override("en"):
        return eligibility.assess(resident, purpose, on=DAY)  # type: ignore[arg-type]


def test_bed_bound_welfare_card_holder(town: BookingTown) -> None:
    result = _assess(town.r1)
    assert result.eligible is True
    assert result.eligibility_reasons == [
        "Aged 76 (from 60)",
        "Registered disability",
        "Bed-bound (ติดเตียง)",
        "State welfare card",
    ]
    assert result.priority == 75
    assert [(r.text, r.points) for r in result.priority_reasons] == [
        ("Bed-bound", 40),
        ("State welfare card", 15),
        ("Registered disability", 10),
        ("Medical trip", 10),
    ]
    assert AccessLog.objects.count() == 0  # a service's read is not a person's


def test_nobody_qualifies_without_a_criterion(town: BookingTown) -> None:
    result = _assess(town.young)
    assert (result.eligible, result.eligibility_reasons) == (
        False,
        ["Meets none of the criteria (age, disability, dependency, welfare card)."],
    )
    assert (result.priority, result.priority_reasons) == (10, [eligibility.Reason("Medical trip", 10)])


def test_the_rules_are_the_municipalitys(town: BookingTown) -> None:
    rules = eligibility.settings_for(town.muni.pk)
    assert _assess(town.r2).eligibility_reasons == ["Aged 78 (from 60)"]
    rules.min_age = 80
    rules.save()
    assert _assess(town.r2).eligible is False
    rules.disability_eligible = rules.dependency_eligible = False
    rules.save()
    assert _assess(town.r1).eligibility_reasons == ["State welfare card"]
    rules.medical_purposes_only = True
    rules.save()
    assert _assess(town.r1, Purpose.OFFICE).eligibility_reasons == ["Only medical trips are offered."]
    assert _assess(town.r1, Purpose.DIALYSIS).eligible is True
    assert RideSettings.objects.count() == 1


def test_home_bound_lives_alone_dialysis_over_80(town: BookingTown) -> None:
    town.r2.birth_date = date(1940, 1, 1)
    town.r2.save()
    VulnerabilityFactory(resident=town.r2, barthel_score=8, lives_alone=True)
    result = _assess(town.r2, Purpose.DIALYSIS)
    assert result.eligibility_reasons == ["Aged 86 (from 60)", "Home-bound (ติดบ้าน)"]
    assert [(r.text, r.points) for r in result.priority_reasons] == [
        ("Dialysis", 30),
        ("Home-bound", 20),
        ("Lives alone", 10),
        ("Aged 80 or over", 10),
    ]
    assert result.priority == 70


def test_residents_refused_recently_rise_up_to_a_cap(town: BookingTown) -> None:
    actor = town.actor(Role.DISPATCHER)
    scores = [_assess(town.r2, Purpose.OFFICE).priority]
    for hour in (8, 10, 12, 14):
        ride = booking.request_create(
            actor=actor,
            data=town.data(town.r2, purpose=Purpose.OFFICE, appointment_time=time(hour, 0)),
            now=NOW,
        )
        outcomes.request_deny(actor=actor, ride=ride, reason="รถไม่ว่าง")
        scores.append(_assess(town.r2, Purpose.OFFICE).priority)
    assert scores == [0, 20, 40, 60, 60]
    assert _assess(town.r2, Purpose.OFFICE).priority_reasons == [
        eligibility.Reason("Refused 4 times in the last 30 days", 60)
    ]


def test_a_person_viewing_the_assessment_is_logged(town: BookingTown) -> None:
    ride = booking.request_create(actor=town.actor(Role.DISPATCHER), data=town.data(), now=NOW)
    assert AccessLog.objects.count() == 0
    eligibility.assessment_for_person(town.actor(Role.WELFARE), ride, via="/rides/1/")
    log = AccessLog.objects.get()
    assert (log.user, log.what, log.via) == (
        town.users[Role.WELFARE],
        "vulnerability:ride-eligibility",
        "/rides/1/",
    )
