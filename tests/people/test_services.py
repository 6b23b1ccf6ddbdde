"""Registry writes: validation per field, nothing written on error, history kept."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.factories import CommunityFactory, HouseholdFactory, MunicipalityFactory, ResidentFactory, member
from thukkhon.core.actor import actor_for
from thukkhon.people import services
from thukkhon.people.models import Household, Resident, Vulnerability
from thukkhon.people.services import HouseholdData, ResidentData, VulnerabilityData


@pytest.fixture
def muni(db):
    return MunicipalityFactory()


@pytest.fixture
def community(muni):
    return CommunityFactory(municipality=muni)


def _actor(muni, role, communities=()):
    return actor_for(member(muni, role, communities=communities))


def test_resident_create_normalizes_id_and_phone(muni, community):
    data = ResidentData(
        community=community, first_name=" มาลี ", national_id="1-1017-00230-70-8", phone="081-111-2222"
    )
    r = services.resident_create(actor=_actor(muni, "welfare"), data=data)
    assert (r.first_name, r.national_id, r.phone, r.municipality_id) == (
        "มาลี",
        "1101700230708",
        "0811112222",
        muni.pk,
    )
    assert r.history.count() == 1


def test_resident_errors_are_per_field_and_nothing_is_written(muni, community):
    data = ResidentData(
        community=community,
        first_name="",
        national_id="1101700230704",
        birth_date=date(2999, 1, 1),
        phone="12345",
        status="deceased",
    )
    with pytest.raises(ValidationError) as caught:
        services.resident_create(actor=_actor(muni, "admin"), data=data)
    assert sorted(caught.value.message_dict) == [
        "birth_date",
        "first_name",
        "national_id",
        "phone",
        "status_date",
    ]
    assert Resident.objects.count() == 0


def test_duplicate_id_in_the_same_town_is_refused(muni, community):
    ResidentFactory(municipality=muni, national_id="1101700230708")
    data = ResidentData(community=community, first_name="มาลี", national_id="1101700230708")
    with pytest.raises(ValidationError) as caught:
        services.resident_create(actor=_actor(muni, "welfare"), data=data)
    assert list(caught.value.message_dict) == ["national_id"]


def test_people_without_an_id_are_registrable(muni, community):
    data = ResidentData(community=community, first_name="หม่อง", id_kind="none")
    assert services.resident_create(actor=_actor(muni, "welfare"), data=data).national_id == ""


def test_only_writers_change_the_registry(muni, community):
    data = ResidentData(community=community, first_name="มาลี", id_kind="none")
    for role in ("executive", "dispatcher", "volunteer", "funeral"):
        with pytest.raises(PermissionDenied):
            services.resident_create(actor=_actor(muni, role, [community]), data=data)
    assert Resident.objects.count() == 0


def test_resident_update_writes_a_history_row(muni, community):
    r = ResidentFactory(municipality=muni, community=community, household=None)
    data = ResidentData(
        community=community,
        first_name=r.first_name,
        last_name=r.last_name,
        national_id=r.national_id,
        phone="0899990000",
    )
    services.resident_update(actor=_actor(muni, "welfare"), resident=r, data=data)
    assert r.history.count() == 2
    assert r.history.first().phone == "0899990000"


def test_household_create_checks_the_address(muni, community):
    actor = _actor(muni, "welfare")
    bad = HouseholdData(
        community=community, house_no="1", tambon="ไม่มีตำบลนี้", amphoe="เมืองลำพูน", changwat="ลำพูน"
    )
    with pytest.raises(ValidationError):
        services.household_create(actor=actor, data=bad)
    assert Household.objects.count() == 0
    good = HouseholdData(
        community=community,
        house_no="1",
        tambon="ในเมือง",
        amphoe="เมืองลำพูน",
        changwat="ลำพูน",
        postcode="51000",
    )
    assert services.household_create(actor=actor, data=good).house_no == "1"


def test_household_move_takes_members_to_the_new_community(muni, community):
    other = CommunityFactory(municipality=muni)
    h = HouseholdFactory(municipality=muni, community=community)
    r = ResidentFactory(municipality=muni, community=community, household=h)
    data = HouseholdData(community=other, house_no=h.house_no, registration_no=h.registration_no)
    services.household_update(actor=_actor(muni, "admin"), household=h, data=data)
    r.refresh_from_db()
    assert r.community_id == other.pk


def test_volunteer_records_needs_only_in_their_communities(muni, community):
    mine = ResidentFactory(municipality=muni, community=community)
    theirs = ResidentFactory(municipality=muni)
    actor = _actor(muni, "volunteer", [community])
    data = VulnerabilityData(barthel_score=11, assessed_on=date(2025, 1, 1))
    assert services.vulnerability_update(actor=actor, resident=mine, data=data).dependency == "home"
    with pytest.raises(PermissionDenied):
        services.vulnerability_update(actor=actor, resident=theirs, data=data)
    assert Vulnerability.objects.count() == 1


def test_reassessment_keeps_history(muni, community):
    r = ResidentFactory(municipality=muni, community=community)
    actor = _actor(muni, "welfare")
    services.vulnerability_update(
        actor=actor, resident=r, data=VulnerabilityData(barthel_score=15, assessed_on=date(2024, 1, 1))
    )
    v = services.vulnerability_update(
        actor=actor, resident=r, data=VulnerabilityData(barthel_score=3, assessed_on=date(2025, 1, 1))
    )
    assert v.dependency == "bed"
    assert [h.barthel_score for h in v.history.order_by("history_date")] == [None, 15, 3][
        -v.history.count() :
    ]


def test_barthel_out_of_range_is_refused(muni, community):
    r = ResidentFactory(municipality=muni, community=community)
    with pytest.raises(ValidationError) as caught:
        services.vulnerability_update(
            actor=_actor(muni, "welfare"),
            resident=r,
            data=VulnerabilityData(barthel_score=21, assessed_on=date(2025, 1, 1)),
        )
    assert list(caught.value.message_dict) == ["barthel_score"]
