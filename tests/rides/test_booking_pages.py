"""Booking pages: who sees which page (404 otherwise), the form books with its hidden idempotency
key (a double submit makes one ride), refusals come back on the form, and viewing the eligibility
assessment is logged."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone, translation

from tests.rides.booking_town import BookingTown, make_town
from thukkhon.core.models import AccessLog, User
from thukkhon.core.roles import Role
from thukkhon.rides import booking
from thukkhon.rides.models import RideRequest, RideSeries, Status

DAY = timezone.localdate() + timedelta(days=3)


@pytest.fixture
def town(db: object) -> BookingTown:
    return make_town()


def client_for(user: User) -> Client:
    client = Client(headers={"Accept-Language": "en"})
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client


def be(day: object) -> str:
    return f"{day.day:02d}/{day.month:02d}/{day.year + 543}"  # type: ignore[attr-defined]


def form_data(town: BookingTown, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "idempotency_key": "form-key-1",
        "purpose": "hospital",
        "service_date": be(DAY),
        "appointment_time": "10:00",
        "pickup_kind": "home",
        "dropoff_kind": "place",
        "dropoff_place": town.hospital.pk,
        "mobility": "walks",
        "companions": 0,
        "attendants": 0,
        "return_mode": "none",
    }
    data.update(changes)
    return data


def _book(town: BookingTown, resident: object = None) -> RideRequest:
    data = town.data(resident, service_date=DAY)  # type: ignore[arg-type]
    return booking.request_create(actor=town.actor(Role.DISPATCHER), data=data)


def test_dispatcher_books_through_the_form_once_however_often_submitted(town: BookingTown) -> None:
    client = client_for(town.users[Role.DISPATCHER])
    url = f"/rides/new/{town.r1.pk}/"
    assert client.get(url).status_code == 200
    first = client.post(url, form_data(town))
    assert first.status_code == 302
    again = client.post(url, form_data(town))
    assert again.status_code == 302 and again["Location"] == first["Location"]
    ride = RideRequest.objects.get()
    assert first["Location"] == f"/rides/{ride.pk}/"
    assert (ride.service_date, ride.purpose, ride.channel) == (DAY, "hospital", "staff")


def test_refusal_comes_back_on_the_form_and_writes_nothing(town: BookingTown) -> None:
    client = client_for(town.users[Role.DISPATCHER])
    with translation.override("en"):
        response = client.post(f"/rides/new/{town.r1.pk}/", form_data(town, mobility="stretcher"))
    assert response.status_code == 200
    assert response.context["form"].errors["mobility"] == [
        "No vehicle of the municipality can carry a stretcher."
    ]
    assert RideRequest.objects.count() == 0


def test_recurring_booking_through_the_form(town: BookingTown) -> None:
    client = client_for(town.users[Role.WELFARE])
    data = form_data(town, repeat="on", weekdays=[str(DAY.weekday())], ends_on=be(DAY + timedelta(days=7)))
    response = client.post(f"/rides/new/{town.r1.pk}/", data)
    assert response.status_code == 302, response.context["form"].errors if response.context else ""
    assert RideSeries.objects.get().requests.count() == 2


def test_list_filters_and_scope(town: BookingTown) -> None:
    mine, theirs = _book(town, town.r1), _book(town, town.r2)
    dispatcher = client_for(town.users[Role.DISPATCHER])
    page = dispatcher.get("/rides/")
    assert [r.pk for r in page.context["page"].object_list] == [mine.pk, theirs.pk]
    filtered = dispatcher.get("/rides/", {"community": town.c2.pk, "status": "requested", "day": be(DAY)})
    assert [r.pk for r in filtered.context["page"].object_list] == [theirs.pk]
    by_name = dispatcher.get("/rides/", {"q": "บัวคำ"})
    assert [r.pk for r in by_name.context["page"].object_list] == [theirs.pk]
    volunteer = client_for(town.users[Role.VOLUNTEER])
    for url in ("/rides/", "/rides/community/"):
        assert [r.pk for r in volunteer.get(url).context["page"].object_list] == [mine.pk]
    assert volunteer.get(f"/rides/{theirs.pk}/").status_code == 404
    assert volunteer.get(f"/rides/new/{town.r2.pk}/").status_code == 404
    assert volunteer.post(f"/rides/new/{town.r2.pk}/", form_data(town)).status_code == 404
    assert volunteer.get(f"/rides/{mine.pk}/").status_code == 200


@pytest.mark.parametrize("role", [Role.DRIVER, Role.TEACHER, Role.PARENT, Role.FUNERAL])
def test_roles_without_booking_pages_get_404(town: BookingTown, role: str) -> None:
    ride = _book(town)
    client = client_for(town.users[role])
    for url in (
        "/rides/",
        "/rides/new/",
        f"/rides/new/{town.r1.pk}/",
        f"/rides/{ride.pk}/",
        "/rides/community/",
    ):
        assert client.get(url).status_code == 404, url


def test_other_town_sees_nothing(town: BookingTown) -> None:
    ride = _book(town)
    client = client_for(town.other_admin)
    assert client.get(f"/rides/{ride.pk}/").status_code == 404
    assert client.get(f"/rides/new/{town.r1.pk}/").status_code == 404


def test_detail_shows_history_and_logs_the_eligibility_read(town: BookingTown) -> None:
    ride = _book(town)
    client = client_for(town.users[Role.WELFARE])
    response = client.get(f"/rides/{ride.pk}/")
    assert response.status_code == 200
    assert response.context["assessment"].priority == 75
    assert [e.status for e in response.context["events"]] == ["requested"]
    log = AccessLog.objects.get()
    assert (log.user, log.via) == (town.users[Role.WELFARE], f"/rides/{ride.pk}/")


def test_decide_and_cancel_from_the_page(town: BookingTown) -> None:
    ride = _book(town)
    client = client_for(town.users[Role.DISPATCHER])
    client.post(f"/rides/{ride.pk}/decide/", {"decision": "deny", "reason": ""})
    ride.refresh_from_db()
    assert ride.status == Status.REQUESTED
    client.post(f"/rides/{ride.pk}/decide/", {"decision": "accept"})
    ride.refresh_from_db()
    assert ride.status == Status.ACCEPTED
    client.post(f"/rides/{ride.pk}/cancel/", {"reason": "ญาติพาไป"})
    ride.refresh_from_db()
    assert (ride.status, ride.cancel_reason) == (Status.CANCELLED, "ญาติพาไป")
    volunteer = client_for(town.users[Role.VOLUNTEER])
    other = _book(town, town.r2)
    assert volunteer.post(f"/rides/{other.pk}/decide/", {"decision": "accept"}).status_code == 404


def test_resident_goes_straight_to_their_own_form(town: BookingTown) -> None:
    client = client_for(town.resident_user)
    response = client.get("/rides/new/")
    assert (response.status_code, response["Location"]) == (302, f"/rides/new/{town.r1.pk}/")
    assert client.get(f"/rides/new/{town.young.pk}/").status_code == 404
