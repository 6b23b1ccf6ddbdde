"""The registry endpoints: tenant isolation, masking, filters, pagination, writes and their errors."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.contenttypes.models import ContentType

from tests.api.conftest import Town, th
from tests.factories import ResidentFactory, VulnerabilityFactory
from thukkhon.core.models import AccessLog
from thukkhon.people.models import Household, Resident, Vulnerability

BAD_CHECK_DIGIT = "1101700207031"  # 110170020703 has check digit 0
BAD_ID_MESSAGE = "The last digit does not match the other twelve: check the number again."


# --- Tenant isolation --------------------------------------------------------------------------------


def test_nothing_of_another_municipality_is_listed(town: Town) -> None:
    api = town.other_api()
    assert [c["id"] for c in api.get("/communities").json()["items"]] == [town.cx.pk]
    assert [h["id"] for h in api.get("/households").json()["items"]] == [town.hx.pk]
    assert [r["id"] for r in api.get("/residents").json()["items"]] == [town.rx.pk]
    assert api.get("/residents", q="สมชาย").json() == {"items": [], "count": 0}
    assert api.get("/residents", community=town.c1.pk).json() == {"items": [], "count": 0}
    assert api.get("/households", community=town.c1.pk).json() == {"items": [], "count": 0}


@pytest.mark.parametrize(
    "path",
    [
        "/communities/{c1}",
        "/households/{h1}",
        "/residents/{r1}",
        "/residents/{r1}/vulnerability",
    ],
)
def test_objects_of_another_municipality_are_404(town: Town, path: str) -> None:
    url = path.format(c1=town.c1.pk, h1=town.h1.pk, r1=town.r1.pk)
    assert town.other_api().get(url).status_code == 404


def test_writes_cannot_reach_another_municipality(town: Town) -> None:
    api = town.other_api()
    assert api.patch(f"/residents/{town.r1.pk}", {"first_name": "x"}).status_code == 404
    assert api.patch(f"/households/{town.h1.pk}", {"house_no": "x"}).status_code == 404
    # Pointing at another town's community, household or resident is refused field by field.
    response = api.post("/residents", {"community": town.c1.pk, "first_name": "ก", "id_kind": "none"})
    assert response.status_code == 422
    assert response.json() == {
        "detail": [{"loc": ["body", "community"], "msg": th("Choose a community of this municipality.")}]
    }
    response = api.post(
        "/residents",
        {"community": town.cx.pk, "household": town.h1.pk, "first_name": "ก", "id_kind": "none"},
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "household"]
    response = api.patch(f"/residents/{town.rx.pk}", {"community": town.c2.pk})
    assert response.status_code == 422
    response = api.patch(f"/households/{town.hx.pk}", {"community": town.c2.pk})
    assert response.status_code == 422
    assert Resident.objects.get(pk=town.r1.pk).first_name == "สมชาย"
    assert Resident.objects.filter(municipality=town.other).count() == 1
    assert Household.objects.get(pk=town.hx.pk).community == town.cx


def test_same_national_id_may_exist_in_two_towns(town: Town) -> None:
    """Each municipality keeps its own registry: a number taken in one town is free in another."""
    response = town.other_api().post(
        "/residents", {"community": town.cx.pk, "first_name": "สมชาย", "national_id": "1101700207030"}
    )
    assert response.status_code == 201


# --- National IDs --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "shown"),
    [
        ("admin", "1101700207030"),
        ("welfare", "1101700207030"),
        ("funeral", "1101700207030"),
        ("executive", "1-xxxx-xxxxx-03-0"),
        ("dispatcher", "1-xxxx-xxxxx-03-0"),
        ("volunteer", "1-xxxx-xxxxx-03-0"),
    ],
)
def test_national_id_masked_unless_role_sees_it(town: Town, role: str, shown: str) -> None:
    api = town.api(role)
    assert api.get(f"/residents/{town.r1.pk}").json()["national_id"] == shown
    listed = {r["id"]: r["national_id"] for r in api.get("/residents").json()["items"]}
    assert listed[town.r1.pk] == shown


def test_masked_role_cannot_search_by_full_id_to_unmask(town: Town) -> None:
    """Searching by part of the ID finds the resident but still shows the number masked."""
    items = town.api("dispatcher").get("/residents", q="0207030").json()["items"]
    assert [(r["id"], r["national_id"]) for r in items] == [(town.r1.pk, "1-xxxx-xxxxx-03-0")]


# --- Filters and pagination -----------------------------------------------------------------------------


def test_resident_filters(town: Town) -> None:
    api = town.api("welfare")
    young = ResidentFactory(
        municipality=town.muni,
        community=town.c2,
        household=town.h2,
        relation_to_owner="child",
        first_name="น้ำฝน",
        birth_date=date(2000, 1, 1),
        title="นางสาว",
        sex="female",
    )
    VulnerabilityFactory(resident=young, barthel_score=8)
    ResidentFactory(
        municipality=town.muni,
        community=town.c2,
        household=None,
        first_name="ล่วงลับ",
        status="deceased",
        status_date=date(2024, 3, 1),
    )

    def ids(**params: object) -> list[int]:
        body = api.get("/residents", **params).json()
        assert body["count"] == len(body["items"])
        return [r["id"] for r in body["items"]]

    assert sorted(ids()) == sorted([town.r1.pk, town.r2.pk, young.pk])
    assert ids(q="สมชาย") == [town.r1.pk]
    assert ids(q="0812345678") == [town.r1.pk]
    assert sorted(ids(community=town.c2.pk)) == sorted([town.r2.pk, young.pk])
    assert sorted(ids(elderly="true")) == sorted([town.r1.pk, town.r2.pk])
    assert ids(dependency="bed") == [town.r1.pk]
    assert ids(dependency="home") == [young.pk]
    assert ids(welfare_card="true") == [town.r1.pk]
    assert ids(disabled="true") == [town.r1.pk]
    assert [r["first_name"] for r in api.get("/residents", status="deceased").json()["items"]] == ["ล่วงลับ"]
    assert api.get("/residents", status="all").json()["count"] == 4
    bad = api.get("/residents", status="zombie")
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["query", "status"]


def test_pagination_counts(town: Town) -> None:
    for n in range(28):
        ResidentFactory(municipality=town.muni, community=town.c1, household=None, first_name=f"ก{n:02d}")
    api = town.api("admin")
    first = api.get("/residents").json()
    assert first["count"] == 30
    assert len(first["items"]) == 25
    page = api.get("/residents", limit=10, offset=20).json()
    assert page["count"] == 30
    assert [r["first_name"] for r in page["items"]] == [f"ก{n:02d}" for n in range(20, 28)] + [
        "บัวคำ",
        "สมชาย",
    ]
    assert api.get("/residents", limit=10, offset=30).json() == {"items": [], "count": 30}
    assert api.get("/residents", limit=201).status_code == 422
    assert api.get("/residents", limit=0).status_code == 422
    volunteer = town.api("volunteer").get("/residents", limit=5).json()
    assert volunteer["count"] == 29
    assert len(volunteer["items"]) == 5
    communities = api.get("/communities", limit=1, offset=1).json()
    assert communities["count"] == 2
    assert [c["code"] for c in communities["items"]] == ["02"]


def test_community_counts(town: Town) -> None:
    body = town.api("executive").get(f"/communities/{town.c1.pk}").json()
    assert body == {
        "id": town.c1.pk,
        "code": "01",
        "name_th": "ชุมชนประตูลี้",
        "name_en": "Pratu Li",
        "latitude": 18.58,
        "longitude": 99.01,
        "n_residents": 1,
        "n_elderly": 1,
        "n_disabled": 1,
        "n_bedbound": 1,
        "n_welfare": 1,
        "n_households": 1,
    }


# --- Writes --------------------------------------------------------------------------------------------


def test_resident_create_and_update_round_trip(town: Town) -> None:
    api = town.api("welfare")
    created = api.post(
        "/residents",
        {
            "community": town.c1.pk,
            "household": town.h1.pk,
            "relation_to_owner": "spouse",
            "title": "นาง",
            "first_name": " คำแปง ",
            "last_name": "ใจดี",
            "national_id": "1-1017-00207-04-8",
            "sex": "female",
            "birth_date": "1958-12-31",
            "phone": "081-234-5679",
            "line_id": "kampaeng",
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    rid = body["id"]
    assert {k: v for k, v in body.items() if k not in ("id", "created_at", "updated_at", "age")} == {
        "community": town.c1.pk,
        "household": town.h1.pk,
        "relation_to_owner": "spouse",
        "id_kind": "thai",
        "national_id": "1101700207048",
        "title": "นาง",
        "first_name": "คำแปง",
        "last_name": "ใจดี",
        "nickname": "",
        "full_name": "นางคำแปง ใจดี",
        "sex": "female",
        "birth_date": "1958-12-31",
        "birth_date_estimated": False,
        "phone": "0812345679",
        "line_id": "kampaeng",
        "status": "alive",
        "status_date": None,
    }
    assert api.get(f"/residents/{rid}").json() == body

    updated = api.patch(
        f"/residents/{rid}", {"status": "moved", "status_date": "2025-10-01", "household": None}
    )
    assert updated.status_code == 200, updated.content
    after = updated.json()
    assert (after["status"], after["status_date"], after["household"], after["relation_to_owner"]) == (
        "moved",
        "2025-10-01",
        None,
        "",
    )
    assert (after["first_name"], after["national_id"], after["birth_date"]) == (
        "คำแปง",
        "1101700207048",
        "1958-12-31",
    )
    stored = Resident.objects.get(pk=rid)
    assert stored.status_date == date(2025, 10, 1)
    assert stored.history.count() == 2  # type: ignore[attr-defined]
    assert stored.history.first().history_user == town.users["welfare"]  # type: ignore[attr-defined]
    # Moved residents leave the default (living) list but stay findable.
    assert rid not in [r["id"] for r in api.get("/residents").json()["items"]]
    assert [r["id"] for r in api.get("/residents", status="moved").json()["items"]] == [rid]


def test_bad_national_id_is_422_in_thai_and_writes_nothing(town: Town) -> None:
    before = Resident.objects.count()
    response = town.api("welfare").post(
        "/residents", {"community": town.c1.pk, "first_name": "ทดสอบ", "national_id": BAD_CHECK_DIGIT}
    )
    assert response.status_code == 422
    assert response.headers["Content-Language"] == "th"
    assert response.json() == {"detail": [{"loc": ["body", "national_id"], "msg": th(BAD_ID_MESSAGE)}]}
    assert Resident.objects.count() == before
    if th(BAD_ID_MESSAGE) == BAD_ID_MESSAGE:
        # The message is the project catalogue's; the API only passes it through in the active language.
        pytest.xfail("the Thai message catalogue (thukkhon/locale/th) has no translation for it yet")
    assert any("\u0e00" <= ch <= "\u0e7f" for ch in th(BAD_ID_MESSAGE))


def test_errors_in_english_on_request(town: Town) -> None:
    response = town.api("welfare", language="en").patch(
        f"/residents/{town.r1.pk}", {"national_id": BAD_CHECK_DIGIT, "phone": "12"}
    )
    assert response.status_code == 422
    assert response.headers["Content-Language"] == "en"
    assert response.json() == {
        "detail": [
            {"loc": ["body", "national_id"], "msg": BAD_ID_MESSAGE},
            {"loc": ["body", "phone"], "msg": "A Thai phone number has 9 or 10 digits and starts with 0."},
        ]
    }
    assert Resident.objects.get(pk=town.r1.pk).national_id == "1101700207030"


def test_schema_errors_are_keyed_by_field(town: Town) -> None:
    api = town.api("welfare", language="en")
    response = api.post("/residents", {"community": "x", "birth_date": "31/12/2501", "sex": "m"})
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {"loc": ["body", "community"], "msg": "Enter a whole number."},
            {"loc": ["body", "first_name"], "msg": "This field is required."},
            {"loc": ["body", "sex"], "msg": "Choose one of: 'female', 'male' or ''."},
            {"loc": ["body", "birth_date"], "msg": "Enter a date as YYYY-MM-DD (Common Era)."},
        ]
    }
    thai = town.api("welfare").post("/residents", {"community": town.c1.pk})
    assert thai.json() == {"detail": [{"loc": ["body", "first_name"], "msg": th("This field is required.")}]}


def test_household_create_and_update_moves_members(town: Town) -> None:
    api = town.api("admin")
    created = api.post(
        "/households",
        {
            "community": town.c2.pk,
            "registration_no": "51010000033",
            "house_no": "7",
            "moo": "2",
            "tambon": "ในเมือง",
            "amphoe": "เมืองลำพูน",
            "changwat": "ลำพูน",
            "postcode": "51000",
            "latitude": "18.5801",
            "longitude": "99.0102",
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["address_text"] == "7 หมู่ 2 ต.ในเมือง อ.เมืองลำพูน จ.ลำพูน 51000"
    assert (body["latitude"], body["longitude"], body["members"]) == (18.5801, 99.0102, [])

    moved = api.patch(f"/households/{town.h1.pk}", {"community": town.c2.pk, "access_notes": "ซอยข้างวัด"})
    assert moved.status_code == 200, moved.content
    assert moved.json()["community"] == town.c2.pk
    assert [m["id"] for m in moved.json()["members"]] == [town.r1.pk]
    assert Resident.objects.get(pk=town.r1.pk).community == town.c2

    clash = api.patch(f"/households/{town.h2.pk}", {"registration_no": "51010000033"})
    assert clash.status_code == 422
    assert clash.json()["detail"][0]["loc"] == ["body", "registration_no"]
    assert Household.objects.get(pk=town.h2.pk).registration_no == "51010000022"


def test_community_create_and_duplicate_code(town: Town) -> None:
    api = town.api("admin")
    created = api.post("/communities", {"code": "03", "name_th": "ชุมชนใหม่", "latitude": 18.5})
    assert created.status_code == 201
    assert created.json()["n_residents"] == 0
    assert created.json()["latitude"] == 18.5
    again = api.post("/communities", {"code": "03", "name_th": "ซ้ำ"})
    assert again.status_code == 422
    assert again.json() == {
        "detail": [{"loc": ["body", "code"], "msg": th("Another community already has this code.")}]
    }
    # The other town may use the same code.
    assert town.other_api().post("/communities", {"code": "03", "name_th": "ชุมชน"}).status_code == 201


# --- Vulnerability -------------------------------------------------------------------------------------


def test_vulnerability_read_is_logged(town: Town) -> None:
    response = town.api("volunteer").get(f"/residents/{town.r1.pk}/vulnerability")
    assert response.status_code == 200
    body = response.json()
    assert (body["resident"], body["recorded"], body["barthel_score"], body["dependency"]) == (
        town.r1.pk,
        True,
        3,
        "bed",
    )
    assert (body["welfare_card"], body["disability_type"]) == (True, "physical")
    vuln = Vulnerability.objects.get(resident=town.r1)
    log = AccessLog.objects.get()
    assert (log.user, log.municipality, log.role, log.what) == (
        town.users["volunteer"],
        town.muni,
        "volunteer",
        "vulnerability",
    )
    assert (log.content_type, log.object_id) == (
        ContentType.objects.get_for_model(Vulnerability),
        str(vuln.pk),
    )
    assert log.via == f"api GET /api/v1/residents/{town.r1.pk}/vulnerability"


def test_vulnerability_not_recorded(town: Town) -> None:
    body = town.api("welfare").get(f"/residents/{town.r2.pk}/vulnerability").json()
    assert body["recorded"] is False
    assert body["barthel_score"] is None
    assert AccessLog.objects.count() == 0


def test_refused_reads_are_not_logged(town: Town) -> None:
    assert town.api("driver").get(f"/residents/{town.r1.pk}/vulnerability").status_code == 404
    assert town.other_api().get(f"/residents/{town.r1.pk}/vulnerability").status_code == 404
    assert AccessLog.objects.count() == 0


def test_religion_is_not_exposed(town: Town) -> None:
    Resident.objects.filter(pk=town.r1.pk).update(religion="buddhism")
    assert "religion" not in town.api("admin").get(f"/residents/{town.r1.pk}").json()
