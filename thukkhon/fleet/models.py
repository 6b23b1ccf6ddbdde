"""The municipal fleet, shared by the People Assistance Vehicle and funeral body transport.

A vehicle's time is held by :class:`Reservation` rows, one per quarter hour it is busy: the unique
constraint on (vehicle, slot) is the database guarantee that no vehicle is ever booked twice, whether
by a ride run, a body transport or a maintenance period, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from thukkhon.core.models import Membership, Municipality
from thukkhon.people.models import Place

SLOT_MINUTES = 15


class Vehicle(models.Model):
    class Kind(models.TextChoices):
        VAN = "van", _("Van")
        CAR = "car", _("Car")
        AMBULANCE = "ambulance", _("Patient transport vehicle")
        HEARSE = "hearse", _("Hearse")

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="vehicles")
    name = models.CharField(_("name"), max_length=100)
    plate = models.CharField(_("licence plate"), max_length=30)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.VAN)
    seats = models.PositiveSmallIntegerField(_("seats"), default=4)
    wheelchair_places = models.PositiveSmallIntegerField(_("wheelchair places"), default=0)
    stretcher_places = models.PositiveSmallIntegerField(_("stretcher places"), default=0)
    enclosed_for_infectious = models.BooleanField(_("enclosed for infectious bodies"), default=False)
    depot = models.ForeignKey(
        Place, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("depot")
    )
    cost_per_km = models.DecimalField(
        _("running cost per km (baht)"), max_digits=8, decimal_places=2, default=8
    )
    is_active = models.BooleanField(_("in use"), default=True)
    notes = models.TextField(_("notes"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("vehicle")
        verbose_name_plural = _("vehicles")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "plate"], name="vehicle_unique_plate"),
            models.CheckConstraint(condition=Q(seats__gte=1), name="vehicle_has_a_seat"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.plate})"


class Driver(models.Model):
    """A municipal driver: a membership with the driver role."""

    membership = models.OneToOneField(Membership, on_delete=models.CASCADE, related_name="driver")
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    licence_no = models.CharField(_("driving licence no."), max_length=30, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("driver")
        verbose_name_plural = _("drivers")

    def __str__(self) -> str:
        return str(self.membership.user)


class Shift(models.Model):
    """A driver at the wheel of a vehicle on one day, from a start to an end time."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    vehicle = models.ForeignKey(Vehicle, on_delete=models.CASCADE, related_name="shifts")
    driver = models.ForeignKey(Driver, on_delete=models.PROTECT, related_name="shifts")
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))

    class Meta:
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="shift_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.vehicle} · {self.driver} · {self.starts_at:%Y-%m-%d %H:%M}"


class Reservation(models.Model):
    """One quarter hour of a vehicle's time, held for one purpose. Unique per vehicle and slot."""

    class Purpose(models.TextChoices):
        RIDES = "rides", _("People Assistance Vehicle")
        FUNERAL = "funeral", _("Body transport")
        MAINTENANCE = "maintenance", _("Out of service")

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    vehicle = models.ForeignKey(Vehicle, on_delete=models.CASCADE, related_name="reservations")
    slot = models.DateTimeField(_("quarter hour starting at"))
    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    reference = models.CharField(max_length=60, help_text="what holds the slot, e.g. run:12 or case:7")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["vehicle", "slot"], name="vehicle_slot_unique"),
        ]
        indexes = [models.Index(fields=["reference"])]

    def __str__(self) -> str:
        return f"{self.vehicle} {self.slot:%Y-%m-%d %H:%M} {self.purpose}"


class OutOfService(models.Model):
    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    vehicle = models.ForeignKey(Vehicle, on_delete=models.CASCADE, related_name="out_of_service")
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    reason = models.CharField(_("reason"), max_length=200)

    class Meta:
        verbose_name = _("out-of-service period")
        verbose_name_plural = _("out-of-service periods")
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="oos_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.vehicle}: {self.reason}"
