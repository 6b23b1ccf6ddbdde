"""A small town for the booking tests: two communities, residents, places, a fleet, one user per role.

Each test module wraps :func:`make_town` in its own ``town`` fixture. Times are fixed: "now" is
Monday 30 November 2026, 09:00 in Bangkok; rides are booked for Tuesday 1 December 2026.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from tests.factories import (
    CommunityFactory,
    HouseholdFactory,
    MunicipalityFactory,
    PlaceFactory,
    ResidentFactory,
    VulnerabilityFactory,
    member,
)
from tests.fleet_factories import VehicleFactory
from thukkhon.core.actor import Actor, actor_for
from thukkhon.core.models import Municipality, User
from thukkhon.core.roles import Role
from thukkhon.people.models import Community, Place, PlaceKind, Resident
from thukkhon.rides.booking import BookingData, Location
from thukkhon.rides.models import LocationKind, Purpose, ResidentAccount

BKK = ZoneInfo("Asia/Bangkok")
NOW = datetime(2026, 11, 30, 9, 0, tzinfo=BKK)
DAY = date(2026, 12, 1)


@dataclass
class BookingTown:
    muni: Municipality
    c1: Community
    c2: Community
    r1: Resident  # c1, bed-bound, welfare card, disability
    r2: Resident  # c2, aged 78, nothing else
    young: Resident  # c1, aged 36, no vulnerability
    hospital: Place
    users: dict[str, User]
    resident_user: User  # linked to r1
    other: Municipality
    rx: Resident
    other_place: Place
    other_admin: User

    def actor(self, role: str) -> Actor:
        user = self.resident_user if role == Role.RESIDENT else self.users[role]
        found = actor_for(user, self.muni.pk)
        assert found is not None
        return found

    def data(self, resident: Resident | None = None, **changes: object) -> BookingData:
        values: dict[str, object] = {
            "resident": resident or self.r1,
            "purpose": Purpose.HOSPITAL,
            "service_date": DAY,
            "appointment_time": time(9, 0),
            "pickup": Location(kind=LocationKind.HOME),
            "dropoff": Location(kind=LocationKind.PLACE, place=self.hospital),
        }
        values.update(changes)
        return BookingData(**values)  # type: ignore[arg-type]


def make_town() -> BookingTown:
    muni = MunicipalityFactory(code="lamphun", name_th="เทศบาลเมืองลำพูน", name_en="Lamphun Town")
    c1 = CommunityFactory(municipality=muni, code="01", name_th="ชุมชนประตูลี้")
    c2 = CommunityFactory(municipality=muni, code="02", name_th="ชุมชนรมณีย์")
    h1 = HouseholdFactory(
        municipality=muni, community=c1, latitude=Decimal("18.585000"), longitude=Decimal("99.015000")
    )
    h2 = HouseholdFactory(
        municipality=muni, community=c2, latitude=Decimal("18.590000"), longitude=Decimal("99.020000")
    )
    r1 = ResidentFactory(
        municipality=muni,
        community=c1,
        household=h1,
        title="นาย",
        first_name="สมชาย",
        last_name="ใจดี",
        birth_date=date(1950, 3, 1),
    )
    r2 = ResidentFactory(
        municipality=muni,
        community=c2,
        household=h2,
        title="นาง",
        first_name="บัวคำ",
        last_name="ศรีวงศ์",
        birth_date=date(1948, 2, 1),
    )
    young = ResidentFactory(
        municipality=muni, community=c1, household=h1, first_name="หนุ่ม", birth_date=date(1990, 1, 1)
    )
    VulnerabilityFactory(resident=r1, barthel_score=3, welfare_card=True, disability_type="physical")
    hospital = PlaceFactory(
        municipality=muni,
        kind=PlaceKind.HOSPITAL,
        name_th="โรงพยาบาลลำพูน",
        latitude=Decimal("18.577000"),
        longitude=Decimal("99.009000"),
    )
    VehicleFactory(municipality=muni, name="รถตู้ 1", seats=6, wheelchair_places=1, stretcher_places=0)
    users = {
        role.value: member(
            muni, role, username=role.value, communities=[c1] if role == Role.VOLUNTEER else []
        )
        for role in Role
        if role != Role.RESIDENT
    }
    resident_user = member(muni, Role.RESIDENT, username="resident")
    ResidentAccount.objects.create(municipality=muni, user=resident_user, resident=r1)
    other = MunicipalityFactory(code="other", name_th="เทศบาลตำบลอื่น", name_en="Other")
    rx = ResidentFactory(municipality=other, first_name="คนอื่น")
    other_place = PlaceFactory(municipality=other, name_th="โรงพยาบาลอื่น")
    other_admin = member(other, Role.ADMIN, username="other-admin")
    return BookingTown(
        muni, c1, c2, r1, r2, young, hospital, users, resident_user, other, rx, other_place, other_admin
    )
