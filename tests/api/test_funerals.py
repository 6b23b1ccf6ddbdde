"""The funerals API: staff report a death and read the case with its deadlines; a relative sees only
the cases they reported; other roles and towns see nothing; bad input is a 422 in the caller's
language and writes nothing; free cremator slots."""

from __future__ import annotations

from datetime import time

import pytest
from django.utils import timezone

from tests.api.conftest import Town, th
from thukkhon.core.models import AccessLog
from thukkhon.funerals.models import Cremator, Crematorium, FuneralCase

pytestmark = pytest.mark.django_db

DEATH = {
    "deceased_name": "นายสมชาย ใจดี",
    "died_at": "2026-11-26T06:30:00+07:00",
    "place_of_death": "บ้าน",
    "cause": "natural",
    "informant_name": "นางสมศรี ใจดี",
    "informant_relation": "ภรรยา",
    "informant_phone": "0812345679",
    "relatives": [{"name": "นายสมหมาย ใจดี", "relation": "บุตร", "phone": "081-111 2222"}],
}


@pytest.fixture(autouse=True)
def _now(monkeypatch):
    moment = timezone.datetime(2026, 11, 26, 9, 0, tzinfo=timezone.get_fixed_timezone(7 * 60))
    monkeypatch.setattr(timezone, "now", lambda: moment)


def test_staff_report_a_death_of_a_registry_resident(town: Town):
    api = town.api("funeral")
    response = api.post("/funerals/cases", {**DEATH, "resident_id": town.r1.pk})
    assert response.status_code == 201, response.content
    body = response.json()
    case = FuneralCase.objects.get()
    assert body["id"] == case.pk and body["number"] == case.number
    assert (body["status"], body["disposition"], body["resident_id"]) == ("accepted", "cremation", town.r1.pk)
    assert [(r["name"], r["relation"], r["phone"], r["notify"]) for r in body["relatives"]] == [
        ("นายสมหมาย ใจดี", "บุตร", "0811112222", True)
    ]
    assert body["registration_deadline"] == {
        "deadline": "2026-11-26T23:30:00Z",
        "state": "ok",
    }  # 06:30 next day, Bangkok
    assert body["deadline"] is None  # a natural death, cremation: no 24-hour disposal clock
    town.r1.refresh_from_db()
    assert town.r1.status == "deceased"

    again = api.post("/funerals/cases", {**DEATH, "resident_id": town.r1.pk})
    assert again.status_code == 422
    assert again.json()["detail"][0]["msg"] == th("A funeral case for this resident already exists.")
    assert FuneralCase.objects.count() == 1


def test_bad_input_writes_nothing(town: Town):
    api = town.api("funeral")
    future = api.post("/funerals/cases", {**DEATH, "died_at": "2026-11-27T06:30:00+07:00"})
    assert future.status_code == 422
    assert future.json()["detail"][0]["msg"] == th("The time of death cannot be in the future.")
    phone = api.post("/funerals/cases", {**DEATH, "relatives": [{"name": "ก", "phone": "12"}]})
    assert phone.status_code == 422
    assert phone.json()["detail"][0]["msg"] == th("Relative %(n)d: %(message)s") % {
        "n": 1,
        "message": th("A Thai phone number has 9 or 10 digits and starts with 0."),
    }
    other_town = api.post("/funerals/cases", {**DEATH, "resident_id": town.rx.pk})
    assert other_town.status_code == 404
    assert not FuneralCase.objects.exists()


def test_who_sees_what(town: Town):
    staff_case = town.api("funeral").post("/funerals/cases", DEATH).json()
    relative = town.api("resident")
    reported = relative.post("/funerals/cases", {**DEATH, "deceased_name": "นางบัวคำ ศรีวงศ์"})
    assert reported.status_code == 201
    assert reported.json()["status"] == "reported"

    listing = relative.get("/funerals/cases").json()
    assert [c["deceased_name"] for c in listing["items"]] == ["นางบัวคำ ศรีวงศ์"]
    assert relative.get(f"/funerals/cases/{staff_case['id']}").status_code == 404
    assert relative.post("/funerals/cases", {**DEATH, "resident_id": town.r2.pk}).status_code == 403
    assert (
        relative.post(f"/funerals/cases/{reported.json()['id']}/relatives", {"name": "ข"}).status_code == 404
    )

    staff = town.api("welfare").get("/funerals/cases", q="บัวคำ").json()
    assert staff["count"] == 1
    for role in ("driver", "teacher", "volunteer", "executive"):
        assert town.api(role).get("/funerals/cases").json()["count"] == 0
        assert town.api(role).get(f"/funerals/cases/{staff_case['id']}").status_code == 404
    assert town.other_api().get(f"/funerals/cases/{staff_case['id']}").status_code == 404

    before = AccessLog.objects.count()
    assert town.api("admin").get(f"/funerals/cases/{staff_case['id']}").status_code == 200
    assert AccessLog.objects.count() == before + 1


def test_add_a_relative(town: Town):
    api = town.api("funeral")
    case = api.post("/funerals/cases", DEATH).json()
    added = api.post(f"/funerals/cases/{case['id']}/relatives", {"name": "นางแก้ว ใจดี", "notify": False})
    assert added.status_code == 201
    assert {k: added.json()[k] for k in ("name", "phone", "notify")} == {
        "name": "นางแก้ว ใจดี",
        "phone": "",
        "notify": False,
    }
    bad = api.post(f"/funerals/cases/{case['id']}/relatives", {"name": " ", "phone": "x"})
    assert bad.status_code == 422
    assert {e["msg"] for e in bad.json()["detail"]} == {
        th("Enter the relative's name."),
        th("A Thai phone number has 9 or 10 digits and starts with 0."),
    }
    names = [r["name"] for r in api.get(f"/funerals/cases/{case['id']}").json()["relatives"]]
    assert names == ["นายสมหมาย ใจดี", "นางแก้ว ใจดี"]


def test_cremator_slots(town: Town):
    crematorium = Crematorium.objects.create(
        municipality=town.muni,
        name_th="ฌาปนสถานบ้านหลวย",
        day_starts=time(8, 0),
        day_ends=time(14, 0),
        closed_weekdays=[6],
    )
    cremator = Cremator.objects.create(
        municipality=town.muni,
        crematorium=crematorium,
        name="เตา 1",
        chambers=1,
        capacity_per_day=3,
        slot_minutes=120,
    )
    api = town.api("funeral")
    assert [c["name"] for c in api.get("/funerals/cremators").json()] == ["เตา 1"]
    friday = api.get(f"/funerals/cremators/{cremator.pk}/slots", day="2026-11-27").json()
    assert friday["closed"] == ""
    assert friday["free"] == [
        "2026-11-27T01:00:00Z",
        "2026-11-27T04:00:00Z",
    ]  # 08:00, 11:00: 2 h + 1 h cool-down
    sunday = api.get(f"/funerals/cremators/{cremator.pk}/slots", day="2026-11-29").json()
    assert sunday["closed"] != "" and sunday["free"] == []
    assert (
        town.api("driver").get(f"/funerals/cremators/{cremator.pk}/slots", day="2026-11-27").status_code
        == 404
    )
    assert town.api("driver").get("/funerals/cremators").json() == []


def test_openapi_lists_the_funeral_endpoints(client):
    schema = client.get("/api/v1/openapi.json").json()
    methods = {
        f"{method.upper()} {path}"
        for path, ops in schema["paths"].items()
        for method in ops
        if path.startswith("/api/v1/funerals/")
    }
    assert methods == {
        "GET /api/v1/funerals/cases",
        "POST /api/v1/funerals/cases",
        "GET /api/v1/funerals/cases/{case_id}",
        "POST /api/v1/funerals/cases/{case_id}/relatives",
        "GET /api/v1/funerals/cremators",
        "GET /api/v1/funerals/cremators/{cremator_id}/slots",
    }
