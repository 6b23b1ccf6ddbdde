"""Early childhood: centres, classrooms, enrolments, guardians, attendance, pedagogical
documentation (observations, media, projects), curriculum frameworks, ratings and DSPM screening.

A child is a registry :class:`~thukkhon.people.models.Resident`. Scopes live here: a teacher's
classrooms (:class:`TeacherAssignment`) and a parent's children (:class:`Guardianship`).
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from thukkhon.core.models import Membership, Municipality, User
from thukkhon.people.models import Place, Resident


class CentreKind(models.TextChoices):
    SCHOOL = "school", _("Municipal school (kindergarten)")
    CDC = "cdc", _("Child development centre")


class Centre(models.Model):
    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=10, choices=CentreKind.choices)
    name_th = models.CharField(_("name (Thai)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    place = models.ForeignKey(Place, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("school or centre")
        verbose_name_plural = _("schools and centres")
        ordering = ["name_th"]

    def __str__(self) -> str:
        return self.name_th


class Term(models.Model):
    """A term of a Thai academic year (B.E.; term 1 starts in May, term 2 in November)."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    academic_year = models.PositiveSmallIntegerField(_("academic year (B.E.)"))
    number = models.PositiveSmallIntegerField(
        _("term"), validators=[MinValueValidator(1), MaxValueValidator(2)]
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))

    class Meta:
        ordering = ["academic_year", "number"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "academic_year", "number"], name="term_unique"),
            models.CheckConstraint(condition=Q(ends_on__gt=models.F("starts_on")), name="term_dates"),
        ]

    def __str__(self) -> str:
        return f"{self.number}/{self.academic_year}"


class Classroom(models.Model):
    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="classrooms")
    academic_year = models.PositiveSmallIntegerField(_("academic year (B.E.)"))
    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("level"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("classroom")
        verbose_name_plural = _("classrooms")
        ordering = ["-academic_year", "centre__name_th", "name"]
        constraints = [
            models.UniqueConstraint(fields=["centre", "academic_year", "name"], name="classroom_unique_name"),
        ]

    def __str__(self) -> str:
        return f"{self.name} · {self.centre} · {self.academic_year}"


class TeacherAssignment(models.Model):
    """A teacher's classroom: the scope of what they see."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="classroom_assignments")
    classroom = models.ForeignKey(Classroom, on_delete=models.CASCADE, related_name="assignments")
    is_lead = models.BooleanField(_("lead teacher"), default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["membership", "classroom"], name="teacher_assignment_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.membership_id} → {self.classroom_id}"


class Enrolment(models.Model):
    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    classroom = models.ForeignKey(Classroom, on_delete=models.CASCADE, related_name="enrolments")
    child = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="enrolments")
    enrolled_on = models.DateField(_("enrolled on"), default=timezone.localdate)
    left_on = models.DateField(_("left on"), null=True, blank=True)

    class Meta:
        ordering = ["child__first_name", "child_id"]
        constraints = [
            models.UniqueConstraint(fields=["classroom", "child"], name="enrolment_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.child_id} → {self.classroom_id}"


class GuardianRelation(models.TextChoices):
    MOTHER = "mother", _("Mother")
    FATHER = "father", _("Father")
    GRANDMOTHER = "grandmother", _("Grandmother")
    GRANDFATHER = "grandfather", _("Grandfather")
    AUNT_UNCLE = "aunt_uncle", _("Aunt or uncle")
    SIBLING = "sibling", _("Older sibling")
    FOSTER = "foster", _("Foster carer")
    OTHER = "other", _("Other caregiver")


PARENT_RELATIONS = frozenset({GuardianRelation.MOTHER, GuardianRelation.FATHER})


class Guardianship(models.Model):
    """A parent's or caregiver's child: the scope of what a parent account sees. The guardian is a
    registry resident, a signed-in account (a parent membership), or both."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    child = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="guardianships")
    guardian = models.ForeignKey(
        Resident, on_delete=models.CASCADE, null=True, blank=True, related_name="guardian_of"
    )
    membership = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="guardianships"
    )
    name = models.CharField(_("name"), max_length=200, blank=True)
    relation = models.CharField(_("relation to the child"), max_length=20, choices=GuardianRelation.choices)
    lives_with_child = models.BooleanField(_("lives with the child"), default=True)
    is_primary = models.BooleanField(_("main caregiver"), default=False)
    phone = models.CharField(_("phone"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("guardian")
        verbose_name_plural = _("guardians")
        constraints = [
            models.CheckConstraint(
                condition=Q(guardian__isnull=False) | Q(membership__isnull=False) | ~Q(name=""),
                name="guardianship_who",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.guardian_id:
            return self.guardian.full_name  # type: ignore[union-attr]
        if self.membership_id:
            return str(self.membership.user)  # type: ignore[union-attr]
        return self.name


# --- Attendance -------------------------------------------------------------------------------------


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("Present")
    LATE = "late", _("Late")
    ABSENT = "absent", _("Absent")


class AbsenceReason(models.TextChoices):
    NONE = "", _("—")
    SICK = "sick", _("Sick")
    FAMILY = "family", _("Family matter")
    TRAVEL = "travel", _("Travelling")
    TRANSPORT = "transport", _("No one to bring the child")
    WEATHER = "weather", _("Weather or flooding")
    UNKNOWN = "unknown", _("Unknown")


class Attendance(models.Model):
    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    classroom = models.ForeignKey(Classroom, on_delete=models.CASCADE, related_name="attendance")
    child = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="+")
    day = models.DateField(_("day"))
    status = models.CharField(_("status"), max_length=10, choices=AttendanceStatus.choices)
    reason = models.CharField(_("reason"), max_length=10, choices=AbsenceReason.choices, blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["classroom", "child", "day"], name="attendance_unique"),
        ]
        indexes = [models.Index(fields=["classroom", "day"])]

    def __str__(self) -> str:
        return f"{self.child_id} {self.day} {self.status}"


# --- Curriculum ---------------------------------------------------------------------------------------


class Framework(models.Model):
    """A version of the national early childhood curriculum (B.E. 2560, later B.E. 2568)."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name_th = models.CharField(_("name (Thai)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    is_current = models.BooleanField(_("current"), default=False)

    def __str__(self) -> str:
        return self.name_th


class Domain(models.Model):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="domains")
    code = models.CharField(max_length=20)
    name_th = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200)
    order = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["framework", "order"]
        constraints = [models.UniqueConstraint(fields=["framework", "code"], name="domain_unique")]

    def __str__(self) -> str:
        return self.name_th


class Standard(models.Model):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="standards")
    domain = models.ForeignKey(Domain, on_delete=models.CASCADE, related_name="standards")
    number = models.PositiveSmallIntegerField()
    name_th = models.CharField(max_length=300)
    name_en = models.CharField(max_length=300)

    class Meta:
        ordering = ["framework", "number"]
        constraints = [models.UniqueConstraint(fields=["framework", "number"], name="standard_unique")]

    def __str__(self) -> str:
        return f"{self.number}. {self.name_th}"


class Indicator(models.Model):
    standard = models.ForeignKey(Standard, on_delete=models.CASCADE, related_name="indicators")
    code = models.CharField(max_length=10)
    text_th = models.CharField(max_length=300)
    text_en = models.CharField(max_length=300)

    class Meta:
        ordering = ["standard", "id"]
        constraints = [models.UniqueConstraint(fields=["standard", "code"], name="indicator_unique")]

    def __str__(self) -> str:
        return f"{self.code} {self.text_th}"


# --- Documentation --------------------------------------------------------------------------------------


class Language(models.TextChoices):
    """Some of the hundred languages."""

    WORDS = "words", _("Words and stories")
    DRAWING = "drawing", _("Drawing")
    PAINTING = "painting", _("Painting")
    CLAY = "clay", _("Clay and sculpture")
    CONSTRUCTION = "construction", _("Construction")
    LIGHT = "light", _("Light and shadow")
    MUSIC = "music", _("Music and sound")
    MOVEMENT = "movement", _("Movement and dance")
    NATURE = "nature", _("Nature and found materials")
    COLLAGE = "collage", _("Collage")
    PRETEND = "pretend", _("Pretend play")
    MATHS = "maths", _("Numbers and patterns")


class Visibility(models.TextChoices):
    TEAM = "team", _("Team only")
    FAMILY = "family", _("Shared with the family")


class ProjectStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    CLOSED = "closed", _("Closed")


class Project(models.Model):
    """A project (progettazione): it grows from the children's question."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    classroom = models.ForeignKey(Classroom, on_delete=models.CASCADE, related_name="projects")
    title = models.CharField(_("title"), max_length=200)
    provocation = models.TextField(_("provocation or question that started it"))
    hypotheses = models.TextField(_("the children's hypotheses and theories"), blank=True)
    materials = models.TextField(_("materials and atelier"), blank=True)
    started_on = models.DateField(_("started on"))
    status = models.CharField(_("status"), max_length=10, choices=ProjectStatus.choices, default="active")
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-started_on", "id"]

    def __str__(self) -> str:
        return self.title


class ProjectPhase(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="phases")
    title = models.CharField(_("phase"), max_length=200)
    starts_on = models.DateField(_("starts on"))
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["starts_on", "id"]

    def __str__(self) -> str:
        return self.title


class SmallGroup(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="groups")
    name = models.CharField(_("group"), max_length=100)
    children = models.ManyToManyField(Resident, related_name="+")

    def __str__(self) -> str:
        return self.name


class AtelierSession(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="sessions")
    group = models.ForeignKey(SmallGroup, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    day = models.DateField(_("day"))
    materials = models.CharField(_("materials"), max_length=300)
    is_revisit = models.BooleanField(_("revisit with the children"), default=False)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["day", "id"]

    def __str__(self) -> str:
        return f"{self.day} {self.materials}"


class ObservationSource(models.TextChoices):
    SCHOOL = "school", _("School")
    HOME = "home", _("Home")


class Observation(models.Model):
    """Pedagogical documentation: what happened, the children's own words, the interpretation."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    classroom = models.ForeignKey(Classroom, on_delete=models.CASCADE, related_name="observations")
    project = models.ForeignKey(
        Project, on_delete=models.SET_NULL, null=True, blank=True, related_name="observations"
    )
    source = models.CharField(max_length=10, choices=ObservationSource.choices, default="school")
    observed_on = models.DateField(_("date"))
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("what happened"), blank=True)
    interpretation = models.TextField(_("teacher's interpretation"), blank=True)
    languages = models.JSONField(_("expressive languages"), default=list, blank=True)
    visibility = models.CharField(_("visibility"), max_length=10, choices=Visibility.choices, default="team")
    standards = models.ManyToManyField(Standard, blank=True, related_name="+")
    indicators = models.ManyToManyField(Indicator, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-observed_on", "-id"]
        indexes = [models.Index(fields=["classroom", "observed_on"])]

    def __str__(self) -> str:
        return self.title


class ObservationChild(models.Model):
    """A child in an observation, with their own words kept verbatim."""

    observation = models.ForeignKey(Observation, on_delete=models.CASCADE, related_name="children")
    child = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="+")
    quote = models.TextField(_("the child's own words"), blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["observation", "child"], name="observation_child_unique"),
        ]
        indexes = [models.Index(fields=["child", "observation"])]

    def __str__(self) -> str:
        return f"{self.observation_id}: {self.child_id}"


class MediaKind(models.TextChoices):
    PHOTO = "photo", _("Photo")
    VIDEO = "video", _("Video")
    AUDIO = "audio", _("Audio")
    FILE = "file", _("File")


class MediaState(models.TextChoices):
    PROCESSING = "processing", _("Processing")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


class Media(models.Model):
    """A file of an observation, with the children it shows (``children``: a subset of the
    observation's children; all of them unless the teacher says otherwise; a sound recording or a
    document may show nobody). Files are served only through an access check (never straight from
    /media/), and consent is decided by the children the file shows, on every view."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    observation = models.ForeignKey(Observation, on_delete=models.CASCADE, related_name="media")
    kind = models.CharField(max_length=10, choices=MediaKind.choices)
    content_type = models.CharField(max_length=100)
    original = models.FileField(upload_to="childhood/original/%Y/%m/")
    web = models.FileField(upload_to="childhood/web/%Y/%m/", blank=True)
    thumb = models.FileField(upload_to="childhood/thumb/%Y/%m/", blank=True)
    name = models.CharField(max_length=200, blank=True)
    size = models.PositiveIntegerField(default=0)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    state = models.CharField(max_length=12, choices=MediaState.choices, default="ready")
    children = models.ManyToManyField(
        Resident, blank=True, related_name="+", verbose_name=_("children in the photo or recording")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name or f"#{self.pk}"

    @property
    def must_show_someone(self) -> bool:
        """A photo or video shows at least one child; a sound recording or a file may show nobody."""
        return self.kind in (MediaKind.PHOTO, MediaKind.VIDEO)


class Comment(models.Model):
    """A family's (or teacher's) comment on an observation, about one child."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    observation = models.ForeignKey(Observation, on_delete=models.CASCADE, related_name="comments")
    child = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("comment"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.text[:40]


# --- Ratings and transition ----------------------------------------------------------------------------


class Rating(models.Model):
    """End-of-term rating of one standard: 3 good, 2 fair, 1 needs support; with evidence."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    child = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="+")
    classroom = models.ForeignKey(Classroom, on_delete=models.CASCADE, related_name="ratings")
    term = models.ForeignKey(Term, on_delete=models.PROTECT, related_name="+")
    standard = models.ForeignKey(Standard, on_delete=models.PROTECT, related_name="+")
    score = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(3)])
    evidence = models.ManyToManyField(Observation, blank=True, related_name="+")
    rated_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    rated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["child", "term", "standard"], name="rating_unique"),
            models.CheckConstraint(condition=Q(score__gte=1, score__lte=3), name="rating_score_range"),
        ]

    def __str__(self) -> str:
        return f"{self.child_id} {self.standard_id}: {self.score}"


class IndicatorRating(models.Model):
    """End-of-term rating of one indicator (ตัวบ่งชี้): 3 good, 2 fair, 1 needs support; with
    evidence. When any indicator of a standard is rated for a child and term, the standard's rating
    is worked out from them (:func:`thukkhon.childhood.selectors.derive_standard_score`) and a
    :class:`Rating` of that standard set directly is no longer read."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    child = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="+")
    classroom = models.ForeignKey(Classroom, on_delete=models.CASCADE, related_name="indicator_ratings")
    term = models.ForeignKey(Term, on_delete=models.PROTECT, related_name="+")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    score = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(3)])
    evidence = models.ManyToManyField(Observation, blank=True, related_name="+")
    rated_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    rated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["child", "term", "indicator"], name="indicator_rating_unique"),
            models.CheckConstraint(
                condition=Q(score__gte=1, score__lte=3), name="indicator_rating_score_range"
            ),
        ]
        indexes = [models.Index(fields=["term", "child"])]

    def __str__(self) -> str:
        return f"{self.child_id} {self.indicator_id}: {self.score}"


class TransitionSummary(models.Model):
    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    child = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="+")
    written_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("summary"))
    strengths = models.TextField(_("strengths and interests"), blank=True)
    family_words = models.TextField(_("the family's words"), blank=True)
    receiving_school = models.CharField(_("primary school"), max_length=200, blank=True)
    shared_at = models.DateTimeField(_("shared at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.child_id} ({self.created_at:%Y-%m-%d})"


# --- DSPM screening ----------------------------------------------------------------------------------------

DSPM_AGES = (9, 18, 30, 42, 60)


class DspmDomain(models.TextChoices):
    GM = "gm", _("Gross motor")
    FM = "fm", _("Fine motor")
    RL = "rl", _("Receptive language")
    EL = "el", _("Expressive language")
    PS = "ps", _("Personal and social")


class Screening(models.Model):
    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    child = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="+")
    age_band = models.PositiveSmallIntegerField(_("age band (months)"))
    screened_on = models.DateField(_("screened on"))
    is_rescreen = models.BooleanField(default=False)
    gm = models.BooleanField(_("gross motor passed"))
    fm = models.BooleanField(_("fine motor passed"))
    rl = models.BooleanField(_("receptive language passed"))
    el = models.BooleanField(_("expressive language passed"))
    ps = models.BooleanField(_("personal and social passed"))
    screened_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["screened_on", "id"]
        indexes = [models.Index(fields=["child", "age_band"])]

    def __str__(self) -> str:
        return f"{self.child_id} {self.age_band} m {self.screened_on}"

    @property
    def passed(self) -> bool:
        return all((self.gm, self.fm, self.rl, self.el, self.ps))

    def failed_domains(self) -> list[str]:
        return [d for d in DspmDomain.values if not getattr(self, d)]


class CaseStage(models.TextChoices):
    STIMULATION = "stimulation", _("Stimulation at home (30 days)")
    REFERRED = "referred", _("Referred (TEDA4I)")
    CLOSED = "closed", _("Closed")


class DevelopmentCase(models.Model):
    """A suspected delay: 30-day stimulation plan → re-screen → referral → closure."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    child = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="+")
    screening = models.OneToOneField(Screening, on_delete=models.PROTECT, related_name="case")
    stage = models.CharField(max_length=12, choices=CaseStage.choices, default="stimulation")
    domains = models.JSONField(default=list)
    plan = models.TextField(_("stimulation plan for the family"))
    opened_on = models.DateField()
    rescreen_due_on = models.DateField()
    rescreen = models.ForeignKey(
        Screening, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    referred_on = models.DateField(null=True, blank=True)
    referred_to = models.CharField(_("referred to"), max_length=200, blank=True)
    reassess_due_on = models.DateField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=300, blank=True)

    class Meta:
        ordering = ["-opened_on", "id"]

    def __str__(self) -> str:
        return f"{self.child_id} {self.stage}"
