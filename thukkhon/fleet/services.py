"""Writes of the fleet. Reserving a vehicle's time is the one way to claim it."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from thukkhon.core.actor import Actor
from thukkhon.core.roles import Role
from thukkhon.core.thai import format_thai_datetime
from thukkhon.fleet.models import SLOT_MINUTES, Driver, OutOfService, Reservation, Shift, Vehicle

FLEET_MANAGERS = frozenset({Role.ADMIN, Role.DISPATCHER})


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
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": [_("The end must be after the start.")]})
    period = OutOfService.objects.create(
        municipality_id=vehicle.municipality_id,
        vehicle=vehicle,
        starts_at=starts_at,
        ends_at=ends_at,
        reason=reason.strip(),
    )
    # A breakdown is a fact: slots a ride run already holds stay with the run (the daily plan
    # shows the run as affected, and re-planning moves its trips); any other booking refuses it.
    held_by_runs = set(
        Reservation.objects.filter(
            vehicle=vehicle,
            slot__in=slots_between(starts_at, ends_at),
            purpose=Reservation.Purpose.RIDES,
        ).values_list("slot", flat=True)
    )
    free = [slot for slot in slots_between(starts_at, ends_at) if slot not in held_by_runs]
    step = timedelta(minutes=SLOT_MINUTES)
    for first, last in _runs_of_slots(free, step):
        vehicle_reserve(
            vehicle=vehicle,
            starts_at=first,
            ends_at=last + step,
            purpose=Reservation.Purpose.MAINTENANCE,
            reference=f"oos:{period.pk}",
        )
    return period


def _runs_of_slots(slots: list[datetime], step: timedelta) -> list[tuple[datetime, datetime]]:
    """Consecutive slots as (first, last) pairs."""
    result: list[tuple[datetime, datetime]] = []
    for slot in slots:
        if result and result[-1][1] + step == slot:
            result[-1] = (result[-1][0], slot)
        else:
            result.append((slot, slot))
    return result


# --- Vehicles, drivers and shifts (the fleet pages) ------------------------------------------------------


def _fleet_manager(actor: Actor) -> None:
    if not actor.has_role(*FLEET_MANAGERS):
        raise PermissionDenied(_("You may not change the fleet."))


@transaction.atomic
def vehicle_save(*, actor: Actor, vehicle: Vehicle) -> Vehicle:
    """Create or update a vehicle of the actor's municipality (a plate is unique in the town)."""
    _fleet_manager(actor)
    vehicle.municipality = actor.municipality
    errors: dict[str, list[str]] = {}
    clash = Vehicle.objects.filter(municipality=actor.municipality, plate=vehicle.plate.strip())
    if vehicle.pk:
        clash = clash.exclude(pk=vehicle.pk)
    if clash.exists():
        errors["plate"] = [_("Another vehicle already has this licence plate.")]
    if vehicle.seats < 1:
        errors["seats"] = [_("A vehicle has at least one seat.")]
    if vehicle.depot is not None and vehicle.depot.municipality_id != actor.municipality.pk:
        errors["depot"] = [_("Choose a place of this municipality.")]
    if errors:
        raise ValidationError(errors)  # type: ignore[arg-type]
    vehicle.plate = vehicle.plate.strip()
    vehicle.save()
    return vehicle


@transaction.atomic
def driver_save(*, actor: Actor, driver: Driver) -> Driver:
    _fleet_manager(actor)
    membership = driver.membership
    if membership.municipality_id != actor.municipality.pk or membership.role != Role.DRIVER:
        raise ValidationError({"membership": [_("Choose a driver of this municipality.")]})
    driver.save()
    return driver


@transaction.atomic
def shift_create(
    *, actor: Actor, vehicle: Vehicle, driver: Driver, starts_at: datetime, ends_at: datetime
) -> Shift:
    """A driver at the wheel of a vehicle. Refused when it overlaps another shift of the same
    vehicle or of the same driver (rows are locked so that two concurrent requests cannot both pass)."""
    _fleet_manager(actor)
    errors: dict[str, list[str]] = {}
    if vehicle.municipality_id != actor.municipality.pk:
        errors["vehicle"] = [_("Choose a vehicle of this municipality.")]
    if driver.membership.municipality_id != actor.municipality.pk:
        errors["driver"] = [_("Choose a driver of this municipality.")]
    if ends_at <= starts_at:
        errors["ends_at"] = [_("The end must be after the start.")]
    if errors:
        raise ValidationError(errors)  # type: ignore[arg-type]
    Vehicle.objects.select_for_update().filter(pk=vehicle.pk).first()
    Driver.objects.select_for_update().filter(pk=driver.pk).first()
    overlapping = Shift.objects.filter(starts_at__lt=ends_at, ends_at__gt=starts_at)
    same_vehicle = overlapping.filter(vehicle=vehicle).order_by("starts_at").first()
    if same_vehicle is not None:
        errors["vehicle"] = [
            _("%(vehicle)s already has a shift from %(start)s to %(end)s.")
            % {
                "vehicle": vehicle,
                "start": format_thai_datetime(same_vehicle.starts_at, "numeric"),
                "end": format_thai_datetime(same_vehicle.ends_at, "numeric"),
            }
        ]
    same_driver = overlapping.filter(driver=driver).order_by("starts_at").first()
    if same_driver is not None:
        errors["driver"] = [
            _("%(driver)s already drives from %(start)s to %(end)s.")
            % {
                "driver": driver,
                "start": format_thai_datetime(same_driver.starts_at, "numeric"),
                "end": format_thai_datetime(same_driver.ends_at, "numeric"),
            }
        ]
    if errors:
        raise ValidationError(errors)  # type: ignore[arg-type]
    return Shift.objects.create(
        municipality=actor.municipality, vehicle=vehicle, driver=driver, starts_at=starts_at, ends_at=ends_at
    )


@transaction.atomic
def shift_delete(*, actor: Actor, shift: Shift) -> None:
    _fleet_manager(actor)
    if shift.municipality_id != actor.municipality.pk:
        raise PermissionDenied(_("You may not change the fleet."))
    shift.delete()
