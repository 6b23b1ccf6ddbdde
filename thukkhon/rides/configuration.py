"""A municipality's rules for the People Assistance Vehicle, set in the app by its administrator:
time windows, the travel-time model, service hours, eligibility and costs. Welfare officers and
dispatchers read them; the rules apply to bookings and plans made after the change."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from thukkhon.core.actor import Actor
from thukkhon.core.roles import Role
from thukkhon.rides.eligibility import settings_for
from thukkhon.rides.models import RideSettings

READ = frozenset({Role.ADMIN, Role.WELFARE, Role.DISPATCHER})
WRITE = frozenset({Role.ADMIN})

# Fields the page edits, in the order it shows them (everything but the municipality).
FIELDS = [
    f.name for f in RideSettings._meta.get_fields() if f.concrete and f.name not in ("id", "municipality")
]


def can_read_settings(actor: Actor | None) -> bool:
    return actor is not None and actor.has_role(*READ)


def can_change_settings(actor: Actor | None) -> bool:
    return actor is not None and actor.has_role(*WRITE)


def settings_errors(values: dict[str, Any]) -> dict[str, list[str]]:
    """What makes a set of rules unworkable, beyond each field's own type and range."""
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if values["day_ends"] <= values["day_starts"]:
        add("day_ends", _("The service must end after it starts."))
    if values["window_min"] < 5:
        add("window_min", _("A time window of less than 5 minutes cannot be kept."))
    if values["max_ride_factor"] < 1:
        add("max_ride_factor", _("A ride cannot be shorter than the direct trip: use 1 or more."))
    if values["detour_factor"] < 1:
        add("detour_factor", _("Roads are never shorter than the straight line: use 1 or more."))
    if not Decimal("5") <= values["speed_kmh"] <= Decimal("120"):
        add("speed_kmh", _("Give an average speed between 5 and 120 km/h."))
    if values["book_days_ahead"] < 1:
        add("book_days_ahead", _("Residents must be able to book at least one day ahead."))
    if values["private_hire_cost"] < 0:
        add("private_hire_cost", _("A cost cannot be negative."))
    return errors


@transaction.atomic
def ride_settings_update(*, actor: Actor, values: dict[str, Any]) -> RideSettings:
    """Change the municipality's rules; nothing changes when any value is refused."""
    if not can_change_settings(actor):
        raise PermissionDenied(_("Only an administrator may change the rules of the service."))
    errors = settings_errors(values)
    if errors:
        raise ValidationError(errors)  # type: ignore[arg-type]
    rules = settings_for(actor.municipality.pk)
    rules = RideSettings.objects.select_for_update().get(pk=rules.pk)
    for name in FIELDS:
        setattr(rules, name, values[name])
    rules.full_clean(exclude=["municipality"])
    rules.save(update_fields=FIELDS)
    return rules
