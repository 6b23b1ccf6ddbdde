"""factory_boy factories for the fleet and the People Assistance Vehicle."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from tests.factories import MembershipFactory, MunicipalityFactory, PlaceFactory, ResidentFactory, UserFactory
from thukkhon.core.roles import Role
from thukkhon.fleet.models import Driver, Shift, Vehicle
from thukkhon.people.models import PlaceKind
from thukkhon.rides.models import Channel, Purpose, RideRequest, RideSettings


class VehicleFactory(DjangoModelFactory):
    class Meta:
        model = Vehicle

    municipality = factory.SubFactory(MunicipalityFactory)
    name = factory.Sequence(lambda n: f"รถตู้ {n + 1}")
    plate = factory.Sequence(lambda n: f"นข {1000 + n} ลำพูน")
    kind = Vehicle.Kind.VAN
    seats = 6
    wheelchair_places = 1
    stretcher_places = 0
    depot = factory.SubFactory(
        PlaceFactory, municipality=factory.SelfAttribute("..municipality"), kind=PlaceKind.OFFICE
    )


class DriverFactory(DjangoModelFactory):
    class Meta:
        model = Driver

    membership = factory.SubFactory(MembershipFactory, role=Role.DRIVER, user=factory.SubFactory(UserFactory))
    phone = factory.Sequence(lambda n: f"09{n:08d}")


class ShiftFactory(DjangoModelFactory):
    class Meta:
        model = Shift

    municipality = factory.SelfAttribute("vehicle.municipality")
    vehicle = factory.SubFactory(VehicleFactory)
    driver = factory.SubFactory(
        DriverFactory, membership__municipality=factory.SelfAttribute("...vehicle.municipality")
    )
    starts_at = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)  # 07:00 in Bangkok
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=10))


class RideSettingsFactory(DjangoModelFactory):
    class Meta:
        model = RideSettings
        django_get_or_create = ("municipality",)

    municipality = factory.SubFactory(MunicipalityFactory)


class RideRequestFactory(DjangoModelFactory):
    """An outbound hospital trip from the resident's home, 1 December 2026, appointment 09:00."""

    class Meta:
        model = RideRequest

    municipality = factory.SubFactory(MunicipalityFactory)
    resident = factory.SubFactory(ResidentFactory, municipality=factory.SelfAttribute("..municipality"))
    booked_by = factory.SubFactory(UserFactory)
    channel = Channel.STAFF
    purpose = Purpose.HOSPITAL
    service_date = date(2026, 12, 1)
    appointment_at = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
    pickup_lat = Decimal("18.585000")
    pickup_lon = Decimal("99.015000")
    dropoff_lat = Decimal("18.577000")
    dropoff_lon = Decimal("99.009000")
    dropoff_latest = factory.LazyAttribute(lambda o: o.appointment_at - timedelta(minutes=15))
    dropoff_earliest = factory.LazyAttribute(lambda o: o.appointment_at - timedelta(minutes=45))
