"""Registry pages: search, profile, forms and their errors, access log and history."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.contenttypes.models import ContentType

from tests.factories import (
    CommunityFactory,
    HouseholdFactory,
    MunicipalityFactory,
    ResidentFactory,
    VulnerabilityFactory,
    make_thai_id,
    member,
)
from thukkhon.core.models import AccessLog
from thukkhon.people.models import Household, Resident, Vulnerability


@pytest.fixture
def muni(db):
    return MunicipalityFactory()


@pytest.fixture
def community(muni):
    return CommunityFactory(municipality=muni, name_th="ชุมชนประตูลี้")


@pytest.fixture
def welfare(client, muni):
    client.force_login(member(muni, "welfare"))
    return client


def _names(response) -> list[str]:
    return [r.first_name for r in response.context["page"].object_list]


# --- Search ------------------------------------------------------------------------------------------


def test_search_by_thai_name(welfare, muni, community):
    ResidentFactory(municipality=muni, community=community, first_name="สมศรี", last_name="ใจดี")
    ResidentFactory(municipality=muni, community=community, first_name="บุญมา", last_name="สุขใจ")
    response = welfare.get("/registry/", {"q": "สมศรี"})
    assert response.status_code == 200
    assert _names(response) == ["สมศรี"]
    assert welfare.get("/registry/", {"q": "ใจ"}).context["page"].paginator.count == 2


def test_search_by_part_of_the_id(welfare, muni, community):
    target = ResidentFactory(municipality=muni, community=community, national_id="1101700230708")
    ResidentFactory(municipality=muni, community=community, national_id=make_thai_id(55555))
    response = welfare.get("/registry/", {"q": "00230"})
    assert [r.pk for r in response.context["page"].object_list] == [target.pk]


def test_search_by_phone(welfare, muni, community):
    target = ResidentFactory(municipality=muni, community=community, phone="0812345678")
    ResidentFactory(municipality=muni, community=community, phone="0899999999")
    response = welfare.get("/registry/", {"q": "081-234-5678"})
    assert [r.pk for r in response.context["page"].object_list] == [target.pk]


def test_search_by_community_and_filters(welfare, muni, community):
    other = CommunityFactory(municipality=muni)
    old = ResidentFactory(municipality=muni, community=community, birth_date=date(1940, 1, 1))
    ResidentFactory(municipality=muni, community=community, birth_date=date(2000, 1, 1))
    ResidentFactory(municipality=muni, community=other, birth_date=date(1940, 1, 1))
    bed = ResidentFactory(municipality=muni, community=community, birth_date=date(2000, 2, 2))
    VulnerabilityFactory(resident=bed, barthel_score=2, assessed_on=date(2025, 1, 1), welfare_card=True)
    assert welfare.get("/registry/", {"community": community.pk}).context["page"].paginator.count == 3
    elderly = welfare.get("/registry/", {"community": community.pk, "elderly": "on"})
    assert [r.pk for r in elderly.context["page"].object_list] == [old.pk]
    assert [r.pk for r in welfare.get("/registry/", {"bedbound": "on"}).context["page"].object_list] == [
        bed.pk
    ]
    assert [r.pk for r in welfare.get("/registry/", {"welfare_card": "on"}).context["page"].object_list] == [
        bed.pk
    ]


def test_search_paginates_25_per_page(welfare, muni, community):
    for i in range(26):
        ResidentFactory(municipality=muni, community=community, first_name=f"ก{i:02d}", household=None)
    first = welfare.get("/registry/")
    assert first.context["page"].paginator.count == 26
    assert len(first.context["page"].object_list) == 25
    assert first.context["page"].paginator.num_pages == 2
    second = welfare.get("/registry/", {"page": 2})
    assert _names(second) == ["ก25"]
    assert 'rel="next"' in first.content.decode()


def test_htmx_search_returns_only_the_results(welfare, muni, community):
    ResidentFactory(municipality=muni, community=community, first_name="สมศรี")
    response = welfare.get("/registry/", {"q": "สมศรี"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert "สมศรี" in body
    assert response.templates[0].name == "people/includes/resident_results.html"


def test_national_id_is_masked_for_roles_that_need_not_see_it(client, muni, community):
    resident = ResidentFactory(municipality=muni, community=community, national_id="1101700230708")
    client.force_login(member(muni, "dispatcher"))
    body = client.get(f"/registry/residents/{resident.pk}/").content.decode()
    assert "1-xxxx-xxxxx-70-8" in body
    assert "1101700230708" not in body and "1-1017-00230-70-8" not in body
    body = client.get("/registry/", {"q": resident.first_name}).content.decode()
    assert "1-xxxx-xxxxx-70-8" in body


def test_national_id_is_shown_in_full_to_welfare(welfare, muni, community):
    resident = ResidentFactory(municipality=muni, community=community, national_id="1101700230708")
    body = welfare.get(f"/registry/residents/{resident.pk}/").content.decode()
    assert "1-1017-00230-70-8" in body


def test_empty_registry_says_so(welfare):
    response = welfare.get("/registry/")
    assert response.context["page"].paginator.count == 0
    assert "No residents are registered yet." in response.content.decode() or "ยังไม่มี" in (
        response.content.decode()
    )


def test_volunteer_search_lists_only_their_communities(client, muni, community):
    mine = ResidentFactory(municipality=muni, community=community, first_name="สมชาย")
    ResidentFactory(municipality=muni, community=CommunityFactory(municipality=muni), first_name="สมชาย")
    client.force_login(member(muni, "volunteer", communities=[community]))
    response = client.get("/registry/", {"q": "สมชาย"})
    assert [r.pk for r in response.context["page"].object_list] == [mine.pk]


# --- Profile and the access log ----------------------------------------------------------------------


def test_profile_read_of_vulnerability_writes_one_access_log_row_per_view(welfare, muni, community):
    resident = ResidentFactory(municipality=muni, community=community)
    vuln = VulnerabilityFactory(resident=resident, barthel_score=3, assessed_on=date(2025, 1, 10))
    vuln_type = ContentType.objects.get_for_model(Vulnerability)
    url = f"/registry/residents/{resident.pk}/"
    assert welfare.get(url).status_code == 200
    rows = AccessLog.objects.filter(content_type=vuln_type, object_id=str(vuln.pk))
    assert rows.count() == 1
    row = rows.get()
    assert (row.what, row.via, row.role, row.municipality_id) == ("vulnerability", url, "welfare", muni.pk)
    welfare.get(url)
    assert rows.count() == 2


def test_profile_without_vulnerability_logs_nothing(welfare, muni, community):
    resident = ResidentFactory(municipality=muni, community=community)
    response = welfare.get(f"/registry/residents/{resident.pk}/")
    assert response.status_code == 200
    assert AccessLog.objects.count() == 0


def test_profile_shows_identity_household_and_timeline(welfare, muni, community):
    resident = ResidentFactory(municipality=muni, community=community, birth_date=date(1950, 3, 5))
    VulnerabilityFactory(resident=resident, barthel_score=3, assessed_on=date(2025, 1, 10))
    response = welfare.get(f"/registry/residents/{resident.pk}/")
    body = response.content.decode()
    assert resident.full_name in body
    assert f"/registry/households/{resident.household_id}/" in body
    kinds = [e.kind for e in response.context["timeline"]]
    assert kinds[0] == "birth" and "assessment" in kinds and "registry" in kinds
    assert "3/20" in body


# --- Resident forms ----------------------------------------------------------------------------------


def _resident_post(community, **changes):
    data = {
        "title": "นาง",
        "first_name": "มาลี",
        "last_name": "ศรีสุข",
        "id_kind": "thai",
        "national_id": "1-1017-00230-70-8",
        "sex": "female",
        "birth_date": "05/03/2500",
        "community": community.pk,
        "household": "",
        "relation_to_owner": "",
        "phone": "081-111-2222",
        "status": "alive",
    }
    data.update(changes)
    return data


def test_create_resident(welfare, muni, community):
    response = welfare.post("/registry/residents/new/", _resident_post(community))
    resident = Resident.objects.get()
    assert response.status_code == 302
    assert response.headers["Location"] == f"/registry/residents/{resident.pk}/"
    assert (resident.national_id, resident.birth_date, resident.phone) == (
        "1101700230708",
        date(1957, 3, 5),
        "0811112222",
    )
    assert resident.municipality_id == muni.pk


def test_create_resident_with_a_bad_thai_id_shows_the_thai_error_and_writes_nothing(welfare, community):
    response = welfare.post(
        "/registry/residents/new/", _resident_post(community, national_id="1101700230704")
    )
    assert response.status_code == 200
    assert Resident.objects.count() == 0
    errors = response.context["form"].errors["national_id"]
    assert errors == ["เลขหลักสุดท้ายไม่ตรงกับ 12 หลักแรก โปรดตรวจเลขอีกครั้ง"]
    assert "เลขหลักสุดท้ายไม่ตรงกับ 12 หลักแรก" in response.content.decode()


def test_create_resident_with_a_bad_be_date_says_so(welfare, community):
    response = welfare.post("/registry/residents/new/", _resident_post(community, birth_date="5/3/1957"))
    assert response.status_code == 200
    assert Resident.objects.count() == 0
    assert "birth_date" in response.context["form"].errors


def test_create_resident_in_a_household_of_another_community_is_refused(welfare, muni, community):
    household = HouseholdFactory(municipality=muni)  # another community
    data = _resident_post(community, household=household.pk, relation_to_owner="child")
    response = welfare.post("/registry/residents/new/", data)
    assert response.status_code == 200
    assert Resident.objects.count() == 0
    assert "household" in response.context["form"].errors


def test_new_resident_form_from_a_household_is_prefilled(welfare, muni, community):
    household = HouseholdFactory(municipality=muni, community=community)
    response = welfare.get("/registry/residents/new/", {"household": household.pk})
    form = response.context["form"]
    assert form.initial["household"] == household
    assert list(form.fields["household"].queryset) == [household]


def test_household_options_list_the_households_of_a_community(welfare, muni, community):
    household = HouseholdFactory(municipality=muni, community=community, registration_no="51010000011")
    HouseholdFactory(municipality=muni)
    body = welfare.get("/registry/households/options/", {"community": community.pk}).content.decode()
    assert body.count("<option") == 2
    assert f'value="{household.pk}"' in body and "51010000011" in body


def test_editing_a_resident_writes_a_history_row(welfare, muni, community):
    resident = ResidentFactory(municipality=muni, community=community, household=None, phone="0811112222")
    assert resident.history.count() == 1
    data = _resident_post(
        community,
        title=resident.title,
        first_name=resident.first_name,
        last_name=resident.last_name,
        national_id=resident.national_id,
        sex="male",
        birth_date="12/05/2503",
        phone="0899990000",
    )
    response = welfare.post(f"/registry/residents/{resident.pk}/edit/", data)
    assert response.status_code == 302
    resident.refresh_from_db()
    assert resident.phone == "0899990000"
    assert resident.history.count() == 2
    latest = resident.history.first()
    assert (latest.history_type, latest.phone) == ("~", "0899990000")
    assert latest.history_user_id == int(welfare.session["_auth_user_id"])


def test_edit_form_shows_dates_in_the_buddhist_era(welfare, muni, community):
    resident = ResidentFactory(municipality=muni, community=community, birth_date=date(1960, 5, 12))
    body = welfare.get(f"/registry/residents/{resident.pk}/edit/").content.decode()
    assert 'value="12/05/2503"' in body


# --- Needs assessment --------------------------------------------------------------------------------


def test_volunteer_records_needs_in_their_community(client, muni, community):
    resident = ResidentFactory(municipality=muni, community=community)
    client.force_login(member(muni, "volunteer", communities=[community]))
    data = {
        "barthel_score": "4",
        "assessed_on": "10/01/2568",
        "disability_type": "physical",
        "chronic_conditions": ["diabetes", "kidney"],
        "welfare_card": "on",
        "caregiver_name": "ลูกสาว",
    }
    response = client.post(f"/registry/residents/{resident.pk}/needs/", data)
    assert response.status_code == 302
    vuln = Vulnerability.objects.get(resident=resident)
    assert (vuln.barthel_score, vuln.dependency, vuln.assessed_on) == (4, "bed", date(2025, 1, 10))
    assert vuln.chronic_conditions == ["diabetes", "kidney"]
    assert vuln.welfare_card is True


def test_needs_form_errors_come_from_the_service(welfare, muni, community):
    resident = ResidentFactory(municipality=muni, community=community)
    response = welfare.post(f"/registry/residents/{resident.pk}/needs/", {"barthel_score": "8"})
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["assessed_on"]
    assert Vulnerability.objects.count() == 0


# --- Households and communities ----------------------------------------------------------------------


def test_create_household_with_the_official_address(welfare, muni, community):
    data = {
        "community": community.pk,
        "registration_no": "51010000019",
        "house_no": "12/3",
        "road": "อินทยงยศ",
        "changwat": "ลำพูน",
        "amphoe": "เมืองลำพูน",
        "tambon": "ในเมือง",
        "postcode": "51000",
        "latitude": "18.5775",
        "longitude": "99.0087",
    }
    response = welfare.post("/registry/households/new/", data)
    household = Household.objects.get()
    assert response.status_code == 302
    assert response.headers["Location"] == f"/registry/households/{household.pk}/"
    assert (household.house_no, household.tambon, household.postcode) == ("12/3", "ในเมือง", "51000")


def test_create_household_without_a_house_number_writes_nothing(welfare, community):
    response = welfare.post("/registry/households/new/", {"community": community.pk})
    assert response.status_code == 200
    assert Household.objects.count() == 0
    assert "house_no" in response.context["form"].errors


def test_household_page_lists_members_owner_first(welfare, muni, community):
    household = HouseholdFactory(municipality=muni, community=community)
    child = ResidentFactory(
        municipality=muni, community=community, household=household, relation_to_owner="child"
    )
    owner = ResidentFactory(
        municipality=muni, community=community, household=household, relation_to_owner="owner"
    )
    response = welfare.get(f"/registry/households/{household.pk}/")
    assert [m.pk for m in response.context["members"]] == [owner.pk, child.pk]
    assert "18.578000" in response.content.decode()


def test_empty_household_and_community_pages(welfare, muni, community):
    household = HouseholdFactory(municipality=muni, community=community)
    assert welfare.get(f"/registry/households/{household.pk}/").context["members"] == []
    empty = CommunityFactory(municipality=muni)
    response = welfare.get(f"/registry/communities/{empty.pk}/")
    assert response.status_code == 200
    assert response.context["community"].n_residents == 0


def test_community_list_counts(welfare, muni, community):
    ResidentFactory(municipality=muni, community=community, birth_date=date(1940, 1, 1))
    bed = ResidentFactory(municipality=muni, community=community, birth_date=date(1990, 1, 1))
    VulnerabilityFactory(
        resident=bed, barthel_score=1, assessed_on=date(2025, 1, 1), disability_type="physical"
    )
    response = welfare.get("/registry/communities/")
    (row,) = response.context["communities"]
    assert (
        row.n_residents,
        row.n_households,
        row.n_elderly,
        row.n_disabled,
        row.n_bedbound,
        row.n_welfare,
    ) == (
        2,
        2,
        1,
        1,
        1,
        0,
    )
