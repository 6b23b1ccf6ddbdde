"""Writes of the fleet. Reserving a vehicle's time is the one way to claim it."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from thukkhon.core.thai import format_thai_datetime
from thukkhon.fleet.models import SLOT_MINUTES, OutOfService, Reservation, Vehicle


def slots_between(starts_at: datetime, ends_at: datetime) -> list[datetime]:
    """The quarter hours that a period [starts_at, ends_at) touches."""
    if ends_at <= starts_at:
        return []
    step = timedelta(minutes=SLOT_MINUTES)
    first = starts_at.replace(
        minute=starts_at.minute - starts_at.minute % SLOT_MINUTES, second=0, microsecond=0
    )
    slots = []
    slot = first
    while slot < ends_at:
        slots.append(slot)
        slot += step
    return slots


class VehicleBusy(ValidationError):
    """The vehicle is already reserved for part of the period."""


def vehicle_reserve(
    *, vehicle: Vehicle, starts_at: datetime, ends_at: datetime, purpose: str, reference: str
) -> list[Reservation]:
    """Hold the vehicle for the period, or raise :class:`VehicleBusy` and hold nothing.

    The unique (vehicle, slot) constraint decides between concurrent callers: exactly one wins."""
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": [_("The end must be after the start.")]})
    slots = slots_between(starts_at, ends_at)
    rows = [
        Reservation(
            municipality_id=vehicle.municipality_id,
            vehicle=vehicle,
            slot=s,
            purpose=purpose,
            reference=reference,
        )
        for s in slots
    ]
    try:
        with transaction.atomic():
            return Reservation.objects.bulk_create(rows)
    except IntegrityError:
        taken = (
            Reservation.objects.filter(vehicle=vehicle, slot__in=slots)
            .exclude(reference=reference)
            .order_by("slot")
            .first()
        )
        when = format_thai_datetime(timezone.localtime(taken.slot)) if taken else ""
        raise VehicleBusy(
            _("%(vehicle)s is already booked at %(when)s (%(purpose)s).")
            % {"vehicle": vehicle, "when": when, "purpose": taken.get_purpose_display() if taken else ""}
        ) from None


def vehicle_release(*, reference: str) -> int:
    deleted, _rows = Reservation.objects.filter(reference=reference).delete()
    return deleted


def vehicle_is_free(
    vehicle: Vehicle, starts_at: datetime, ends_at: datetime, *, ignore_reference: str = ""
) -> bool:
    qs = Reservation.objects.filter(vehicle=vehicle, slot__in=slots_between(starts_at, ends_at))
    if ignore_reference:
        qs = qs.exclude(reference=ignore_reference)
    return not qs.exists()


@transaction.atomic
def out_of_service_create(
    *, vehicle: Vehicle, starts_at: datetime, ends_at: datetime, reason: str
) -> OutOfService:
    if not reason.strip():
        raise ValidationError({"reason": [_("Give the reason.")]})
    period = OutOfService.objects.create(
        municipality_id=vehicle.municipality_id,
        vehicle=vehicle,
        starts_at=starts_at,
        ends_at=ends_at,
        reason=reason.strip(),
    )
    vehicle_reserve(
        vehicle=vehicle,
        starts_at=starts_at,
        ends_at=ends_at,
        purpose=Reservation.Purpose.MAINTENANCE,
        reference=f"oos:{period.pk}",
    )
    return period
