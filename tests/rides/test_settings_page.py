"""The rules page: the administrator changes the municipality's rules in the app, welfare officers and
dispatchers read them, others get a 404; unworkable values are refused in Thai and change nothing;
the new rules reach eligibility at once."""

from __future__ import annotations

from datetime import time
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.factories import MunicipalityFactory, member
from thukkhon.core.actor import actor_for
from thukkhon.rides import configuration
from thukkhon.rides.eligibility import settings_for
from thukkhon.rides.models import RideSettings

pytestmark = pytest.mark.django_db
URL = "/rides/settings/"


@pytest.fixture
def muni():
    return MunicipalityFactory(code="lamphun", name_th="เทศบาลเมืองลำพูน")


def _post_data(**changes: str) -> dict[str, str]:
    data = {
        "arrive_before_min": "15",
        "window_min": "30",
        "max_ride_factor": "2",
        "max_ride_extra_min": "15",
        "book_days_ahead": "30",
        "day_starts": "07:00",
        "day_ends": "17:00",
        "speed_kmh": "30",
        "detour_factor": "1.3",
        "service_walk_min": "3",
        "service_wheelchair_min": "6",
        "service_stretcher_min": "12",
        "min_age": "60",
        "disability_eligible": "on",
        "dependency_eligible": "on",
        "welfare_card_eligible": "on",
        "ineligible_requests": "inform",
        "private_hire_cost": "800",
    }
    data.update(changes)
    return data


def test_the_administrator_changes_the_rules(client, muni):
    client.force_login(member(muni, "admin"))
    page = client.get(URL)
    assert page.status_code == 200
    body = page.content.decode()
    assert "กฎของบริการรถช่วยเหลือประชาชน" in body and 'name="min_age" value="60"' in body
    saved = client.post(URL, _post_data(min_age="65", day_starts="06:30", ineligible_requests="refuse"))
    assert (saved.status_code, saved.headers["Location"]) == (302, URL)
    rules = RideSettings.objects.get(municipality=muni)
    assert (rules.min_age, rules.day_starts, rules.ineligible_requests) == (65, time(6, 30), "refuse")
    assert rules.disability_eligible and not rules.medical_purposes_only
    assert settings_for(muni.pk).min_age == 65  # eligibility reads the new rule at once


def test_unworkable_values_are_refused_in_thai_and_change_nothing(client, muni):
    client.force_login(member(muni, "admin"))
    bad = client.post(URL, _post_data(day_ends="06:00", detour_factor="0.8", speed_kmh="300", window_min="2"))
    assert bad.status_code == 400
    body = bad.content.decode()
    for message in (
        "บริการต้องสิ้นสุดหลังเวลาเริ่ม",
        "ถนนไม่มีทางสั้นกว่าเส้นตรง: ใช้ 1 ขึ้นไป",
        "ความเร็วเฉลี่ยต้องอยู่ระหว่าง 5 ถึง 120 กม./ชม.",
        "ช่วงเวลาสั้นกว่า 5 นาทีรักษาไม่ได้จริง",
    ):
        assert message in body
    assert body.count('value="300"') == 1  # what was typed stays in the form
    rules = settings_for(muni.pk)
    assert (rules.day_ends, rules.detour_factor, rules.speed_kmh) == (
        time(17, 0),
        Decimal("1.30"),
        Decimal("30.0"),
    )


@pytest.mark.parametrize(
    ("role", "status"),
    [("welfare", 200), ("dispatcher", 200), ("driver", 404), ("volunteer", 404), ("executive", 404)],
)
def test_who_reads_and_who_changes(client, muni, role, status):
    client.force_login(member(muni, role))
    page = client.get(URL)
    assert page.status_code == status
    if status == 200:
        assert "เฉพาะผู้ดูแลระบบเท่านั้นที่เปลี่ยนกฎเหล่านี้ได้" in page.content.decode()
        assert " disabled" in page.content.decode()
    assert client.post(URL, _post_data(min_age="50")).status_code == 404
    assert settings_for(muni.pk).min_age == 60


def test_the_service_checks_the_role(muni):
    actor = actor_for(member(muni, "dispatcher"))
    assert actor is not None
    values = {name: getattr(settings_for(muni.pk), name) for name in configuration.FIELDS}
    with pytest.raises(PermissionDenied):
        configuration.ride_settings_update(actor=actor, values={**values, "min_age": 50})
    admin = actor_for(member(muni, "admin"))
    assert admin is not None
    with pytest.raises(ValidationError):
        configuration.ride_settings_update(actor=admin, values={**values, "book_days_ahead": 0})
    assert configuration.ride_settings_update(actor=admin, values={**values, "min_age": 70}).min_age == 70
