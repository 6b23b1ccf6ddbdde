"""The booking form: fields of the location kinds not chosen are ignored (stale or invalid values
posted from hidden fields neither block nor change the booking), the pin map's markup and the
town's points with and without tiles, and the eligibility override shown only where it applies."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client, override_settings
from django.utils import timezone, translation

from tests.factories import PlaceFactory
from tests.rides.booking_town import BookingTown, make_town
from thukkhon.core.models import User
from thukkhon.core.roles import Role
from thukkhon.people.models import Place, PlaceKind
from thukkhon.rides import eligibility
from thukkhon.rides.models import IneligibleRequests, RideRequest, RideSeries, Status, UnmetNeed

DAY = timezone.localdate() + timedelta(days=3)


@pytest.fixture
def town(db: object) -> BookingTown:
    return make_town()


def client_for(user: User, language: str = "en") -> Client:
    client = Client(headers={"Accept-Language": language})
    client.force_login(user)
    client.cookies["django_language"] = language
    return client


def form_data(town: BookingTown, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "idempotency_key": "form-key-1",
        "purpose": "hospital",
        "service_date": f"{DAY.day:02d}/{DAY.month:02d}/{DAY.year + 543}",
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


STALE_PICKUP = {
    # What hidden pickup fields may still carry after switching back to "home": a place of another
    # town (invalid for this form), an address, and a half-typed, out-of-range position.
    "pickup_address": "99 ถ.อินทยงยศ",
    "pickup_lat": "abc",
    "pickup_lon": "999",
}


def test_stale_fields_of_other_kinds_neither_block_nor_change_the_booking(town: BookingTown) -> None:
    client = client_for(town.users[Role.DISPATCHER])
    response = client.post(
        f"/rides/new/{town.r1.pk}/",
        form_data(
            town,
            pickup_place=town.other_place.pk,
            **STALE_PICKUP,
            dropoff_address="บ้านหลานสาว",
            dropoff_lat="18.600000",
            dropoff_lon="99.030000",
        ),
    )
    assert response.status_code == 302, response.context["form"].errors
    ride = RideRequest.objects.get()
    assert (ride.pickup_kind, ride.pickup_place, ride.pickup_address) == ("home", None, "")
    assert (ride.pickup_lat, ride.pickup_lon) == (Decimal("18.585000"), Decimal("99.015000"))
    assert (ride.dropoff_kind, ride.dropoff_place, ride.dropoff_address) == ("place", town.hospital, "")
    assert (ride.dropoff_lat, ride.dropoff_lon) == (Decimal("18.577000"), Decimal("99.009000"))


def test_an_address_ignores_a_stale_place_and_a_place_ignores_a_stale_address(town: BookingTown) -> None:
    client = client_for(town.users[Role.DISPATCHER])
    response = client.post(
        f"/rides/new/{town.r1.pk}/",
        form_data(
            town,
            pickup_kind="address",
            pickup_place=town.hospital.pk,
            pickup_address=" 12 หมู่ 3 ต.ในเมือง ",
            pickup_lat="18.581234",
            pickup_lon="99.011234",
            dropoff_kind="place",
            dropoff_address="ที่อยู่เก่า",
            dropoff_lat="x",
        ),
    )
    assert response.status_code == 302, response.context["form"].errors
    ride = RideRequest.objects.get()
    assert (ride.pickup_kind, ride.pickup_place, ride.pickup_address) == ("address", None, "12 หมู่ 3 ต.ในเมือง")
    assert (ride.pickup_lat, ride.pickup_lon) == (Decimal("18.581234"), Decimal("99.011234"))
    assert (ride.dropoff_place, ride.dropoff_address) == (town.hospital, "")


def test_the_chosen_kind_is_still_validated(town: BookingTown) -> None:
    client = client_for(town.users[Role.DISPATCHER])
    with translation.override("en"):
        response = client.post(
            f"/rides/new/{town.r1.pk}/",
            form_data(town, pickup_kind="address", pickup_address="12 หมู่ 3", pickup_lat="abc", pickup_lon=""),
        )
        assert response.status_code == 200
        errors = response.context["form"].errors
        assert errors == {"pickup_lat": ["Enter a number."]}
        response = client.post(
            f"/rides/new/{town.r1.pk}/",
            form_data(town, pickup_kind="address", pickup_address="12 หมู่ 3", pickup_lat="18.5"),
        )
        assert response.context["form"].errors == {
            "pickup_kind": ["Pin the address on the map, or enter its latitude and longitude."]
        }
    assert RideRequest.objects.count() == 0


def test_a_series_remembers_only_the_fields_of_its_kinds(town: BookingTown) -> None:
    client = client_for(town.users[Role.WELFARE])
    data = form_data(
        town,
        **STALE_PICKUP,
        repeat="on",
        weekdays=[str(DAY.weekday())],
    )
    end = DAY + timedelta(days=7)
    data["ends_on"] = f"{end.day:02d}/{end.month:02d}/{end.year + 543}"
    response = client.post(f"/rides/new/{town.r1.pk}/", data)
    assert response.status_code == 302
    template = RideSeries.objects.get().template
    assert template["pickup"] == {"kind": "home", "place": None, "address": "", "lat": None, "lon": None}
    assert template["dropoff"] == {
        "kind": "place",
        "place": town.hospital.pk,
        "address": "",
        "lat": None,
        "lon": None,
    }


def _map_data(response: object) -> dict[str, object]:
    html = response.content.decode()  # type: ignore[attr-defined]
    start = html.index('<script id="booking-map-data" type="application/json">') + len(
        '<script id="booking-map-data" type="application/json">'
    )
    return json.loads(html[start : html.index("</script>", start)])  # type: ignore[no-any-return]


@override_settings(MAP_TILE_URL="", MAP_TILE_ATTRIBUTION="")
def test_map_without_tiles_draws_the_town(town: BookingTown) -> None:
    PlaceFactory(
        municipality=town.muni,
        kind=PlaceKind.DIALYSIS,
        name_th="ศูนย์ไตเทียม",
        latitude=Decimal("18.580000"),
        longitude=Decimal("99.000000"),
    )
    town.c1.latitude, town.c1.longitude = Decimal("18.586000"), Decimal("99.016000")
    town.c1.save()
    town.c2.latitude = town.c2.longitude = None
    town.c2.save()
    response = client_for(town.users[Role.DISPATCHER]).get(f"/rides/new/{town.r1.pk}/")
    html = response.content.decode()
    assert html.count('class="pin-map"') == 2
    assert 'id="pickup-map" hidden' in html and 'data-lat-input="id_pickup_lat"' in html
    assert 'data-lon-input="id_dropoff_lon"' in html
    assert 'data-tiles=""' in html
    assert "No map tiles are configured: the map shows the town's registered places" in html
    assert "vendor/leaflet-1.9.4/leaflet.js" in html and "thukkhon/booking.js" in html
    assert 'name="pickup_lat"' in html and 'name="dropoff_lon"' in html  # typed fields stay
    depot = Place.objects.get(municipality=town.muni, kind=PlaceKind.OFFICE)  # the van's
    assert _map_data(response) == {
        "places": [
            {"name": "ศูนย์ไตเทียม", "kind": "dialysis", "at": [18.58, 99.0]},
            {"name": "โรงพยาบาลลำพูน", "kind": "hospital", "at": [18.577, 99.009]},
            {"name": depot.name_th, "kind": "office", "at": [18.577, 99.009]},
        ],
        # c1 has its own centre; c2 the mean of its households' positions, to 3 decimals.
        "communities": [
            {"name": "ชุมชนประตูลี้", "at": [18.586, 99.016]},
            {"name": "ชุมชนรมณีย์", "at": [18.59, 99.02]},
        ],
        "home": [18.585, 99.015],
    }


@override_settings(MAP_TILE_URL="https://tiles.example.org/{z}/{x}/{y}.png", MAP_TILE_ATTRIBUTION="© ผู้ทำแผนที่")
def test_map_with_tiles_names_them_and_keeps_the_town(town: BookingTown) -> None:
    response = client_for(town.users[Role.VOLUNTEER]).get(f"/rides/new/{town.r1.pk}/")
    html = response.content.decode()
    assert html.count('data-tiles="https://tiles.example.org/{z}/{x}/{y}.png"') == 2
    assert html.count('data-attribution="© ผู้ทำแผนที่"') == 2
    assert "No map tiles are configured" not in html
    places = _map_data(response)["places"]
    assert [p["kind"] for p in places] == ["hospital", "office"]  # type: ignore[attr-defined]


def test_map_shows_no_other_town(town: BookingTown) -> None:
    data = _map_data(client_for(town.users[Role.DISPATCHER]).get(f"/rides/new/{town.r1.pk}/"))
    names = [p["name"] for p in data["places"]] + [c["name"] for c in data["communities"]]  # type: ignore[attr-defined]
    assert "โรงพยาบาลอื่น" not in names


def test_home_summary_shows_the_residents_address(town: BookingTown) -> None:
    html = client_for(town.users[Role.DISPATCHER]).get(f"/rides/new/{town.r1.pk}/").content.decode()
    assert town.r1.household is not None
    assert town.r1.household.address_text() in html
    assert html.count('class="loc-part" data-kind="home"') == 2


def _refuse(town: BookingTown) -> None:
    rules = eligibility.settings_for(town.muni.pk)
    rules.ineligible_requests = IneligibleRequests.REFUSE
    rules.save()


def test_the_override_field_shows_only_to_staff_where_the_town_refuses(town: BookingTown) -> None:
    url = f"/rides/new/{town.young.pk}/"
    staff, volunteer = client_for(town.users[Role.DISPATCHER]), client_for(town.users[Role.VOLUNTEER])
    assert "eligibility_override" not in staff.get(url).content.decode()
    _refuse(town)
    assert 'name="eligibility_override"' in staff.get(url).content.decode()
    assert "eligibility_override" not in volunteer.get(url).content.decode()


def test_staff_book_anyway_through_the_form(town: BookingTown) -> None:
    _refuse(town)
    client = client_for(town.users[Role.DISPATCHER])
    url = f"/rides/new/{town.young.pk}/"
    with translation.override("en"):
        response = client.post(url, form_data(town))
    assert response.status_code == 200
    assert response.context["form"].errors["eligibility_override"] == [
        "Not eligible for the People Assistance Vehicle: Meets none of the criteria "
        "(age, disability, dependency, welfare card). To book the ride anyway, give the reason."
    ]
    assert RideRequest.objects.count() == 0
    response = client.post(url, form_data(town, eligibility_override="ขาหักชั่วคราว"))
    ride = RideRequest.objects.get()
    assert (response.status_code, ride.status, ride.eligibility_override) == (302, "requested", "ขาหักชั่วคราว")
    detail = client.get(f"/rides/{ride.pk}/").content.decode()
    assert "Booked although not eligible, because" in detail and "ขาหักชั่วคราว" in detail


def test_a_volunteer_sees_the_refusal_in_thai(town: BookingTown) -> None:
    _refuse(town)
    client = client_for(town.users[Role.VOLUNTEER], "th")
    response = client.post(
        f"/rides/new/{town.young.pk}/", form_data(town, eligibility_override="ignored"), follow=True
    )
    ride = RideRequest.objects.get()
    expected = "ไม่มีสิทธิ์ใช้รถช่วยเหลือประชาชน: ไม่เข้าเกณฑ์ใดเลย (อายุ ความพิการ ภาวะพึ่งพิง บัตรสวัสดิการ)"
    assert response.redirect_chain == [(f"/rides/{ride.pk}/", 302)]
    assert [str(m) for m in response.context["messages"]] == [expected]
    assert (ride.status, ride.denial_reason, ride.eligibility_override) == (Status.DENIED, expected, "")
    assert UnmetNeed.objects.get().detail == expected


def test_changing_a_booking_made_anyway_keeps_its_reason_on_the_form(town: BookingTown) -> None:
    _refuse(town)
    client = client_for(town.users[Role.DISPATCHER])
    client.post(f"/rides/new/{town.young.pk}/", form_data(town, eligibility_override="ขาหักชั่วคราว"))
    ride = RideRequest.objects.get()
    page = client.get(f"/rides/{ride.pk}/edit/")
    assert page.context["form"]["eligibility_override"].value() == "ขาหักชั่วคราว"
    response = client.post(
        f"/rides/{ride.pk}/edit/",
        form_data(town, appointment_time="11:00", eligibility_override="ขาหักชั่วคราว"),
    )
    assert response.status_code == 302
    ride.refresh_from_db()
    assert ride.appointment_at is not None
    assert (timezone.localtime(ride.appointment_at).hour, ride.eligibility_override) == (11, "ขาหักชั่วคราว")
