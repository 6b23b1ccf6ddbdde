"""Funeral and cremation assistance: cases, crematoria and their cremators, slot bookings, the
infectious-disease protocol, body transport, rites, ashes handover, fees, receipts, the elderly
funeral grant and the follow-up of survivors.

Limited things cannot be double-booked: a cremator's slot is held by :class:`CremationBooking` under a
unique (cremator, starts_at) constraint among active bookings; body transport holds the shared fleet
through :func:`thukkhon.fleet.services.vehicle_reserve`. Receipts are numbered per municipality and
Buddhist-Era year under a unique constraint.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from thukkhon.core.models import Municipality
from thukkhon.fleet.models import Driver, Vehicle
from thukkhon.people.models import Community, Place, Religion, Resident

User = settings.AUTH_USER_MODEL


def default_eligible_tambons() -> list[str]:
    return ["ในเมือง", "ต้นธง", "เหมืองง่า"]


class FuneralSettings(models.Model):
    """Each municipality's rules: who is eligible at which fee, waivers, deadlines and the grant."""

    municipality = models.OneToOneField(
        Municipality, on_delete=models.CASCADE, related_name="funeral_settings"
    )
    fee_resident = models.DecimalField(
        _("fee for residents and eligible tambons (baht)"), max_digits=9, decimal_places=2, default=500
    )
    fee_other = models.DecimalField(
        _("fee for everyone else (baht)"), max_digits=9, decimal_places=2, default=3000
    )
    eligible_tambons = models.JSONField(
        _("tambons charged the resident fee"), default=default_eligible_tambons, blank=True
    )
    waive_welfare_card = models.BooleanField(_("waive the fee for state welfare card holders"), default=True)
    waive_basic_needs_poor = models.BooleanField(
        _("waive the fee for households poor by the basic-needs survey"), default=True
    )
    registration_due_hours = models.PositiveSmallIntegerField(
        _("death registration due within (hours)"), default=24
    )
    infectious_deadline_hours = models.PositiveSmallIntegerField(
        _("infectious cases cremated within (hours)"), default=24
    )
    grant_amount = models.DecimalField(
        _("elderly funeral grant (baht)"), max_digits=9, decimal_places=2, default=3000
    )
    grant_min_age = models.PositiveSmallIntegerField(_("grant from age"), default=60)
    grant_apply_months = models.PositiveSmallIntegerField(_("apply for the grant within (months)"), default=6)

    class Meta:
        verbose_name = _("funeral settings")
        verbose_name_plural = _("funeral settings")

    def __str__(self) -> str:
        return str(self.municipality)


class Crematorium(models.Model):
    """A crematorium (ฌาปนสถาน): opening hours and closed days; its cremators hold the slots."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    place = models.ForeignKey(
        Place, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("place")
    )
    name_th = models.CharField(_("name (Thai)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    day_starts = models.TimeField(_("first slot starts"), default="08:00")
    day_ends = models.TimeField(_("last slot ends by"), default="17:00")
    closed_weekdays = models.JSONField(
        _("closed weekdays"), default=list, blank=True, help_text="0 = Monday … 6 = Sunday"
    )
    has_coffin_rail = models.BooleanField(_("coffin rail (no lifting by staff)"), default=False)
    is_active = models.BooleanField(_("in use"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("crematorium")
        verbose_name_plural = _("crematoria")
        ordering = ["name_th"]

    def __str__(self) -> str:
        return self.name_th


class ClosedDay(models.Model):
    """A date the crematorium does not cremate (e.g. a Buddhist holy day)."""

    crematorium = models.ForeignKey(Crematorium, on_delete=models.CASCADE, related_name="closed_days")
    date = models.DateField(_("date"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("closed day")
        verbose_name_plural = _("closed days")
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["crematorium", "date"], name="closed_day_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.crematorium} {self.date}"


class Cremator(models.Model):
    """One cremator (เตาเผา). Its day is a grid of slots: a slot's length plus cool-down, from the
    crematorium's first slot, at most ``capacity_per_day`` of them. Infectious cases need two chambers."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    crematorium = models.ForeignKey(Crematorium, on_delete=models.CASCADE, related_name="cremators")
    name = models.CharField(_("name"), max_length=100)
    chambers = models.PositiveSmallIntegerField(_("chambers"), default=1)
    capacity_per_day = models.PositiveSmallIntegerField(_("cremations per day"), default=3)
    slot_minutes = models.PositiveSmallIntegerField(_("slot length (min)"), default=120)
    cooldown_minutes = models.PositiveSmallIntegerField(_("cool-down (min)"), default=60)
    is_active = models.BooleanField(_("in use"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("cremator")
        verbose_name_plural = _("cremators")
        ordering = ["crematorium__name_th", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(chambers__gte=1), name="cremator_has_a_chamber"),
            models.CheckConstraint(condition=Q(slot_minutes__gte=15), name="cremator_slot_min_length"),
        ]

    def __str__(self) -> str:
        return f"{self.crematorium} · {self.name}"

    @property
    def double_chamber(self) -> bool:
        return self.chambers >= 2


class Cause(models.TextChoices):
    NATURAL = "natural", _("Natural causes")
    ACCIDENT = "accident", _("Accident")
    INFECTIOUS = "infectious", _("Infectious disease")
    UNKNOWN = "unknown", _("Unknown")


class Disease(models.TextChoices):
    NONE = "", _("None")
    COVID19 = "covid19", _("COVID-19")
    OTHER = "other", _("Another notifiable disease")


class Disposition(models.TextChoices):
    CREMATION = "cremation", _("Cremation")
    BURIAL = "burial", _("Burial")


class CaseStatus(models.TextChoices):
    REPORTED = "reported", _("Reported")
    ACCEPTED = "accepted", _("Accepted")
    SCHEDULED = "scheduled", _("Scheduled")
    DONE = "done", _("Cremated or buried")
    CLOSED = "closed", _("Ashes handed over")
    CANCELLED = "cancelled", _("Cancelled")


class FuneralCase(models.Model):
    """One death and the help the municipality gives. The deceased is a registry resident or a new
    person (name and ID typed in). Relatives' and the informant's data is personal data (PDPA):
    every read by a person is logged."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    number = models.CharField(_("case number"), max_length=20)
    # The deceased.
    deceased = models.ForeignKey(
        Resident,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="funeral_cases",
        verbose_name=_("deceased (registry)"),
    )
    deceased_name = models.CharField(_("name of the deceased"), max_length=200)
    deceased_id_number = models.CharField(_("ID number of the deceased"), max_length=20, blank=True)
    deceased_birth_date = models.DateField(_("birth date of the deceased"), null=True, blank=True)
    community = models.ForeignKey(
        Community,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("community"),
    )
    domicile_tambon = models.CharField(_("domicile tambon"), max_length=100, blank=True)
    domicile_amphoe = models.CharField(_("domicile amphoe"), max_length=100, blank=True)
    domicile_changwat = models.CharField(_("domicile changwat"), max_length=100, blank=True)
    # The death.
    died_at = models.DateTimeField(_("time of death"))
    place_of_death = models.CharField(_("place of death"), max_length=200)
    cause = models.CharField(_("cause"), max_length=20, choices=Cause.choices)
    disease = models.CharField(_("disease"), max_length=20, choices=Disease.choices, blank=True)
    disease_name = models.CharField(_("name of the disease"), max_length=100, blank=True)
    certificate_no = models.CharField(_("physician's certificate (ท.ร.4/1) no."), max_length=40, blank=True)
    certificate_issuer = models.CharField(_("issued by"), max_length=200, blank=True)
    registration_no = models.CharField(_("death registration (ท.ร.4) no."), max_length=40, blank=True)
    registered_at = models.DateTimeField(_("registered at"), null=True, blank=True)
    # Informant (personal data).
    informant_name = models.CharField(_("informant"), max_length=200)
    informant_relation = models.CharField(_("relation to the deceased"), max_length=100, blank=True)
    informant_phone = models.CharField(_("informant's phone"), max_length=20, blank=True)
    informant_id_number = models.CharField(_("informant's ID number"), max_length=20, blank=True)
    # Rites.
    religion = models.CharField(_("religion"), max_length=20, choices=Religion.choices, blank=True)
    disposition = models.CharField(
        _("disposition"), max_length=10, choices=Disposition.choices, default=Disposition.CREMATION
    )
    rites_notes = models.TextField(_("rites"), blank=True)
    stream_url = models.URLField(_("recording or live stream of the rites"), blank=True)
    # Fees.
    fee = models.DecimalField(_("fee (baht)"), max_digits=9, decimal_places=2, default=Decimal("0"))
    fee_waived = models.BooleanField(_("fee waived"), default=False)
    waiver_reason = models.CharField(_("reason for the waiver"), max_length=200, blank=True)
    eligible_rate = models.BooleanField(_("resident rate"), default=False)
    welfare_card = models.BooleanField(_("the deceased held a state welfare card"), default=False)
    basic_needs_poor = models.BooleanField(_("household poor by the basic-needs survey"), default=False)
    # Progress.
    status = models.CharField(
        _("status"), max_length=10, choices=CaseStatus.choices, default=CaseStatus.REPORTED
    )
    disposed_at = models.DateTimeField(_("cremated or buried at"), null=True, blank=True)
    gate_override_reason = models.TextField(_("reason for overriding the protocol"), blank=True)
    gate_override_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    gate_override_at = models.DateTimeField(null=True, blank=True)
    reported_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    reported_via_relative = models.BooleanField(_("reported by a relative"), default=False)
    life_event_done_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("funeral case")
        verbose_name_plural = _("funeral cases")
        ordering = ["-died_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "number"], name="funeral_case_unique_number"),
            models.CheckConstraint(
                condition=Q(registered_at__isnull=True) | Q(registered_at__gte=F("died_at")),
                name="funeral_registered_after_death",
            ),
            models.CheckConstraint(
                condition=Q(disposed_at__isnull=True) | Q(disposed_at__gte=F("died_at")),
                name="funeral_disposed_after_death",
            ),
        ]
        indexes = [models.Index(fields=["municipality", "died_at"])]

    def __str__(self) -> str:
        return f"{self.number} {self.deceased_name}"

    @property
    def infectious(self) -> bool:
        return self.cause == Cause.INFECTIOUS

    @property
    def registration_due_at(self) -> datetime:
        return self.died_at + timedelta(hours=24)

    @property
    def deadline_at(self) -> datetime:
        """Cremation (or burial) within 24 hours of the death: infectious cases and Muslim burials."""
        return self.died_at + timedelta(hours=24)

    @property
    def has_deadline(self) -> bool:
        return self.infectious or (self.disposition == Disposition.BURIAL and self.religion == Religion.ISLAM)


class Relative(models.Model):
    """A relative of the deceased (personal data). A relative with an account sees the case."""

    case = models.ForeignKey(FuneralCase, on_delete=models.CASCADE, related_name="relatives")
    name = models.CharField(_("name"), max_length=200)
    relation = models.CharField(_("relation"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    id_number = models.CharField(_("ID number"), max_length=20, blank=True)
    user = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    notify = models.BooleanField(_("send status messages"), default=True)

    class Meta:
        verbose_name = _("relative")
        verbose_name_plural = _("relatives")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class CremationBooking(models.Model):
    """A cremator's slot held for one case. Unique per cremator and start among active bookings: the
    database decides between concurrent bookings."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey(FuneralCase, on_delete=models.CASCADE, related_name="bookings")
    cremator = models.ForeignKey(Cremator, on_delete=models.PROTECT, related_name="bookings")
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    booked_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    booked_at = models.DateTimeField(auto_now_add=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("cremation booking")
        verbose_name_plural = _("cremation bookings")
        ordering = ["starts_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["cremator", "starts_at"],
                condition=Q(cancelled_at__isnull=True),
                name="cremation_slot_unique",
            ),
            models.UniqueConstraint(
                fields=["case"], condition=Q(cancelled_at__isnull=True), name="cremation_one_active_per_case"
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="cremation_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cremator} {self.starts_at:%Y-%m-%d %H:%M}"


class RiteKind(models.TextChoices):
    CHANTING = "chanting", _("Chanting night (สวดอภิธรรม)")
    MERIT = "merit", _("Merit-making (ทำบุญ)")
    CREMATION = "cremation", _("Cremation ceremony (ฌาปนกิจ)")
    BURIAL = "burial", _("Burial")
    OTHER = "other", _("Other")


class Rite(models.Model):
    case = models.ForeignKey(FuneralCase, on_delete=models.CASCADE, related_name="rites")
    kind = models.CharField(_("rite"), max_length=20, choices=RiteKind.choices)
    starts_at = models.DateTimeField(_("starts at"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    stream_url = models.URLField(_("recording or live stream"), blank=True)

    class Meta:
        verbose_name = _("rite")
        verbose_name_plural = _("rites")
        ordering = ["starts_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.starts_at:%Y-%m-%d %H:%M}"


class ProtocolTemplate(models.Model):
    """A configurable infectious-disease protocol; each case copies its steps."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    disease = models.CharField(_("disease"), max_length=20, choices=Disease.choices, blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True)
    is_active = models.BooleanField(_("in use"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("protocol template")
        verbose_name_plural = _("protocol templates")
        constraints = [
            models.UniqueConstraint(fields=["municipality", "code"], name="protocol_template_unique_code"),
        ]

    def __str__(self) -> str:
        return self.name


class ProtocolTemplateStep(models.Model):
    template = models.ForeignKey(ProtocolTemplate, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField(_("order"))
    text_th = models.CharField(_("step (Thai)"), max_length=300)
    text_en = models.CharField(_("step (English)"), max_length=300, blank=True)
    mandatory = models.BooleanField(_("mandatory"), default=True)

    class Meta:
        verbose_name = _("protocol step")
        verbose_name_plural = _("protocol steps")
        ordering = ["template", "order"]
        constraints = [
            models.UniqueConstraint(fields=["template", "order"], name="protocol_template_step_order"),
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.text_th}"


class ProtocolStep(models.Model):
    """One step of a case's checklist, signed by a named handler with the time."""

    case = models.ForeignKey(FuneralCase, on_delete=models.CASCADE, related_name="protocol_steps")
    order = models.PositiveSmallIntegerField()
    text_th = models.CharField(max_length=300)
    text_en = models.CharField(max_length=300, blank=True)
    mandatory = models.BooleanField(default=True)
    handler_name = models.CharField(_("handler"), max_length=200, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    signed_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    note = models.CharField(_("note"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["case", "order"]
        constraints = [
            models.UniqueConstraint(fields=["case", "order"], name="protocol_step_order"),
            models.CheckConstraint(
                condition=Q(done_at__isnull=True) | ~Q(handler_name=""), name="protocol_step_signed_by_name"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.order}. {self.text_th}"

    @property
    def is_done(self) -> bool:
        return self.done_at is not None


class BodyTransport(models.Model):
    """Body transport on the shared fleet; the vehicle's time is held by fleet reservations."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey(FuneralCase, on_delete=models.CASCADE, related_name="transports")
    vehicle = models.ForeignKey(
        Vehicle, on_delete=models.PROTECT, related_name="+", verbose_name=_("vehicle")
    )
    driver = models.ForeignKey(
        Driver, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("driver")
    )
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    pickup = models.CharField(_("pick up at"), max_length=200)
    dropoff = models.CharField(_("take to"), max_length=200)
    reference = models.CharField(max_length=60, unique=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("body transport")
        verbose_name_plural = _("body transports")
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="transport_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.vehicle} {self.starts_at:%Y-%m-%d %H:%M}"


class AshesHandover(models.Model):
    case = models.OneToOneField(FuneralCase, on_delete=models.CASCADE, related_name="ashes")
    to_name = models.CharField(_("handed to"), max_length=200)
    to_id_number = models.CharField(_("their ID number"), max_length=20)
    relation = models.CharField(_("relation to the deceased"), max_length=100, blank=True)
    signature_name = models.CharField(_("signed as"), max_length=200)
    handed_at = models.DateTimeField(_("handed over at"))
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("ashes handover")
        verbose_name_plural = _("ashes handovers")

    def __str__(self) -> str:
        return f"{self.case_id} → {self.to_name}"


class Receipt(models.Model):
    """A receipt for a fee, numbered per municipality and Buddhist-Era year: 2568/0001."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey(FuneralCase, on_delete=models.PROTECT, related_name="receipts")
    year_be = models.PositiveSmallIntegerField()
    number = models.PositiveIntegerField()
    amount = models.DecimalField(max_digits=9, decimal_places=2)
    payer_name = models.CharField(_("paid by"), max_length=200)
    issued_at = models.DateTimeField()
    issued_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("receipt")
        verbose_name_plural = _("receipts")
        ordering = ["-year_be", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "year_be", "number"], name="receipt_unique_number"
            ),
            models.UniqueConstraint(fields=["case"], name="receipt_one_per_case"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="receipt_positive_amount"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return f"{self.year_be}/{self.number:04d}"


class GrantCheck(models.Model):
    """The 3,000-baht state elderly funeral grant: checked at the death, with a prefilled application."""

    case = models.OneToOneField(FuneralCase, on_delete=models.CASCADE, related_name="grant")
    eligible = models.BooleanField()
    reasons = models.JSONField(default=list)
    amount = models.DecimalField(max_digits=9, decimal_places=2)
    apply_by = models.DateField()
    checked_at = models.DateTimeField()

    class Meta:
        verbose_name = _("elderly funeral grant check")
        verbose_name_plural = _("elderly funeral grant checks")

    def __str__(self) -> str:
        return f"{self.case_id} {'eligible' if self.eligible else 'not eligible'}"


class FollowUp(models.Model):
    """Welfare follow-up after a death, e.g. a survivor who now lives alone."""

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey(FuneralCase, on_delete=models.CASCADE, related_name="follow_ups")
    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="funeral_follow_ups")
    reason = models.CharField(_("reason"), max_length=200)
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["case", "resident"], name="follow_up_once_per_survivor"),
        ]

    def __str__(self) -> str:
        return f"{self.resident} ({self.reason})"
