"""Excel export of a filtered resident list: the same filters as the search, Thai headers, B.E.
dates, masked ID numbers for roles that need not see them, scoped like every read."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import pytest

from tests.factories import (
    CommunityFactory,
    MunicipalityFactory,
    ResidentFactory,
    VulnerabilityFactory,
    make_thai_id,
    member,
)
from thukkhon.people.exporting import AGE_HEADER, EXPORT_COLUMNS, filters_from_params
from thukkhon.people.importing import check_file, read_table
from thukkhon.people.selectors import ResidentFilters

pytestmark = pytest.mark.django_db


@pytest.fixture
def town():
    return MunicipalityFactory()


@pytest.fixture
def people(town):
    c1 = CommunityFactory(municipality=town, code="01", name_th="ชุมชนหนึ่ง")
    c2 = CommunityFactory(municipality=town, code="02", name_th="ชุมชนสอง")
    a = ResidentFactory(
        municipality=town,
        community=c1,
        first_name="กมล",
        last_name="ใจดี",
        national_id=make_thai_id(11),
        birth_date=date(1950, 1, 2),
    )
    b = ResidentFactory(
        municipality=town,
        community=c1,
        first_name="ขวัญ",
        last_name="ศรีสุข",
        national_id=make_thai_id(12),
        birth_date=date(1990, 7, 15),
        title="นางสาว",
        sex="female",
    )
    c = ResidentFactory(municipality=town, community=c2, first_name="คำ", national_id=make_thai_id(13))
    ResidentFactory(municipality=MunicipalityFactory(), first_name="คนนอก")  # another town
    VulnerabilityFactory(resident=a, welfare_card=True)
    return {"c1": c1, "c2": c2, "a": a, "b": b, "c": c}


def export(client, user, query: str = "") -> list[dict[str, object]]:
    client.force_login(user)
    response = client.get(f"/registry/import/export.xlsx{query}")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    headers = rows[0]
    return [dict(zip(headers, r, strict=True)) for r in rows[1:]]


def test_headers_are_thai_and_the_ages_come_last(client, town, people):
    rows = export(client, member(town, "welfare"), f"?community={people['c2'].pk}")
    assert list(rows[0]) == [c.header for c in EXPORT_COLUMNS] + [AGE_HEADER]


def test_export_has_exactly_the_filtered_residents_with_full_ids_for_welfare(client, town, people):
    rows = export(client, member(town, "welfare"), f"?community={people['c1'].pk}")
    assert [(r["ชื่อ"], r["เลขประจำตัวประชาชน"], r["วันเกิด (วว/ดด/ปปปป พ.ศ.)"], r["ชุมชน"]) for r in rows] == [
        ("กมล", "1-0000-00000-11-" + make_thai_id(11)[-1], "02/01/2493", "01"),
        ("ขวัญ", "1-0000-00000-12-" + make_thai_id(12)[-1], "15/07/2533", "01"),
    ]
    assert rows[1]["คำนำหน้า"] == "นางสาว"
    assert rows[1]["เพศ"] == "หญิง"
    assert rows[1]["ความสัมพันธ์กับเจ้าบ้าน"] == "เจ้าบ้าน"


def test_dispatcher_sees_masked_ids(client, town, people):
    rows = export(client, member(town, "dispatcher"), "?q=กมล")
    assert [(r["ชื่อ"], r["เลขประจำตัวประชาชน"]) for r in rows] == [
        ("กมล", "1-xxxx-xxxxx-11-" + make_thai_id(11)[-1])
    ]


def test_group_filters(client, town, people):
    user = member(town, "welfare")
    assert [r["ชื่อ"] for r in export(client, user, "?welfare_card=on")] == ["กมล"]
    elderly = {r["ชื่อ"] for r in export(client, user, "?elderly=1")}
    assert elderly == {"กมล", "คำ"}  # born 1950 and 1960 (the factory's default)
    assert {r["ชื่อ"] for r in export(client, user)} == {"กมล", "ขวัญ", "คำ"}


def test_volunteer_exports_only_their_community(client, town, people):
    volunteer = member(town, "volunteer", communities=[people["c2"]])
    assert [r["ชื่อ"] for r in export(client, volunteer)] == ["คำ"]


@pytest.mark.parametrize("role", ["teacher", "driver", "parent"])
def test_roles_that_do_not_read_the_registry_get_404(client, town, people, role):
    client.force_login(member(town, role))
    assert client.get("/registry/import/export.xlsx").status_code == 404


def test_an_export_by_welfare_imports_again_without_changes(client, town, people):
    """The export speaks the import's format: re-importing it updates, never duplicates."""
    client.force_login(member(town, "welfare"))
    response = client.get("/registry/import/export.xlsx")
    plan = check_file(town, read_table("export.xlsx", b"".join(response.streaming_content)))
    assert plan.problems == []
    counts = plan.counts()
    assert (counts["residents_new"], counts["residents_updated"], counts["residents_unchanged"]) == (0, 0, 3)
    assert (counts["households_new"], counts["households_updated"], counts["households_unchanged"]) == (
        0,
        0,
        3,
    )
    assert "อายุ (ปี)" in plan.warnings[0]


def test_filters_from_params_match_the_search_page():
    assert filters_from_params({"q": " สม ", "community": "7", "elderly": "on", "bedbound": "on"}) == (
        ResidentFilters(q="สม", community_id=7, elderly=True, dependency="bed")
    )
    assert filters_from_params({"community": "x", "status": "all", "dependency": "home"}) == ResidentFilters(
        status="", dependency="home"
    )
