"""A vehicle's free time on a day: shifts minus out-of-service periods and slots held by other
bookings, in whole quarter hours."""

from __future__ import annotations

import pytest
from django.utils import translation

from tests.fleet_factories import ShiftFactory, VehicleFactory
from tests.rides.plan_helpers import at, town
from thukkhon.fleet.selectors import BlockKind, free_intervals, shift_gaps, vehicle_blocks
from thukkhon.fleet.services import out_of_service_create, vehicle_reserve

pytestmark = pytest.mark.django_db


def test_free_intervals_leave_out_blocks_in_whole_quarter_hours() -> None:
    muni = town()
    van = VehicleFactory(municipality=muni, name="รถตู้ 1")
    other = VehicleFactory(municipality=muni)
    shift = ShiftFactory(vehicle=van, starts_at=at(7), ends_at=at(17))
    out_of_service_create(vehicle=van, starts_at=at(8, 10), ends_at=at(9, 20), reason="เปลี่ยนยาง")
    vehicle_reserve(vehicle=van, starts_at=at(12), ends_at=at(13), purpose="funeral", reference="case:4")
    vehicle_reserve(vehicle=van, starts_at=at(15), ends_at=at(16), purpose="rides", reference="run:9")
    vehicle_reserve(vehicle=other, starts_at=at(9), ends_at=at(10), purpose="funeral", reference="case:5")
    blocks = vehicle_blocks(muni, at(0), at(23, 59), vehicle_ids=[van.pk], ignore_references={"run:9"})
    assert list(blocks) == [van.pk]
    found = blocks[van.pk]
    # The out-of-service period once, with its reason (not again as its maintenance slots).
    assert [(b.starts_at, b.ends_at, b.kind, b.reason) for b in found] == [
        (at(8, 10), at(9, 20), BlockKind.OUT_OF_SERVICE, "เปลี่ยนยาง"),
        (at(12), at(13), BlockKind.FUNERAL, ""),
    ]
    free = free_intervals([shift], found)
    assert [(f.starts_at, f.ends_at) for f in free] == [
        (at(7), at(8)),
        (at(9, 30), at(12)),
        (at(13), at(17)),
    ]
    with translation.override("th"):
        assert found[1].describe("รถตู้ 1", lambda t: t.astimezone(at(0).tzinfo).strftime("%H:%M")) == (
            "รถตู้ 1 ติดภารกิจรับส่งศพ 12:00–13:00"
        )
    # Without ignoring it, the other run's hour is taken too.
    again = vehicle_blocks(muni, at(0), at(23, 59), vehicle_ids=[van.pk])[van.pk]
    assert [(b.starts_at, b.kind) for b in again][-1] == (at(15), BlockKind.OTHER)


def test_gap_between_two_shifts() -> None:
    muni = town()
    van = VehicleFactory(municipality=muni)
    morning = ShiftFactory(vehicle=van, starts_at=at(7), ends_at=at(10))
    afternoon = ShiftFactory(vehicle=van, starts_at=at(13), ends_at=at(17))
    touching = ShiftFactory(vehicle=van, starts_at=at(17), ends_at=at(19))
    assert [(f.starts_at, f.ends_at) for f in free_intervals([morning, afternoon, touching], [])] == [
        (at(7), at(10)),
        (at(13), at(19)),  # shifts that touch make one interval
    ]
    assert [(g.starts_at, g.ends_at, g.kind) for g in shift_gaps([morning, afternoon])] == [
        (at(10), at(13), BlockKind.OFF_SHIFT)
    ]
