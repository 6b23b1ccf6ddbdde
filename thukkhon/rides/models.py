"""People Assistance Vehicle (รถช่วยเหลือประชาชน): requests, daily plans, runs, stops and outcomes."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from thukkhon.core.models import Municipality
from thukkhon.fleet.models import Driver, Vehicle
from thukkhon.people.models import Place, Resident


class IneligibleRequests(models.TextChoices):
    """What happens to a request of a resident who does not meet the criteria."""

    INFORM = "inform", _("Inform only: book it and show that the resident is not eligible")
    REFUSE = "refuse", _("Refuse it (staff may book it anyway with a reason)")


class RideSettings(models.Model):
    """Each municipality's rules: time windows, eligibility, travel-time model and costs."""

    municipality = models.OneToOneField(Municipality, on_delete=models.CASCADE, related_name="ride_settings")
    # Appointment → time window: be there `arrive_before_min` early, within a window `window_min` wide.
    arrive_before_min = models.PositiveSmallIntegerField(_("arrive before the appointment (min)"), default=15)
    window_min = models.PositiveSmallIntegerField(_("time window width (min)"), default=30)
    max_ride_factor = models.DecimalField(
        _("maximum ride time, times the direct time"), max_digits=4, decimal_places=2, default=2
    )
    max_ride_extra_min = models.PositiveSmallIntegerField(_("plus minutes"), default=15)
    service_walk_min = models.PositiveSmallIntegerField(_("boarding time, walking (min)"), default=3)
    service_wheelchair_min = models.PositiveSmallIntegerField(_("boarding time, wheelchair (min)"), default=6)
    service_stretcher_min = models.PositiveSmallIntegerField(_("boarding time, stretcher (min)"), default=12)
    speed_kmh = models.DecimalField(_("average speed (km/h)"), max_digits=5, decimal_places=1, default=30)
    detour_factor = models.DecimalField(
        _("road detour factor"), max_digits=4, decimal_places=2, default="1.30"
    )
    day_starts = models.TimeField(_("service starts"), default="07:00")
    day_ends = models.TimeField(_("service ends"), default="17:00")
    book_days_ahead = models.PositiveSmallIntegerField(_("book up to days ahead"), default=30)
    # Eligibility: a resident qualifies by any of these.
    min_age = models.PositiveSmallIntegerField(_("eligible from age"), default=60)
    disability_eligible = models.BooleanField(_("registered disability qualifies"), default=True)
    dependency_eligible = models.BooleanField(_("home- or bed-bound qualifies"), default=True)
    welfare_card_eligible = models.BooleanField(_("state welfare card qualifies"), default=True)
    medical_purposes_only = models.BooleanField(_("medical purposes only"), default=False)
    ineligible_requests = models.CharField(
        _("requests of residents who are not eligible"),
        max_length=10,
        choices=IneligibleRequests.choices,
        default=IneligibleRequests.INFORM,
    )
    private_hire_cost = models.DecimalField(
        _("private hire cost of one trip (baht)"), max_digits=8, decimal_places=2, default=800
    )

    class Meta:
        verbose_name = _("ride settings")
        verbose_name_plural = _("ride settings")

    def __str__(self) -> str:
        return str(self.municipality)


class Purpose(models.TextChoices):
    HOSPITAL = "hospital", _("Hospital appointment")
    DIALYSIS = "dialysis", _("Dialysis")
    REHABILITATION = "rehabilitation", _("Rehabilitation")
    CHECKUP = "checkup", _("Check-up")
    OFFICE = "office", _("Government office")
    OTHER = "other", _("Other")


MEDICAL_PURPOSES = frozenset({Purpose.HOSPITAL, Purpose.DIALYSIS, Purpose.REHABILITATION, Purpose.CHECKUP})


class Mobility(models.TextChoices):
    WALKS = "walks", _("Walks")
    WALKER = "walker", _("Walker or cane")
    WHEELCHAIR = "wheelchair", _("Wheelchair")
    STRETCHER = "stretcher", _("Stretcher (bed-bound)")


class LocationKind(models.TextChoices):
    HOME = "home", _("Home")
    PLACE = "place", _("A registered place")
    ADDRESS = "address", _("Another address")


class Channel(models.TextChoices):
    STAFF = "staff", _("Staff")
    VOLUNTEER = "volunteer", _("Health volunteer")
    RESIDENT = "resident", _("Resident")
    API = "api", _("Integration")
    SERIES = "series", _("Recurring series")


class ReturnMode(models.TextChoices):
    NONE = "none", _("No return trip")
    FIXED = "fixed", _("At a fixed time")
    CALL = "call", _("Call when done")


class Status(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    ACCEPTED = "accepted", _("Accepted")
    DENIED = "denied", _("Denied")
    SCHEDULED = "scheduled", _("Scheduled")
    EN_ROUTE = "en_route", _("Vehicle on its way")
    PICKED_UP = "picked_up", _("Picked up")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")
    LATE_CANCELLED = "late_cancelled", _("Cancelled late")
    NO_SHOW = "no_show", _("No-show")


OPEN_STATUSES = frozenset(
    {Status.REQUESTED, Status.ACCEPTED, Status.SCHEDULED, Status.EN_ROUTE, Status.PICKED_UP}
)
FINAL_STATUSES = frozenset(
    {Status.DENIED, Status.COMPLETED, Status.CANCELLED, Status.LATE_CANCELLED, Status.NO_SHOW}
)


class ResidentAccount(models.Model):
    """A signed-in resident's own registry record: the resident they may book rides for."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="resident_account"
    )
    resident = models.OneToOneField(Resident, on_delete=models.CASCADE, related_name="account")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("resident account")
        verbose_name_plural = _("resident accounts")

    def __str__(self) -> str:
        return f"{self.user} → {self.resident}"


class RideSeries(models.Model):
    """A recurring booking, e.g. dialysis on Monday, Wednesday and Friday until a date."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="ride_series")
    weekdays = models.JSONField(_("weekdays"), default=list, help_text="0 = Monday … 6 = Sunday")
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    is_active = models.BooleanField(default=True)
    ended_reason = models.CharField(max_length=200, blank=True)
    # What each generated request repeats (purpose, places, times, needs): see rides.booking.
    template = models.JSONField(default=dict, blank=True)
    generated_until = models.DateField(null=True, blank=True)
    idempotency_key = models.CharField(max_length=80, null=True, blank=True, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("recurring ride")
        verbose_name_plural = _("recurring rides")

    def __str__(self) -> str:
        return f"{self.resident} {self.weekdays} → {self.ends_on}"


class RideRequest(models.Model):
    """One leg: a pickup and a drop-off for one resident on one day."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    resident = models.ForeignKey(Resident, on_delete=models.PROTECT, related_name="ride_requests")
    booked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(_("booked through"), max_length=20, choices=Channel.choices)
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    purpose_note = models.CharField(_("details"), max_length=200, blank=True)
    service_date = models.DateField(_("date"))
    appointment_at = models.DateTimeField(_("appointment time"), null=True, blank=True)
    # Where: home, a registered place, or an address with a map pin. Coordinates are always filled.
    pickup_kind = models.CharField(max_length=10, choices=LocationKind.choices, default=LocationKind.HOME)
    pickup_place = models.ForeignKey(Place, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    pickup_address = models.CharField(_("pickup address"), max_length=300, blank=True)
    pickup_lat = models.DecimalField(max_digits=9, decimal_places=6)
    pickup_lon = models.DecimalField(max_digits=9, decimal_places=6)
    dropoff_kind = models.CharField(max_length=10, choices=LocationKind.choices, default=LocationKind.PLACE)
    dropoff_place = models.ForeignKey(
        Place, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    dropoff_address = models.CharField(_("drop-off address"), max_length=300, blank=True)
    dropoff_lat = models.DecimalField(max_digits=9, decimal_places=6)
    dropoff_lon = models.DecimalField(max_digits=9, decimal_places=6)
    # Time windows from the settings' rules (either or both ends).
    pickup_earliest = models.DateTimeField(null=True, blank=True)
    pickup_latest = models.DateTimeField(null=True, blank=True)
    dropoff_earliest = models.DateTimeField(null=True, blank=True)
    dropoff_latest = models.DateTimeField(null=True, blank=True)
    # Needs.
    mobility = models.CharField(
        _("mobility"), max_length=12, choices=Mobility.choices, default=Mobility.WALKS
    )
    oxygen = models.BooleanField(_("needs oxygen"), default=False)
    companions = models.PositiveSmallIntegerField(_("companions"), default=0)
    attendants = models.PositiveSmallIntegerField(_("attendants"), default=0)
    notes_for_driver = models.TextField(_("notes for the driver"), blank=True)
    # Return leg and series.
    return_mode = models.CharField(
        _("return trip"), max_length=10, choices=ReturnMode.choices, default=ReturnMode.NONE
    )
    return_at = models.DateTimeField(_("return pickup time"), null=True, blank=True)
    outbound = models.OneToOneField(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="return_leg"
    )
    series = models.ForeignKey(
        RideSeries, on_delete=models.SET_NULL, null=True, blank=True, related_name="requests"
    )
    # Decision and outcome.
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.REQUESTED)
    priority = models.IntegerField(_("priority"), default=0)
    priority_reasons = models.JSONField(default=list, blank=True)
    denial_reason = models.TextField(_("reason for denial"), blank=True)
    eligibility_override = models.CharField(
        _("booked although not eligible, because"), max_length=300, blank=True
    )
    cancel_reason = models.CharField(_("reason for cancellation"), max_length=200, blank=True)
    idempotency_key = models.CharField(max_length=80, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("ride request")
        verbose_name_plural = _("ride requests")
        ordering = ["service_date", "pickup_earliest", "id"]
        indexes = [
            models.Index(fields=["municipality", "service_date", "status"]),
            models.Index(fields=["resident", "service_date"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="denied") | ~Q(denial_reason=""), name="ride_denial_needs_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resident} {self.service_date} {self.get_purpose_display()}"


class Plan(models.Model):
    """The day's plan for one municipality. ``version`` guards against lost updates: every change
    names the version it was made on, and a stale one is refused with a clear conflict."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    service_date = models.DateField(_("date"))
    state = models.CharField(max_length=10, choices=State.choices, default=State.DRAFT)
    version = models.PositiveIntegerField(default=1)
    job = models.ForeignKey("core.Job", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    total_km = models.DecimalField(max_digits=9, decimal_places=2, default=0)
    unplanned = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["municipality", "service_date"], name="plan_one_per_day"),
        ]

    def __str__(self) -> str:
        return f"{self.municipality} {self.service_date} v{self.version}"


class Run(models.Model):
    """One vehicle's route in a plan, with its driver."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="runs")
    vehicle = models.ForeignKey(Vehicle, on_delete=models.PROTECT, related_name="+")
    driver = models.ForeignKey(Driver, on_delete=models.PROTECT, null=True, blank=True, related_name="runs")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    km = models.DecimalField(max_digits=8, decimal_places=2, default=0)

    class Meta:
        ordering = ["vehicle__name"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "vehicle"], name="run_one_per_vehicle"),
        ]

    def __str__(self) -> str:
        return f"{self.plan} {self.vehicle}"


class Stop(models.Model):
    class Kind(models.TextChoices):
        PICKUP = "pickup", _("Pick up")
        DROPOFF = "dropoff", _("Drop off")

    class State(models.TextChoices):
        PLANNED = "planned", _("Planned")
        ARRIVED = "arrived", _("Arrived")
        DONE = "done", _("Done")
        NO_SHOW = "no_show", _("No-show")
        SKIPPED = "skipped", _("Skipped")

    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="stops")
    sequence = models.PositiveSmallIntegerField()
    request = models.ForeignKey(RideRequest, on_delete=models.CASCADE, related_name="stops")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    planned_at = models.DateTimeField()
    locked = models.BooleanField(default=False)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PLANNED)
    arrived_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["run", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["run", "sequence"], name="stop_unique_sequence"),
            models.UniqueConstraint(fields=["request", "kind"], name="stop_one_per_request_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.run} #{self.sequence} {self.kind} {self.request_id}"


class TripEvent(models.Model):
    """Every change of a request's outcome, with who and when. A retried tap carries the same
    idempotency key and is recorded once."""

    request = models.ForeignKey(RideRequest, on_delete=models.CASCADE, related_name="events")
    stop = models.ForeignKey(Stop, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    status = models.CharField(max_length=20, choices=Status.choices)
    note = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    idempotency_key = models.CharField(max_length=80, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.request_id} {self.status} {self.at:%H:%M}"


class UnmetNeed(models.Model):
    """A ride that was asked for and not given: never silently dropped."""

    class Reason(models.TextChoices):
        DENIED = "denied", _("Denied")
        NOT_PLANNED = "not_planned", _("No vehicle could take it")
        ONE_LEG_ONLY = "one_leg_only", _("Only one leg of a round trip could be served")

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    request = models.ForeignKey(RideRequest, on_delete=models.CASCADE, related_name="unmet")
    reason = models.CharField(max_length=20, choices=Reason.choices)
    detail = models.CharField(max_length=300, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["request", "reason"], name="unmet_once_per_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.request_id} {self.reason}"
