"""Fleet pages and services: shifts that overlap another shift of the vehicle or the driver are
refused with a clear message, out-of-service periods hold the vehicle, and only administrators and
dispatchers of the municipality see any of it."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import translation

from tests.factories import MunicipalityFactory, member
from tests.fleet_factories import DriverFactory, VehicleFactory
from thukkhon.core.actor import actor_for
from thukkhon.core.models import Membership
from thukkhon.core.roles import Role
from thukkhon.fleet import services
from thukkhon.fleet.models import Reservation, Shift, Vehicle

BKK = ZoneInfo("Asia/Bangkok")


def t(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, 1, hour, minute, tzinfo=BKK)


@pytest.fixture
def fleet(db: object) -> dict[str, object]:
    muni = MunicipalityFactory(code="lamphun")
    admin = member(muni, Role.DISPATCHER, username="dispatcher")
    d1 = DriverFactory(membership__municipality=muni, membership__user__display_name="สมศักดิ์ ขับดี")
    d2 = DriverFactory(membership__municipality=muni, membership__user__display_name="ประยูร ใจเย็น")
    van = VehicleFactory(municipality=muni, name="รถตู้ 1", plate="นข 1234 ลำพูน")
    car = VehicleFactory(municipality=muni, name="รถเก๋ง", plate="กก 99 ลำพูน", kind=Vehicle.Kind.CAR)
    actor = actor_for(admin, muni.pk)
    services.shift_create(actor=actor, vehicle=van, driver=d1, starts_at=t(7), ends_at=t(12))  # type: ignore[arg-type]
    return {"muni": muni, "actor": actor, "d1": d1, "d2": d2, "van": van, "car": car, "user": admin}


@pytest.mark.parametrize(
    ("vehicle", "driver", "start", "end", "errors"),
    [
        ("van", "d2", t(11, 30), t(15), {"vehicle": [
            "รถตู้ 1 (นข 1234 ลำพูน) already has a shift from 01/12/2569 07:00 to 01/12/2569 12:00."]}),
        ("car", "d1", t(6), t(7, 30), {"driver": [
            "สมศักดิ์ ขับดี already drives from 01/12/2569 07:00 to 01/12/2569 12:00."]}),
        ("car", "d2", t(15), t(14), {"ends_at": ["The end must be after the start."]}),
    ],
)  # fmt: skip
def test_overlapping_shifts_are_refused(
    fleet: dict[str, object], vehicle: str, driver: str, start: datetime, end: datetime, errors: object
) -> None:
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        services.shift_create(
            actor=fleet["actor"],  # type: ignore[arg-type]
            vehicle=fleet[vehicle],  # type: ignore[arg-type]
            driver=fleet[driver],  # type: ignore[arg-type]
            starts_at=start,
            ends_at=end,
        )
    assert exc.value.message_dict == errors
    assert Shift.objects.count() == 1


def test_back_to_back_shifts_are_fine(fleet: dict[str, object]) -> None:
    services.shift_create(
        actor=fleet["actor"],
        vehicle=fleet["van"],
        driver=fleet["d2"],
        starts_at=t(12),
        ends_at=t(17),  # type: ignore[arg-type]
    )
    assert Shift.objects.count() == 2


def test_shift_page_adds_and_refuses(fleet: dict[str, object]) -> None:
    client = Client()
    client.force_login(fleet["user"])  # type: ignore[arg-type]
    client.cookies["django_language"] = "en"
    data = {
        "vehicle": fleet["van"].pk,
        "driver": fleet["d2"].pk,
        "day": "01/12/2569",
        "starts": "10:00",
        "ends": "13:00",
    }  # type: ignore[attr-defined]
    with translation.override("en"):
        response = client.post("/fleet/shifts/", data, headers={"Accept-Language": "en"})
    assert response.status_code == 200
    assert "already has a shift" in response.context["form"].errors["vehicle"][0]
    data.update(starts="13:00", ends="16:00")
    assert client.post("/fleet/shifts/", data).status_code == 302
    page = client.get("/fleet/shifts/", {"day": "01/12/2569"})
    assert [s.driver_id for s in page.context["shifts"]] == [fleet["d1"].pk, fleet["d2"].pk]  # type: ignore[attr-defined]


def test_out_of_service_holds_the_vehicle(fleet: dict[str, object]) -> None:
    client = Client()
    client.force_login(fleet["user"])  # type: ignore[arg-type]
    client.cookies["django_language"] = "en"
    data = {
        "vehicle": fleet["car"].pk,  # type: ignore[attr-defined]
        "start_day": "02/12/2569",
        "start_time": "08:00",
        "end_day": "02/12/2569",
        "end_time": "10:00",
        "reason": "เข้าศูนย์เปลี่ยนยาง",
    }
    assert client.post("/fleet/out-of-service/", data).status_code == 302
    assert Reservation.objects.filter(vehicle=fleet["car"], purpose="maintenance").count() == 8
    again = client.post("/fleet/out-of-service/", data)
    assert again.status_code == 200 and again.context["form"].errors


def test_vehicle_and_driver_pages(fleet: dict[str, object]) -> None:
    client = Client()
    client.force_login(fleet["user"])  # type: ignore[arg-type]
    client.cookies["django_language"] = "en"
    assert client.get("/fleet/").status_code == 200
    new = {
        "name": "รถพยาบาล",
        "plate": "นข 1234 ลำพูน",
        "kind": "ambulance",
        "seats": 3,
        "wheelchair_places": 0,
        "stretcher_places": 1,
        "cost_per_km": "12.00",
        "is_active": "on",
    }
    with translation.override("en"):
        refused = client.post("/fleet/vehicles/new/", new)
    assert refused.context["form"].errors["plate"] == ["Another vehicle already has this licence plate."]
    new["plate"] = "นข 5678 ลำพูน"
    assert client.post("/fleet/vehicles/new/", new).status_code == 302
    assert Vehicle.objects.get(plate="นข 5678 ลำพูน").stretcher_places == 1
    user = member(fleet["muni"], Role.DRIVER, username="new-driver")  # type: ignore[arg-type]
    membership = Membership.objects.get(user=user)
    assert (
        client.post(
            "/fleet/drivers/new/", {"membership": membership.pk, "phone": "0899999999", "is_active": "on"}
        ).status_code
        == 302
    )
    assert client.get("/fleet/drivers/").status_code == 200


@pytest.mark.parametrize("role", [Role.DRIVER, Role.WELFARE, Role.VOLUNTEER, Role.EXECUTIVE])
def test_others_get_404(fleet: dict[str, object], role: str) -> None:
    client = Client()
    client.force_login(member(fleet["muni"], role))  # type: ignore[arg-type]
    for url in (
        "/fleet/",
        "/fleet/drivers/",
        "/fleet/shifts/",
        "/fleet/out-of-service/",
        "/fleet/vehicles/new/",
    ):
        assert client.get(url).status_code == 404


def test_other_town_cannot_edit(fleet: dict[str, object]) -> None:
    other = MunicipalityFactory(code="other")
    client = Client()
    client.force_login(member(other, Role.ADMIN))
    assert client.get(f"/fleet/vehicles/{fleet['van'].pk}/edit/").status_code == 404  # type: ignore[attr-defined]
