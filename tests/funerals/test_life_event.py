"""A death is a life event: registry, rides, the elderly funeral grant and survivors' follow-ups."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from tests.factories import ResidentFactory, VulnerabilityFactory
from tests.fleet_factories import RideRequestFactory
from tests.funerals.conftest import bkk, case_data
from thukkhon.funerals.models import FollowUp, GrantCheck
from thukkhon.funerals.services import case_create, death_life_event
from thukkhon.people.models import ResidentStatus
from thukkhon.rides.models import RideSeries, Status, TripEvent

pytestmark = pytest.mark.django_db
NOW = bkk(2025, 3, 5, 12, 0)
REASON = "The resident died on 5 มีนาคม 2568 (funeral case 2568-0001)."


def test_death_cancels_future_rides_and_series(officer, deceased):
    muni = officer.municipality
    series = RideSeries.objects.create(
        municipality=muni,
        resident=deceased,
        weekdays=[0, 2, 4],
        starts_on=date(2025, 1, 1),
        ends_on=date(2027, 1, 1),
        created_by=officer.user,
    )
    future = RideRequestFactory(municipality=muni, resident=deceased, status=Status.ACCEPTED, series=series)
    back = RideRequestFactory(municipality=muni, resident=deceased, outbound=future, status=Status.ACCEPTED)
    requested = RideRequestFactory(
        municipality=muni, resident=deceased, service_date=date(2025, 3, 10), status=Status.REQUESTED
    )
    past = RideRequestFactory(
        municipality=muni, resident=deceased, service_date=date(2025, 3, 1), status=Status.COMPLETED
    )
    someone_else = RideRequestFactory(municipality=muni, status=Status.ACCEPTED)

    case = case_create(actor=officer, data=case_data(deceased=deceased), now=NOW)

    for ride in (future, back, requested):
        ride.refresh_from_db()
        assert (ride.status, ride.cancel_reason) == (Status.CANCELLED, REASON)
        event = TripEvent.objects.filter(request=ride).get()
        assert (event.status, event.at) == (Status.CANCELLED, NOW)
    past.refresh_from_db()
    someone_else.refresh_from_db()
    assert (past.status, someone_else.status) == (Status.COMPLETED, Status.ACCEPTED)
    series.refresh_from_db()
    assert (series.is_active, series.ended_reason) == (False, REASON)
    deceased.refresh_from_db()
    assert (deceased.status, deceased.status_date) == (ResidentStatus.DECEASED, date(2025, 3, 5))
    assert case.life_event_done_at == NOW


def test_life_event_runs_once(officer, deceased):
    case = case_create(actor=officer, data=case_data(deceased=deceased), now=NOW)
    result = death_life_event(actor=officer, case=case, now=NOW + timedelta(days=1))
    assert (result.resident_marked, result.rides_cancelled, result.follow_ups) == (False, 0, [])
    case.refresh_from_db()
    assert case.life_event_done_at == NOW


def test_grant_eligible_aged_60_with_welfare_card(officer, deceased):
    VulnerabilityFactory(resident=deceased, welfare_card=True)  # born 10 January 1950: 75 at death
    case = case_create(actor=officer, data=case_data(deceased=deceased), now=NOW)
    grant = GrantCheck.objects.get(case=case)
    assert (grant.eligible, grant.reasons, grant.amount, grant.apply_by) == (
        True,
        [],
        Decimal("3000.00"),
        date(2025, 9, 5),
    )


def test_grant_basic_needs_poor_also_qualifies(officer, deceased):
    case = case_create(actor=officer, data=case_data(deceased=deceased, basic_needs_poor=True), now=NOW)
    assert GrantCheck.objects.get(case=case).eligible is True


@pytest.mark.parametrize(
    ("birth", "welfare", "reasons"),
    [
        (date(1966, 3, 6), True, ["The deceased was 58, younger than 60."]),
        (
            date(1950, 1, 10),
            False,
            ["The deceased held no welfare card and was not poor by the basic-needs survey."],
        ),
        (None, True, ["The birth date of the deceased is not known."]),
    ],
)
def test_grant_not_eligible(officer, birth, welfare, reasons):
    data = case_data(deceased_birth_date=birth, welfare_card=welfare)
    case = case_create(actor=officer, data=data, now=NOW)
    grant = GrantCheck.objects.get(case=case)
    assert (grant.eligible, grant.reasons) == (False, reasons)


def test_grant_application_after_six_months_is_late(officer):
    case = case_create(
        actor=officer, data=case_data(deceased_birth_date=date(1950, 1, 1), welfare_card=True), now=NOW
    )
    from thukkhon.funerals.services import grant_check, settings_for

    late = grant_check(case, settings_for(case.municipality_id), bkk(2025, 9, 6, 9))
    assert (late.eligible, late.reasons) == (False, ["The application was due by 5 กันยายน 2568."])


def test_survivor_now_alone_gets_a_follow_up(officer, deceased):
    spouse = ResidentFactory(
        municipality=deceased.municipality,
        community=deceased.community,
        household=deceased.household,
        first_name="สมพร",
        last_name="ใจดี",
        title="นาย",
    )
    case = case_create(actor=officer, data=case_data(deceased=deceased, deceased_name=""), now=NOW)
    follow_up = FollowUp.objects.get(case=case)
    assert (follow_up.resident, follow_up.reason, follow_up.state) == (
        spouse,
        "Now lives alone after the death of นางบัวคำ ใจดี.",
        "open",
    )


def test_no_follow_up_when_two_survivors_remain(officer, deceased):
    for _ in range(2):
        ResidentFactory(
            municipality=deceased.municipality, community=deceased.community, household=deceased.household
        )
    case_create(actor=officer, data=case_data(deceased=deceased), now=NOW)
    assert FollowUp.objects.count() == 0


def test_cared_for_person_gets_a_follow_up(officer, deceased):
    cared = VulnerabilityFactory(
        resident=ResidentFactory(municipality=deceased.municipality), caregiver=deceased
    )
    case = case_create(actor=officer, data=case_data(deceased=deceased, deceased_name=""), now=NOW)
    assert (
        FollowUp.objects.get(case=case, resident=cared.resident).reason
        == "Lost their main caregiver, นางบัวคำ ใจดี."
    )
