"""The registry: communities, households, residents, their vulnerabilities, and places."""

from __future__ import annotations

from datetime import date

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from thukkhon.core.models import Membership, Municipality, ThaiAddress


class Community(models.Model):
    """A municipal community (ชุมชน): the working unit of a town."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="communities")
    code = models.CharField(_("code"), max_length=20)
    name_th = models.CharField(_("name (Thai)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("community")
        verbose_name_plural = _("communities")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "code"], name="community_unique_code"),
        ]

    def __str__(self) -> str:
        return self.name_th


class CommunityScope(models.Model):
    """A health volunteer's (อสม.) communities: the residents they may see and book for."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="community_scopes")
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="scopes")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["membership", "community"], name="community_scope_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.membership.user} → {self.community}"


class Household(ThaiAddress):
    """A house registration (ทะเบียนบ้าน) and the people who live there."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="households")
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="households")
    registration_no = models.CharField(_("house registration no."), max_length=20, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    access_notes = models.TextField(_("how to reach the house"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ["community__code", "house_no", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "registration_no"],
                condition=~Q(registration_no=""),
                name="household_unique_registration_no",
            ),
        ]

    def __str__(self) -> str:
        return self.address_text() or f"#{self.pk}"


class IdKind(models.TextChoices):
    THAI = "thai", _("Thai national ID")
    NON_THAI = "non_thai", _("Non-Thai 13-digit ID")
    PASSPORT = "passport", _("Passport or other document")
    NONE = "none", _("No identity document")


class Sex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    UNSPECIFIED = "", _("Not recorded")


class Relation(models.TextChoices):
    OWNER = "owner", _("House owner")
    SPOUSE = "spouse", _("Spouse")
    CHILD = "child", _("Child")
    GRANDCHILD = "grandchild", _("Grandchild")
    PARENT = "parent", _("Parent")
    SIBLING = "sibling", _("Sibling")
    RELATIVE = "relative", _("Other relative")
    OTHER = "other", _("Not related")


class ResidentStatus(models.TextChoices):
    ALIVE = "alive", _("Alive")
    DECEASED = "deceased", _("Deceased")
    MOVED = "moved", _("Moved away")


class Religion(models.TextChoices):
    UNKNOWN = "", _("Not recorded")
    BUDDHISM = "buddhism", _("Buddhism")
    ISLAM = "islam", _("Islam")
    CHRISTIANITY = "christianity", _("Christianity")
    OTHER = "other", _("Other")


class Resident(models.Model):
    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="residents")
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="residents")
    household = models.ForeignKey(
        Household, on_delete=models.SET_NULL, null=True, blank=True, related_name="members"
    )
    relation_to_owner = models.CharField(
        _("relation to the house owner"), max_length=20, choices=Relation.choices, blank=True
    )
    id_kind = models.CharField(
        _("identity document"), max_length=10, choices=IdKind.choices, default=IdKind.THAI
    )
    national_id = models.CharField(_("ID number"), max_length=20, blank=True, db_index=True)
    title = models.CharField(_("title"), max_length=30, blank=True)
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    nickname = models.CharField(_("nickname"), max_length=50, blank=True)
    sex = models.CharField(_("sex"), max_length=10, choices=Sex.choices, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    birth_date_estimated = models.BooleanField(_("birth date is estimated"), default=False)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    line_id = models.CharField(_("LINE ID"), max_length=50, blank=True)
    religion = models.CharField(_("religion"), max_length=20, choices=Religion.choices, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ResidentStatus.choices, default=ResidentStatus.ALIVE
    )
    status_date = models.DateField(_("date of death or move"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("resident")
        verbose_name_plural = _("residents")
        ordering = ["first_name", "last_name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "national_id"],
                condition=~Q(national_id=""),
                name="resident_unique_national_id",
            ),
            models.CheckConstraint(
                condition=Q(status="alive") | Q(status_date__isnull=False),
                name="resident_status_date_required",
            ),
        ]
        indexes = [
            models.Index(fields=["municipality", "community", "status"]),
            models.Index(fields=["municipality", "birth_date"]),
            models.Index(fields=["municipality", "phone"]),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.title}{self.first_name} {self.last_name}".strip()

    def age_on(self, day: date) -> int | None:
        if self.birth_date is None:
            return None
        born = self.birth_date
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

    @property
    def age(self) -> int | None:
        return self.age_on(date.today())


class DisabilityType(models.TextChoices):
    NONE = "", _("No disability")
    VISUAL = "visual", _("Visual")
    HEARING = "hearing", _("Hearing or communication")
    PHYSICAL = "physical", _("Physical or mobility")
    MENTAL = "mental", _("Mental or behavioural")
    INTELLECTUAL = "intellectual", _("Intellectual")
    LEARNING = "learning", _("Learning")
    AUTISM = "autism", _("Autism")


class Dependency(models.TextChoices):
    """Groups of the Barthel ADL score (0–20)."""

    UNKNOWN = "", _("Not assessed")
    SOCIAL = "social", _("Social-bound (ติดสังคม)")
    HOME = "home", _("Home-bound (ติดบ้าน)")
    BED = "bed", _("Bed-bound (ติดเตียง)")


def dependency_for(barthel: int | None) -> str:
    if barthel is None:
        return Dependency.UNKNOWN
    if barthel >= 12:
        return Dependency.SOCIAL
    if barthel >= 5:
        return Dependency.HOME
    return Dependency.BED


class ChronicCondition(models.TextChoices):
    HYPERTENSION = "hypertension", _("Hypertension")
    DIABETES = "diabetes", _("Diabetes")
    KIDNEY = "kidney", _("Chronic kidney disease")
    HEART = "heart", _("Heart disease")
    STROKE = "stroke", _("Stroke")
    COPD = "copd", _("COPD or asthma")
    CANCER = "cancer", _("Cancer")
    DEMENTIA = "dementia", _("Dementia")
    PSYCHIATRIC = "psychiatric", _("Psychiatric illness")


class Vulnerability(models.Model):
    """A resident's vulnerability profile (sensitive data: every read by a person is logged).
    Its history keeps each assessment."""

    resident = models.OneToOneField(Resident, on_delete=models.CASCADE, related_name="vulnerability")
    disability_type = models.CharField(
        _("disability"), max_length=20, choices=DisabilityType.choices, blank=True
    )
    disability_card_no = models.CharField(_("disability card no."), max_length=30, blank=True)
    barthel_score = models.PositiveSmallIntegerField(
        _("Barthel ADL score"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(20)],
    )
    dependency = models.CharField(
        _("dependency"), max_length=10, choices=Dependency.choices, blank=True, editable=False
    )
    chronic_conditions = models.JSONField(_("chronic conditions"), default=list, blank=True)
    welfare_card = models.BooleanField(_("state welfare card"), default=False)
    lives_alone = models.BooleanField(_("lives alone"), default=False)
    caregiver = models.ForeignKey(
        Resident,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cared_for",
        verbose_name=_("main caregiver"),
    )
    caregiver_name = models.CharField(_("main caregiver (not a resident)"), max_length=200, blank=True)
    caregiver_phone = models.CharField(_("caregiver's phone"), max_length=20, blank=True)
    assessed_on = models.DateField(_("assessed on"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("vulnerability profile")
        verbose_name_plural = _("vulnerability profiles")
        constraints = [
            models.CheckConstraint(
                condition=Q(barthel_score__isnull=True) | Q(barthel_score__lte=20),
                name="vulnerability_barthel_range",
            ),
        ]
        indexes = [models.Index(fields=["dependency"]), models.Index(fields=["welfare_card"])]

    def __str__(self) -> str:
        return f"{self.resident_id}: {self.get_dependency_display()}"

    def save(self, *args: object, **kwargs: object) -> None:
        self.dependency = dependency_for(self.barthel_score)
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class PlaceKind(models.TextChoices):
    HOSPITAL = "hospital", _("Hospital")
    HEALTH_CENTRE = "health_centre", _("Health centre")
    DIALYSIS = "dialysis", _("Dialysis unit")
    TEMPLE = "temple", _("Temple")
    CREMATORIUM = "crematorium", _("Crematorium")
    SCHOOL = "school", _("School or child development centre")
    OFFICE = "office", _("Government office")
    OTHER = "other", _("Other")


class Place(models.Model):
    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="places")
    kind = models.CharField(_("kind"), max_length=20, choices=PlaceKind.choices)
    name_th = models.CharField(_("name (Thai)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("place")
        verbose_name_plural = _("places")
        ordering = ["kind", "name_th"]

    def __str__(self) -> str:
        return self.name_th


# --- Linking a resident's LINE account and sign-in -----------------------------------------------------


class LineLinkCode(models.Model):
    """A one-time code that links a resident to the LINE user who sends it to the official account.

    Staff issue it on the resident's page; the LINE webhook consumes it (``thukkhon.people.line``).
    A new code replaces the resident's earlier unused one; an unused code is unique."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="line_link_codes")
    code = models.CharField(_("code"), max_length=6)
    created_by = models.ForeignKey(
        "core.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    line_user_id = models.CharField(_("LINE user ID"), max_length=33, blank=True)

    class Meta:
        verbose_name = _("LINE link code")
        verbose_name_plural = _("LINE link codes")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["code"], condition=Q(used_at__isnull=True), name="line_link_code_unique_unused"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} → {self.resident}"


class LineWebhookEvent(models.Model):
    """A LINE webhook event that was handled, by its ``webhookEventId``: a redelivered or replayed
    event is recognised and handled once. The outcome counts failed codes per LINE user."""

    webhook_event_id = models.CharField(max_length=64, unique=True)
    kind = models.CharField(max_length=30)
    line_user_id = models.CharField(max_length=33, blank=True, db_index=True)
    outcome = models.CharField(max_length=20, blank=True)
    received_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"{self.kind} {self.webhook_event_id} ({self.outcome})"


class ResidentLinkAction(models.TextChoices):
    ACCOUNT_CREATED = "account_created", _("Sign-in created")
    ACCOUNT_LINKED = "account_linked", _("Sign-in linked")
    ACCOUNT_UNLINKED = "account_unlinked", _("Sign-in unlinked")
    PASSWORD_RESET = "password_reset", _("New one-time password given")
    LINE_CODE_ISSUED = "line_code_issued", _("LINE link code issued")
    LINE_LINKED = "line_linked", _("LINE linked")
    LINE_UNLINKED = "line_unlinked", _("LINE unlinked")


class ResidentLinkLog(models.Model):
    """Who linked which sign-in or LINE account to a resident, and when (an audit record).

    ``by`` is the staff member; empty when the resident did it through LINE."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="link_log")
    action = models.CharField(_("action"), max_length=20, choices=ResidentLinkAction.choices)
    user = models.ForeignKey("core.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    line_user_id = models.CharField(_("LINE user ID"), max_length=33, blank=True)
    by = models.ForeignKey("core.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("sign-in and LINE link record")
        verbose_name_plural = _("sign-in and LINE link records")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_action_display()} {self.resident}"
