"""A tiny hand-made town on the equator for planning tests: 60 km/h, no detour, so one minute of
driving is one kilometre, and 0.01° of longitude is 1.112 km (1.112 minutes)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from tests.factories import MunicipalityFactory, PlaceFactory, ResidentFactory, member
from tests.fleet_factories import RideSettingsFactory, ShiftFactory, VehicleFactory
from thukkhon.core.models import Municipality
from thukkhon.fleet.models import Vehicle
from thukkhon.people.models import PlaceKind
from thukkhon.rides.models import Mobility, RideRequest, Status
from thukkhon.rides.travel import haversine_km

BKK = ZoneInfo("Asia/Bangkok")
DAY = date(2026, 12, 1)
DEG = haversine_km((0.0, 0.0), (0.0, 0.01))  # km (and minutes) per 0.01° of longitude


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, 1, hour, minute, tzinfo=BKK)


def town() -> Municipality:
    muni = MunicipalityFactory(latitude=Decimal("0"), longitude=Decimal("0"))
    RideSettingsFactory(
        municipality=muni,
        speed_kmh=Decimal("60"),
        detour_factor=Decimal("1.00"),
        service_walk_min=0,
        service_wheelchair_min=0,
        service_stretcher_min=0,
        max_ride_factor=Decimal("2"),
        max_ride_extra_min=15,
    )
    return muni


def vehicle(
    muni: Municipality,
    *,
    seats: int = 4,
    wheelchair: int = 0,
    start: tuple[int, int] = (7, 0),
    end: tuple[int, int] = (17, 0),
    name: str | None = None,
) -> Vehicle:
    depot = PlaceFactory(
        municipality=muni, kind=PlaceKind.OFFICE, latitude=Decimal("0"), longitude=Decimal("0")
    )
    extra: dict[str, Any] = {"name": name} if name else {}
    v = VehicleFactory(municipality=muni, seats=seats, wheelchair_places=wheelchair, depot=depot, **extra)
    ShiftFactory(vehicle=v, starts_at=at(*start), ends_at=at(*end))
    return v


def ride(
    muni: Municipality,
    pickup: float,
    dropoff: float,
    *,
    mobility: str = Mobility.WALKS,
    pickup_window: tuple[datetime, datetime] | None = None,
    dropoff_window: tuple[datetime, datetime] | None = None,
    status: str = Status.ACCEPTED,
    attendants: int = 0,
    companions: int = 0,
) -> RideRequest:
    """A trip along the equator from longitude ``pickup`` to ``dropoff`` (degrees)."""
    resident = ResidentFactory(municipality=muni)
    return RideRequest.objects.create(
        municipality=muni,
        resident=resident,
        booked_by=member(muni, "dispatcher"),
        channel="staff",
        purpose="hospital",
        service_date=DAY,
        pickup_lat=Decimal("0"),
        pickup_lon=Decimal(f"{pickup:.6f}"),
        dropoff_lat=Decimal("0"),
        dropoff_lon=Decimal(f"{dropoff:.6f}"),
        pickup_earliest=pickup_window[0] if pickup_window else at(8),
        pickup_latest=pickup_window[1] if pickup_window else at(12),
        dropoff_earliest=dropoff_window[0] if dropoff_window else None,
        dropoff_latest=dropoff_window[1] if dropoff_window else None,
        mobility=mobility,
        attendants=attendants,
        companions=companions,
        status=status,
    )
