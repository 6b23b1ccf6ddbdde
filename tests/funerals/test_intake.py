"""Case intake: validation, the 24-hour registration, Muslim burial, fees and waivers."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.factories import ResidentFactory, VulnerabilityFactory
from tests.funerals.conftest import DIED, actor_of, bkk, case_data
from thukkhon.core.models import Notification
from thukkhon.funerals.models import FuneralCase, FuneralSettings, GrantCheck, Relative
from thukkhon.funerals.services import case_accept, case_clock, case_create, registration_clock
from thukkhon.people.models import ResidentStatus

pytestmark = pytest.mark.django_db
NOW = bkk(2025, 3, 5, 12, 0)


def test_staff_case_for_a_registry_resident(officer, deceased):
    case = case_create(actor=officer, data=case_data(deceased_name="", deceased=deceased), now=NOW)
    assert case.number == "2568-0001"
    assert case.deceased_name == "นางบัวคำ ใจดี"
    assert case.status == "accepted"
    assert case.disposition == "cremation"
    assert (case.fee, case.fee_waived, case.eligible_rate) == (Decimal("500.00"), False, True)
    deceased.refresh_from_db()
    assert deceased.status == ResidentStatus.DECEASED
    assert deceased.status_date == date(2025, 3, 5)
    assert case.life_event_done_at == NOW
    note = Notification.objects.get()
    assert (note.channel, note.to, note.template) == ("outbox", "0812345678", "funeral.received")
    assert case_create(actor=officer, data=case_data(), now=NOW).number == "2568-0002"


def test_registry_resident_found_by_national_id(officer, deceased):
    case = case_create(actor=officer, data=case_data(deceased_id_number=deceased.national_id), now=NOW)
    assert case.deceased == deceased
    assert case.community == deceased.community


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"died_at": NOW + timedelta(hours=1)}, "died_at", "The time of death cannot be in the future."),
        (
            {"registration_no": "123", "registered_at": DIED - timedelta(minutes=1)},
            "registered_at",
            "The death cannot be registered before it happened.",
        ),
        ({"registration_no": "123"}, "registered_at", "Enter when the death was registered."),
        ({"cause": "infectious"}, "disease", "Choose the infectious disease."),
        ({"cause": "infectious", "disease": "other"}, "disease_name", "Enter the name of the disease."),
        ({"informant_name": " "}, "informant_name", "Enter the name of the informant."),
        (
            {"informant_id_number": "1234567890123"},
            "informant_id_number",
            "The last digit does not match the other twelve: check the number again.",
        ),
        ({"place_of_death": ""}, "place_of_death", "Enter the place of death."),
    ],
)
def test_bad_input_changes_nothing(officer, deceased, overrides, field, message):
    with pytest.raises(ValidationError) as error:
        case_create(actor=officer, data=case_data(deceased=deceased, **overrides), now=NOW)
    assert error.value.message_dict[field] == [message]
    assert FuneralCase.objects.count() == 0
    assert Relative.objects.count() == 0
    assert Notification.objects.count() == 0
    deceased.refresh_from_db()
    assert deceased.status == ResidentStatus.ALIVE


def test_registration_due_within_24_hours(officer):
    case = case_create(actor=officer, data=case_data(), now=NOW)
    clock = registration_clock(case, now=NOW)
    assert clock.deadline == bkk(2025, 3, 6, 6, 30)
    assert (clock.state, clock.hours_left, clock.minutes_left) == ("ok", 18, 30)
    assert registration_clock(case, now=bkk(2025, 3, 6, 1, 0)).state == "warning"
    assert registration_clock(case, now=bkk(2025, 3, 6, 6, 31)).state == "overdue"
    case.registered_at = bkk(2025, 3, 5, 15, 0)
    assert registration_clock(case, now=bkk(2025, 3, 7)).state == "met"


def test_muslim_burial_within_24_hours(officer):
    case = case_create(actor=officer, data=case_data(religion="islam"), now=NOW)
    assert case.disposition == "burial"
    assert case.fee == 0
    clock = case_clock(case, now=NOW)
    assert clock is not None and clock.deadline == bkk(2025, 3, 6, 6, 30)
    assert case_create(actor=officer, data=case_data(burial=True), now=NOW).disposition == "burial"
    assert case_clock(case_create(actor=officer, data=case_data(), now=NOW), now=NOW) is None


@pytest.mark.parametrize(
    ("tambon", "fee", "resident_rate"),
    [
        ("ในเมือง", "500.00", True),
        ("ต้นธง", "500.00", True),
        ("เหมืองง่า", "500.00", True),
        ("บ้านกลาง", "3000.00", False),
    ],
)
def test_fee_by_domicile(officer, tambon, fee, resident_rate):
    case = case_create(actor=officer, data=case_data(domicile_tambon=tambon), now=NOW)
    assert (case.fee, case.eligible_rate, case.fee_waived) == (Decimal(fee), resident_rate, False)


def test_fees_are_set_by_each_municipality(officer):
    FuneralSettings.objects.create(
        municipality=officer.municipality, fee_resident=800, fee_other=2500, eligible_tambons=["บ้านกลาง"]
    )
    assert case_create(actor=officer, data=case_data(domicile_tambon="บ้านกลาง"), now=NOW).fee == Decimal(
        "800"
    )
    assert case_create(actor=officer, data=case_data(domicile_tambon="ในเมือง"), now=NOW).fee == Decimal(
        "2500"
    )


def test_waivers(officer, deceased):
    VulnerabilityFactory(resident=deceased, welfare_card=True)
    case = case_create(actor=officer, data=case_data(deceased=deceased), now=NOW)
    assert (case.fee, case.fee_waived, case.waiver_reason) == (
        Decimal("500.00"),
        True,
        "State welfare card holder",
    )
    poor = case_create(actor=officer, data=case_data(basic_needs_poor=True), now=NOW)
    assert (poor.fee_waived, poor.waiver_reason) == (True, "Poor household by the basic-needs survey")


def test_relative_reports_and_staff_accept(muni, officer, deceased):
    relative = actor_of(muni, "resident")
    case = case_create(actor=relative, data=case_data(deceased=deceased), now=NOW)
    assert (case.status, case.reported_via_relative, case.life_event_done_at) == ("reported", True, None)
    assert Relative.objects.get(case=case).user == relative.user
    deceased.refresh_from_db()
    assert deceased.status == ResidentStatus.ALIVE  # a report alone does not change the registry
    case_accept(actor=officer, case=case, now=NOW)
    deceased.refresh_from_db()
    assert (deceased.status, deceased.status_date) == (ResidentStatus.DECEASED, date(2025, 3, 5))
    assert GrantCheck.objects.filter(case=case).exists()
    with pytest.raises(PermissionDenied):
        case_accept(actor=relative, case=case, now=NOW)


def test_other_roles_cannot_report(muni):
    with pytest.raises(PermissionDenied):
        case_create(actor=actor_of(muni, "driver"), data=case_data(), now=NOW)


def test_resident_of_another_municipality_is_refused(officer):
    stranger = ResidentFactory()
    with pytest.raises(ValidationError) as error:
        case_create(actor=officer, data=case_data(deceased=stranger), now=NOW)
    assert error.value.message_dict["deceased"] == ["Choose a resident of this municipality."]
    stranger.refresh_from_db()
    assert stranger.status == ResidentStatus.ALIVE
