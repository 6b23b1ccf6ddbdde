from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from thukkhon.core.roles import Role


class Municipality(models.Model):
    """The tenant: every domain row belongs to one municipality."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_th = models.CharField(_("name (Thai)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    logo = models.ImageField(_("logo"), upload_to="municipality/", blank=True)
    settings = models.JSONField(_("settings"), default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        ordering = ["name_th"]

    def __str__(self) -> str:
        return self.name_th


class User(AbstractUser):
    """A person who signs in. What they may do comes from their memberships."""

    display_name = models.CharField(_("display name"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    language = models.CharField(_("language"), max_length=5, choices=settings.LANGUAGES, default="th")
    must_change_password = models.BooleanField(
        _("must change the password"),
        default=False,
        help_text=_(
            "Set when someone else chose the password (a one-time password): the user changes it first."
        ),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.get_full_name() or self.username


class Membership(models.Model):
    """One role of one user in one municipality. Scopes (communities, classrooms, children)
    live with the app that owns the scoped thing and point here."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "municipality", "role"], name="membership_unique_role")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.municipality}"


class AccessLog(models.Model):
    """A read of a sensitive record (health, disability, religion, relatives of the dead) by a person."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=20, choices=Role.choices)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.CharField(max_length=64)
    what = models.CharField(_("what was read"), max_length=100)
    via = models.CharField(_("via"), max_length=200, blank=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        ordering = ["-at"]
        indexes = [models.Index(fields=["content_type", "object_id", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user} {self.what} {self.object_id}"


class ConsentPurpose(models.TextChoices):
    SENSITIVE_DATA = "sensitive_data", _("Processing of health and disability data")
    RIDE_SERVICE = "ride_service", _("People Assistance Vehicle service")
    PHOTO_PORTFOLIO = "photo_portfolio", _("Photos in the child's own portfolio")
    PHOTO_PANEL = "photo_panel", _("Photos in group documentation panels")
    PHOTO_PUBLIC = "photo_public", _("Photos on public display")
    TRANSITION_SUMMARY = "transition_summary", _("Sharing a transition summary with the primary school")
    NOTIFICATIONS = "notifications", _("Messages by LINE or SMS")


class Consent(models.Model):
    """Consent of a data subject for one purpose. Enforced by the services that need it."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    subject_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    subject_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("subject_type", "subject_id")
    purpose = models.CharField(_("purpose"), max_length=40, choices=ConsentPurpose.choices)
    given_by_name = models.CharField(_("given by"), max_length=200)
    given_by_relation = models.CharField(_("relation to the subject"), max_length=100, blank=True)
    given_at = models.DateTimeField(_("given at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_reason = models.TextField(_("reason for withdrawal"), blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", null=True)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-given_at"]
        indexes = [models.Index(fields=["subject_type", "subject_id", "purpose"])]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} · {self.given_by_name}"

    def is_active(self, at: object = None) -> bool:
        moment = at or timezone.now()
        if self.withdrawn_at is not None and self.withdrawn_at <= moment:  # type: ignore[operator]
            return False
        return self.expires_at is None or self.expires_at > moment  # type: ignore[operator]


class Job(models.Model):
    """Background work with progress: imports, plans, exports."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=60)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    message = models.CharField(max_length=300, blank=True)
    params = models.JSONField(default=dict, blank=True)
    result = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"

    @property
    def percent(self) -> int:
        return int(100 * self.progress / self.total) if self.total else (100 if self.status == "done" else 0)


class ThaiAddress(models.Model):
    """A Thai address. Tambon, amphoe, changwat and postcode are checked against the official list
    (:mod:`thukkhon.core.address`) by the services that write it."""

    house_no = models.CharField(_("house no."), max_length=20, blank=True)
    moo = models.CharField(_("moo"), max_length=5, blank=True)
    village = models.CharField(_("village"), max_length=100, blank=True)
    soi = models.CharField(_("soi"), max_length=100, blank=True)
    road = models.CharField(_("road"), max_length=100, blank=True)
    tambon = models.CharField(_("tambon"), max_length=100, blank=True)
    amphoe = models.CharField(_("amphoe"), max_length=100, blank=True)
    changwat = models.CharField(_("changwat"), max_length=100, blank=True)
    postcode = models.CharField(_("postcode"), max_length=5, blank=True)

    class Meta:
        abstract = True

    def address_text(self) -> str:
        """The address as Thais write it on an envelope."""
        parts = [self.house_no]
        if self.moo:
            parts.append(f"หมู่ {self.moo}")
        if self.village:
            parts.append(self.village)
        if self.soi:
            parts.append(f"ซ.{self.soi}")
        if self.road:
            parts.append(f"ถ.{self.road}")
        if self.tambon:
            parts.append(f"ต.{self.tambon}")
        if self.amphoe:
            parts.append(f"อ.{self.amphoe}")
        if self.changwat:
            parts.append(f"จ.{self.changwat}")
        if self.postcode:
            parts.append(self.postcode)
        return " ".join(p for p in parts if p)


class ApiToken(models.Model):
    """A token for integrations calling the JSON API. Only its SHA-256 digest is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=100)
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class Notification(models.Model):
    """A message to a person through a channel (LINE, SMS, or the outbox). Sent by a job; the
    dedupe key makes sure a reminder is sent once however often it is asked for."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=20)
    to = models.CharField(_("recipient address"), max_length=100)
    template = models.CharField(max_length=60)
    body = models.TextField()
    dedupe_key = models.CharField(max_length=120, unique=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.channel}:{self.to} {self.template} ({self.state})"
