"""The rides API: booking to completion, idempotency, scope (404 outside a volunteer's communities
and across towns), roles (403), and refusals as 422 with the service's message and nothing written."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

import pytest
from django.utils import timezone

from tests.api.conftest import ApiClient, token_for
from tests.rides.booking_town import BKK, BookingTown, make_town
from thukkhon.core.roles import Role
from thukkhon.rides.models import RideRequest, RideSeries, TripEvent

DAY = timezone.localdate() + timedelta(days=5)


@pytest.fixture
def town(db: object) -> BookingTown:
    return make_town()


def api(town: BookingTown, role: str, language: str = "en") -> ApiClient:
    user = town.resident_user if role == Role.RESIDENT else town.users[role]
    return ApiClient(token_for(user, town.muni), language)


def body(town: BookingTown, **changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "resident_id": town.r1.pk,
        "purpose": "dialysis",
        "service_date": DAY.isoformat(),
        "appointment_time": "09:00",
        "dropoff": {"kind": "place", "place_id": town.hospital.pk},
        "mobility": "wheelchair",
        "companions": 1,
        "notes_for_driver": "ทางเข้าซอยแคบ",
    }
    values.update(changes)
    return values


def post(client: ApiClient, path: str, data: Any, key: str | None = None) -> Any:
    headers = dict(client.headers)
    if key:
        headers["Idempotency-Key"] = key
    return client.client.post(f"/api/v1{path}", data, content_type="application/json", headers=headers)


def test_booking_to_completion_through_the_api(town: BookingTown) -> None:
    volunteer = api(town, Role.VOLUNTEER)
    dispatcher = api(town, Role.DISPATCHER)
    created = post(volunteer, "/rides/requests", body(town), key="k1")
    assert created.status_code == 201, created.content
    ride = created.json()
    rid = ride["id"]
    assert ride["status"] == "requested"
    assert ride["channel"] == "api"
    assert ride["resident_name"] == "นายสมชาย ใจดี"
    assert (ride["mobility"], ride["companions"], ride["notes_for_driver"]) == (
        "wheelchair",
        1,
        "ทางเข้าซอยแคบ",
    )
    window = [datetime.fromisoformat(ride[f"dropoff_{end}"]) for end in ("earliest", "latest")]
    assert window == [datetime.combine(DAY, time(8, 15), BKK), datetime.combine(DAY, time(8, 45), BKK)]
    assert ride["priority"] == 95  # bed-bound 40, dialysis 30, welfare card 15, disability 10
    assert [e["status"] for e in ride["events"]] == ["requested"]

    steps = [
        (dispatcher, f"/rides/requests/{rid}/accept", {}, "accepted"),
        (dispatcher, f"/rides/requests/{rid}/status", {"status": "scheduled", "note": "แผน v1"}, "scheduled"),
        (dispatcher, f"/rides/requests/{rid}/status", {"status": "en_route"}, "en_route"),
        (dispatcher, f"/rides/requests/{rid}/status", {"status": "picked_up"}, "picked_up"),
        (dispatcher, f"/rides/requests/{rid}/status", {"status": "completed"}, "completed"),
    ]
    expected = ["requested"]
    for client, path, data, status in steps:
        response = post(client, path, data, key=f"{rid}-{status}")
        assert response.status_code == 200, response.content
        expected.append(status)
        result = response.json()
        assert result["status"] == status
        assert [e["status"] for e in result["events"]] == expected
        assert result["events"][-1]["by"] == "dispatcher"
    # A retried tap is recorded once.
    again = post(dispatcher, f"/rides/requests/{rid}/status", {"status": "completed"}, key=f"{rid}-completed")
    assert again.status_code == 200
    assert TripEvent.objects.filter(request_id=rid).count() == 6
    assert [e["note"] for e in again.json()["events"]][2] == "แผน v1"


def test_idempotency_key_returns_the_same_request(town: BookingTown) -> None:
    client = api(town, Role.DISPATCHER)
    first = post(client, "/rides/requests", body(town), key="same")
    second = post(client, "/rides/requests", body(town), key="same")
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json()["id"] == second.json()["id"]
    assert RideRequest.objects.count() == 1
    third = post(client, "/rides/requests", body(town), key="other")
    assert third.status_code == 422
    assert third.json()["detail"][0]["loc"] == ["body", "appointment_time"]


@pytest.mark.parametrize(
    ("changes", "loc", "msg"),
    [
        ({"mobility": "stretcher"}, ["body", "mobility"],
         "No vehicle of the municipality can carry a stretcher."),
        ({"appointment_time": None}, ["body", "appointment_time"], "Enter the appointment time."),
        ({"dropoff": {"kind": "address", "address": "ตลาด"}}, ["body", "dropoff"],
         "Pin the address on the map, or enter its latitude and longitude."),
        ({"service_date": (DAY - timedelta(days=10)).isoformat()}, ["body", "service_date"],
         "The pickup would be in the past: choose a later date or time."),
        ({"dropoff": {"kind": "place", "place_id": 999999}}, ["body", "dropoff"],
         "Choose a place of this municipality."),
        ({"companions": -1}, ["body", "companions"], "Ensure this value is greater than or equal to 0."),
    ],
)  # fmt: skip
def test_bad_input_is_422_and_writes_nothing(
    town: BookingTown, changes: dict[str, Any], loc: list[str], msg: str
) -> None:
    response = post(api(town, Role.DISPATCHER), "/rides/requests", body(town, **changes))
    assert response.status_code == 422
    assert response.json() == {"detail": [{"loc": loc, "msg": msg}]}
    assert RideRequest.objects.count() == 0
    assert TripEvent.objects.count() == 0


def test_volunteer_cannot_see_or_book_outside_their_communities(town: BookingTown) -> None:
    volunteer = api(town, Role.VOLUNTEER)
    assert post(volunteer, "/rides/requests", body(town, resident_id=town.r2.pk)).status_code == 404
    assert post(volunteer, "/rides/requests", body(town, resident_id=town.rx.pk)).status_code == 404
    assert RideRequest.objects.count() == 0
    theirs = post(api(town, Role.DISPATCHER), "/rides/requests", body(town, resident_id=town.r2.pk)).json()
    mine = post(volunteer, "/rides/requests", body(town)).json()
    assert volunteer.get(f"/rides/requests/{theirs['id']}").status_code == 404
    assert volunteer.get(f"/rides/requests/{mine['id']}").status_code == 200
    listed = volunteer.get("/rides/requests").json()
    assert (listed["count"], [r["id"] for r in listed["items"]]) == (1, [mine["id"]])
    assert post(volunteer, f"/rides/requests/{theirs['id']}/cancel", {"reason": "x"}).status_code == 404
    assert api(town, Role.DISPATCHER).get("/rides/requests").json()["count"] == 2


def test_other_towns_see_nothing(town: BookingTown) -> None:
    mine = post(api(town, Role.DISPATCHER), "/rides/requests", body(town)).json()
    other = ApiClient(token_for(town.other_admin, town.other), "en")
    assert other.get(f"/rides/requests/{mine['id']}").status_code == 404
    assert other.get("/rides/requests").json()["count"] == 0
    assert post(other, f"/rides/requests/{mine['id']}/accept", {}).status_code == 404


@pytest.mark.parametrize("role", [Role.DRIVER, Role.TEACHER, Role.EXECUTIVE])
def test_roles_that_may_not_book_get_403(town: BookingTown, role: str) -> None:
    response = post(api(town, role), "/rides/requests", body(town))
    assert response.status_code == 403
    assert response.json() == {"detail": "You may not book rides."}


def test_driver_sees_no_requests(town: BookingTown) -> None:
    post(api(town, Role.DISPATCHER), "/rides/requests", body(town))
    assert api(town, Role.DRIVER).get("/rides/requests").json() == {"items": [], "count": 0}


def test_deny_needs_a_reason_and_a_volunteer_may_not_decide(town: BookingTown) -> None:
    rid = post(api(town, Role.DISPATCHER), "/rides/requests", body(town)).json()["id"]
    welfare = api(town, Role.WELFARE)
    response = post(welfare, f"/rides/requests/{rid}/deny", {"reason": ""})
    assert response.status_code == 422
    assert response.json() == {
        "detail": [{"loc": ["body", "reason"], "msg": "Give the reason for the denial."}]
    }
    assert post(api(town, Role.VOLUNTEER), f"/rides/requests/{rid}/accept", {}).status_code == 403
    denied = post(welfare, f"/rides/requests/{rid}/deny", {"reason": "ไม่เข้าเกณฑ์"}).json()
    assert (denied["status"], denied["denial_reason"]) == ("denied", "ไม่เข้าเกณฑ์")


def test_resident_books_and_cancels_their_own_ride(town: BookingTown) -> None:
    me = api(town, Role.RESIDENT)
    ride = post(me, "/rides/requests", body(town, return_mode="call")).json()
    assert ride["return_leg_id"] is not None
    assert post(me, "/rides/requests", body(town, resident_id=town.young.pk)).status_code == 404
    cancelled = post(me, f"/rides/requests/{ride['id']}/cancel", {"reason": "ลูกพาไปเอง"}).json()
    assert cancelled["status"] == "cancelled"
    assert RideRequest.objects.get(pk=ride["return_leg_id"]).status == "cancelled"


def test_series_through_the_api(town: BookingTown) -> None:
    client = api(town, Role.WELFARE)
    data = body(town, weekdays=[DAY.weekday()], ends_on=(DAY + timedelta(days=14)).isoformat())
    response = post(client, "/rides/series", data, key="s1")
    assert response.status_code == 201, response.content
    series = response.json()
    assert len(series["request_ids"]) == 3
    assert post(client, "/rides/series", data, key="s1").json()["id"] == series["id"]
    assert RideSeries.objects.count() == 1
    ended = post(client, f"/rides/series/{series['id']}/cancel", {"reason": "ย้ายโรงพยาบาล"}).json()
    assert ended["is_active"] is False
    assert set(RideRequest.objects.values_list("status", flat=True)) == {"cancelled"}
