"""Reads of the fleet: the municipality's vehicles, drivers, shifts and out-of-service periods, and
when a vehicle is really free on a day.

A vehicle can drive in its shifts, except while it is out of service (:class:`OutOfService`) or
while a quarter-hour slot is held by something else (a body transport, another booking). Planning
asks for the *blocks* of the day, leaving out the slots its own runs hold, and for the *free
intervals* that remain of each shift.

Blocks are subtracted in whole quarter hours, because that is the unit in which a vehicle is
reserved: a trip that ended at 10:05 would need the 10:00 slot.
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from thukkhon.core.models import Municipality
from thukkhon.fleet.models import SLOT_MINUTES, Driver, OutOfService, Reservation, Shift, Vehicle

SLOT = timedelta(minutes=SLOT_MINUTES)


def vehicles_of(municipality: Municipality) -> QuerySet[Vehicle]:
    return Vehicle.objects.filter(municipality=municipality).select_related("depot")


def drivers_of(municipality: Municipality) -> QuerySet[Driver]:
    return Driver.objects.filter(membership__municipality=municipality).select_related("membership__user")


def shifts_overlapping(municipality: Municipality, starts_at: datetime, ends_at: datetime) -> QuerySet[Shift]:
    """Shifts that overlap the period, earliest first, with their vehicle and driver."""
    return (
        Shift.objects.filter(municipality=municipality, starts_at__lt=ends_at, ends_at__gt=starts_at)
        .select_related("vehicle", "driver__membership__user")
        .order_by("starts_at")
    )


def out_of_service_periods(municipality: Municipality) -> QuerySet[OutOfService]:
    return OutOfService.objects.filter(municipality=municipality).select_related("vehicle")


class BlockKind:
    FUNERAL = "funeral"
    OUT_OF_SERVICE = "out_of_service"
    OTHER = "other"  # another booking (a ride run of another plan, maintenance slots held by hand)
    OFF_SHIFT = "off_shift"  # between two shifts: nobody drives the vehicle


@dataclass(frozen=True)
class Block:
    """A period of a vehicle's day when it cannot drive a ride."""

    vehicle_id: int
    starts_at: datetime
    ends_at: datetime
    kind: str
    reason: str = ""

    def slot_bounds(self) -> tuple[datetime, datetime]:
        """The period widened to whole quarter hours (what it takes from the vehicle's time)."""
        return floor_slot(self.starts_at), ceil_slot(self.ends_at)

    def overlaps(self, starts_at: datetime, ends_at: datetime) -> bool:
        lo, hi = self.slot_bounds()
        return lo < ends_at and starts_at < hi

    def describe(self, vehicle_name: str, hm: object) -> str:
        """In words: "<vehicle> is on a body transport 10:00–11:30". ``hm`` formats a time."""
        span = f"{hm(self.starts_at)}–{hm(self.ends_at)}"  # type: ignore[operator]
        values = {"vehicle": vehicle_name, "span": span, "reason": self.reason}
        if self.kind == BlockKind.FUNERAL:
            return _("%(vehicle)s is on a body transport %(span)s") % values
        if self.kind == BlockKind.OUT_OF_SERVICE:
            if self.reason:
                return _("%(vehicle)s is out of service %(span)s (%(reason)s)") % values
            return _("%(vehicle)s is out of service %(span)s") % values
        if self.kind == BlockKind.OFF_SHIFT:
            return _("%(vehicle)s has no driver on shift %(span)s") % values
        return _("%(vehicle)s is booked for something else %(span)s") % values


@dataclass(frozen=True)
class FreeInterval:
    """A stretch of one shift when the vehicle is free."""

    shift: Shift
    starts_at: datetime
    ends_at: datetime

    @property
    def vehicle_id(self) -> int:
        return self.shift.vehicle_id


def floor_slot(moment: datetime) -> datetime:
    return moment.replace(minute=moment.minute - moment.minute % SLOT_MINUTES, second=0, microsecond=0)


def ceil_slot(moment: datetime) -> datetime:
    floor = floor_slot(moment)
    return floor if floor == moment else floor + SLOT


def vehicle_blocks(
    municipality: Municipality,
    starts_at: datetime,
    ends_at: datetime,
    *,
    vehicle_ids: Iterable[int] | None = None,
    ignore_references: Collection[str] = (),
) -> dict[int, list[Block]]:
    """Per vehicle, the periods in [starts_at, ends_at) when it is out of service or reserved by
    anything whose reference is not in ``ignore_references``, in time order. Consecutive slots of
    one booking make one block; the slots an out-of-service period holds are shown once, with its
    reason."""
    periods = OutOfService.objects.filter(
        municipality=municipality, starts_at__lt=ends_at, ends_at__gt=starts_at
    ).order_by("starts_at")
    reservations = Reservation.objects.filter(
        municipality=municipality, slot__gte=floor_slot(starts_at), slot__lt=ends_at
    ).order_by("vehicle_id", "reference", "slot")
    if vehicle_ids is not None:
        ids = list(vehicle_ids)
        periods = periods.filter(vehicle_id__in=ids)
        reservations = reservations.filter(vehicle_id__in=ids)
    blocks: dict[int, list[Block]] = {}
    shown = set()
    for period in periods:
        shown.add(f"oos:{period.pk}")
        blocks.setdefault(period.vehicle_id, []).append(
            Block(
                period.vehicle_id, period.starts_at, period.ends_at, BlockKind.OUT_OF_SERVICE, period.reason
            )
        )
    ignored = set(ignore_references) | shown
    run: list[Reservation] = []

    def close() -> None:
        if run:
            first = run[0]
            kind = {
                Reservation.Purpose.FUNERAL: BlockKind.FUNERAL,
                Reservation.Purpose.MAINTENANCE: BlockKind.OUT_OF_SERVICE,
            }.get(first.purpose, BlockKind.OTHER)  # type: ignore[call-overload]
            blocks.setdefault(first.vehicle_id, []).append(
                Block(first.vehicle_id, first.slot, run[-1].slot + SLOT, kind)
            )
            run.clear()

    for row in reservations:
        if row.reference in ignored:
            continue
        if run and (
            row.vehicle_id != run[-1].vehicle_id
            or row.reference != run[-1].reference
            or row.slot != run[-1].slot + SLOT
        ):
            close()
        run.append(row)
    close()
    for found in blocks.values():
        found.sort(key=lambda b: (b.starts_at, b.ends_at))
    return blocks


def merged_shifts(shifts: Sequence[Shift]) -> list[Shift]:
    """Shifts of one vehicle in time order, those that touch or overlap merged into (a copy of) the
    first; the shifts given are not changed."""
    result: list[Shift] = []
    for shift in sorted(shifts, key=lambda s: s.starts_at):
        last = result[-1] if result else None
        if last is not None and last.vehicle_id == shift.vehicle_id and shift.starts_at <= last.ends_at:
            if last.ends_at < shift.ends_at:
                if any(last is s for s in shifts):
                    last = result[-1] = copy.copy(last)
                last.ends_at = shift.ends_at
        else:
            result.append(shift)
    return result


def free_intervals(shifts: Sequence[Shift], blocks: Sequence[Block]) -> list[FreeInterval]:
    """What remains of one vehicle's ``shifts`` once ``blocks`` (widened to quarter hours) are
    taken out, in time order."""
    result = []
    cuts = sorted(b.slot_bounds() for b in blocks if b.kind != BlockKind.OFF_SHIFT)
    for shift in merged_shifts(shifts):
        start = shift.starts_at
        for lo, hi in cuts:
            if hi <= start or lo >= shift.ends_at:
                continue
            if lo > start:
                result.append(FreeInterval(shift, start, lo))
            start = max(start, hi)
        if start < shift.ends_at:
            result.append(FreeInterval(shift, start, shift.ends_at))
    return result


def shift_gaps(shifts: Sequence[Shift]) -> list[Block]:
    """The time between two shifts of one vehicle on a day (nobody drives it then)."""
    merged = merged_shifts(shifts)
    return [
        Block(a.vehicle_id, a.ends_at, b.starts_at, BlockKind.OFF_SHIFT)
        for a, b in itertools.pairwise(merged)
    ]
