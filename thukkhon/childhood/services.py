"""Every write of the early childhood app: keyword-only, typed, atomic, validated.

Errors are a :class:`~django.core.exceptions.ValidationError` with messages per field, in the
user's language; nothing is half-written.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from thukkhon.childhood import access
from thukkhon.childhood.media import MAX_FILES, check_upload, stored_name
from thukkhon.childhood.models import (
    DSPM_AGES,
    AbsenceReason,
    AtelierSession,
    Attendance,
    AttendanceStatus,
    CaseStage,
    Centre,
    Classroom,
    Comment,
    DevelopmentCase,
    Enrolment,
    GuardianRelation,
    Guardianship,
    Indicator,
    IndicatorRating,
    Language,
    Media,
    MediaKind,
    MediaState,
    Observation,
    ObservationChild,
    ObservationSource,
    Project,
    ProjectPhase,
    Rating,
    Screening,
    SmallGroup,
    Standard,
    TeacherAssignment,
    Term,
    TransitionSummary,
    Visibility,
)
from thukkhon.core.actor import Actor
from thukkhon.core.jobs import enqueue
from thukkhon.core.models import ConsentPurpose, Membership, Municipality, Notification, User
from thukkhon.core.roles import Role
from thukkhon.core.services import consent_active
from thukkhon.core.thai import be_year, ce_year
from thukkhon.people.models import Resident

Errors = dict[str, list[str]]


def _raise(errors: Errors) -> None:
    if errors:
        raise ValidationError(errors)  # type: ignore[arg-type]


def _require_staff(actor: Actor) -> None:
    if not access.is_staff(actor):
        raise ValidationError(_("Only teachers and administrators may do this."))


def _require_admin(actor: Actor) -> None:
    if not actor.has_role(*access.STAFF_ALL):
        raise ValidationError(_("Only administrators may do this."))


def _same_town(actor: Actor, *objs: object) -> None:
    for obj in objs:
        if getattr(obj, "municipality_id", actor.municipality.pk) != actor.municipality.pk:
            raise ValidationError(_("This belongs to another municipality."))


def _classroom_in_scope(actor: Actor, classroom: Classroom) -> None:
    _same_town(actor, classroom)
    scope = access.classroom_ids_for(actor)
    if scope is not None and classroom.pk not in scope:
        raise ValidationError(_("This is not one of your classrooms."))


# --- Academic years -------------------------------------------------------------------------------------


def academic_year_of(day: date) -> int:
    """The Thai academic year (B.E.) a day belongs to: it starts in May."""
    return be_year(day) if day.month >= 5 else be_year(day) - 1


def default_term_dates(academic_year: int, number: int) -> tuple[date, date]:
    if number == 1:
        return date(ce_year(academic_year, 5), 5, 16), date(ce_year(academic_year, 10), 10, 10)
    return date(ce_year(academic_year, 11), 11, 1), date(ce_year(academic_year, 12) + 1, 3, 31)


def terms_ensure(*, municipality: Municipality, academic_year: int) -> list[Term]:
    """The two terms of an academic year, created with the usual dates when missing."""
    terms = []
    for number in (1, 2):
        starts, ends = default_term_dates(academic_year, number)
        term, _created = Term.objects.get_or_create(
            municipality=municipality,
            academic_year=academic_year,
            number=number,
            defaults={"starts_on": starts, "ends_on": ends},
        )
        terms.append(term)
    return terms


def term_for(municipality: Municipality, day: date) -> Term:
    """The term containing ``day``, or the last one before it (holidays belong to the term before)."""
    year = academic_year_of(day)
    terms = terms_ensure(municipality=municipality, academic_year=year)
    return terms[1] if day >= terms[1].starts_on else terms[0]


# --- Centres, classrooms, enrolments, guardians --------------------------------------------------------


@transaction.atomic
def centre_create(*, actor: Actor, name_th: str, kind: str, name_en: str = "") -> Centre:
    _require_admin(actor)
    if not name_th.strip():
        _raise({"name_th": [_("Enter the name.")]})
    return Centre.objects.create(
        municipality=actor.municipality, name_th=name_th.strip(), name_en=name_en, kind=kind
    )


@transaction.atomic
def classroom_create(
    *, actor: Actor, centre: Centre, name: str, academic_year: int, level: str = ""
) -> Classroom:
    _require_admin(actor)
    _same_town(actor, centre)
    errors: Errors = {}
    if not name.strip():
        errors["name"] = [_("Enter the name.")]
    if not 2500 <= academic_year <= 2700:
        errors["academic_year"] = [_("Enter the academic year in the Buddhist Era, e.g. 2568.")]
    _raise(errors)
    if Classroom.objects.filter(centre=centre, academic_year=academic_year, name=name.strip()).exists():
        _raise({"name": [_("This centre already has a classroom of that name this year.")]})
    terms_ensure(municipality=actor.municipality, academic_year=academic_year)
    return Classroom.objects.create(
        municipality=actor.municipality,
        centre=centre,
        name=name.strip(),
        academic_year=academic_year,
        level=level,
    )


@transaction.atomic
def teacher_assign(*, actor: Actor, classroom: Classroom, membership: Membership) -> TeacherAssignment:
    _require_admin(actor)
    _same_town(actor, classroom, membership)
    if membership.role != Role.TEACHER:
        _raise({"membership": [_("Choose a teacher.")]})
    assignment, _created = TeacherAssignment.objects.get_or_create(membership=membership, classroom=classroom)
    return assignment


@transaction.atomic
def enrol(
    *, actor: Actor, classroom: Classroom, child: Resident, enrolled_on: date | None = None
) -> Enrolment:
    """Enrol a child in a classroom; a child who left the classroom comes back on the same row."""
    _require_staff(actor)
    _classroom_in_scope(actor, classroom)
    _same_town(actor, child)
    today = timezone.localdate()
    errors: Errors = {}
    age = child.age_on(today)
    if age is None or not 0 <= age <= 7:
        errors["child"] = [_("Only children up to 7 years old can be enrolled.")]
    if child.status != "alive":
        errors["child"] = [_("This person is not living in the municipality.")]
    if enrolled_on is not None and enrolled_on > today + timedelta(days=60):
        errors["enrolled_on"] = [_("The enrolment date is too far in the future.")]
    elsewhere = (
        Enrolment.objects.filter(
            child=child, left_on__isnull=True, classroom__academic_year=classroom.academic_year
        )
        .exclude(classroom=classroom)
        .select_related("classroom")
        .first()
    )
    if elsewhere is not None:
        errors["child"] = [
            _("This child is already enrolled in %(room)s this year; withdraw them there first.")
            % {"room": elsewhere.classroom.name}
        ]
    _raise(errors)
    enrolment, created = Enrolment.objects.get_or_create(
        classroom=classroom,
        child=child,
        defaults={"municipality": actor.municipality, "enrolled_on": enrolled_on or today},
    )
    if not created and enrolment.left_on is not None:
        enrolment.left_on = None
        enrolment.enrolled_on = enrolled_on or today
        enrolment.save(update_fields=["left_on", "enrolled_on"])
    return enrolment


@transaction.atomic
def enrolment_withdraw(*, actor: Actor, enrolment: Enrolment, left_on: date | None = None) -> Enrolment:
    """A child leaves a classroom. Their documentation, ratings and register stay."""
    _require_staff(actor)
    _same_town(actor, enrolment)
    _classroom_in_scope(actor, enrolment.classroom)
    day = left_on or timezone.localdate()
    errors: Errors = {}
    if enrolment.left_on is not None:
        errors["enrolment"] = [_("This child has already left this classroom.")]
    elif day < enrolment.enrolled_on:
        errors["left_on"] = [_("The leaving date cannot be before the enrolment date.")]
    elif day > timezone.localdate():
        errors["left_on"] = [_("This date cannot be in the future.")]
    _raise(errors)
    enrolment.left_on = day
    enrolment.save(update_fields=["left_on"])
    return enrolment


@transaction.atomic
def guardian_add(
    *,
    actor: Actor,
    child: Resident,
    relation: str,
    guardian: Resident | None = None,
    membership: Membership | None = None,
    name: str = "",
    lives_with_child: bool = True,
    is_primary: bool = False,
    phone: str = "",
) -> Guardianship:
    """Link a guardian or caregiver (grandparents included) to a child; a parent account gets the
    child in its scope."""
    _require_staff(actor)
    _same_town(actor, child, guardian, membership)
    if not access.staff_can_see_child(actor, child.pk):
        raise ValidationError(_("This child is not in one of your classrooms."))
    errors: Errors = {}
    if guardian is None and membership is None and not name.strip():
        errors["name"] = [_("Choose the guardian from the registry, a parent account, or enter a name.")]
    if membership is not None and membership.role != Role.PARENT:
        errors["membership"] = [_("Choose a parent or caregiver account.")]
    if guardian is not None and guardian.pk == child.pk:
        errors["guardian"] = [_("A child cannot be their own guardian.")]
    if relation not in GuardianRelation.values:
        errors["relation"] = [_("Choose the relation to the child from the list.")]
    if guardian is not None and guardian.status != "alive":
        errors["guardian"] = [_("This person is not living in the municipality.")]
    if guardian is not None and (age := guardian.age_on(timezone.localdate())) is not None and age < 12:
        errors["guardian"] = [_("A guardian must be at least 12 years old.")]
    if guardian is not None and Guardianship.objects.filter(child=child, guardian=guardian).exists():
        errors["guardian"] = [_("This person is already a guardian of the child.")]
    if membership is not None and Guardianship.objects.filter(child=child, membership=membership).exists():
        errors["membership"] = [_("This account is already linked to the child.")]
    if len(phone.strip()) > 20:
        errors["phone"] = [_("Enter a phone number of at most 20 characters.")]
    _raise(errors)
    if is_primary:
        Guardianship.objects.filter(child=child, is_primary=True).update(is_primary=False)
    return Guardianship.objects.create(
        municipality=actor.municipality,
        child=child,
        guardian=guardian,
        membership=membership,
        name=name.strip()[:200],
        relation=relation,
        lives_with_child=lives_with_child,
        is_primary=is_primary,
        phone=phone.strip() or (guardian.phone if guardian else ""),
    )


@transaction.atomic
def guardian_remove(*, actor: Actor, guardianship: Guardianship) -> None:
    """Unlink a guardian from a child (the registry record of the person stays)."""
    _require_staff(actor)
    _same_town(actor, guardianship)
    if not access.staff_can_see_child(actor, guardianship.child_id):
        raise ValidationError(_("This child is not in one of your classrooms."))
    guardianship.delete()


# --- Attendance ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mark:
    status: str
    reason: str = ""


@transaction.atomic
def attendance_record(*, actor: Actor, classroom: Classroom, day: date, marks: dict[int, Mark]) -> int:
    """Record a day's register. Idempotent: sending the same register twice changes nothing."""
    _require_staff(actor)
    _classroom_in_scope(actor, classroom)
    errors: Errors = {}
    if day > timezone.localdate():
        errors["day"] = [_("The register cannot be taken for a future day.")]
    enrolled = set(classroom.enrolments.filter(left_on__isnull=True).values_list("child_id", flat=True))
    unknown = set(marks) - enrolled
    if unknown:
        errors["marks"] = [_("Some children are not enrolled in this classroom.")]
    for mark in marks.values():
        if mark.status not in AttendanceStatus.values or mark.reason not in AbsenceReason.values:
            errors["marks"] = [_("Choose present, late or absent, and a reason from the list.")]
    _raise(errors)
    existing = {a.child_id: a for a in Attendance.objects.filter(classroom=classroom, day=day)}
    new, changed = [], []
    for child_id, mark in marks.items():
        reason = mark.reason if mark.status == AttendanceStatus.ABSENT else ""
        if mark.status == AttendanceStatus.ABSENT and not reason:
            reason = AbsenceReason.UNKNOWN
        row = existing.get(child_id)
        if row is None:
            new.append(
                Attendance(
                    municipality=actor.municipality,
                    classroom=classroom,
                    child_id=child_id,
                    day=day,
                    status=mark.status,
                    reason=reason,
                    recorded_by=actor.user,
                )
            )
        elif (row.status, row.reason) != (mark.status, reason):
            row.status, row.reason, row.recorded_by = mark.status, reason, actor.user
            changed.append(row)
    Attendance.objects.bulk_create(new)
    Attendance.objects.bulk_update(changed, ["status", "reason", "recorded_by"])
    return len(new) + len(changed)


# --- Observations and media ------------------------------------------------------------------------------


@dataclass
class ObservationData:
    observed_on: date
    title: str
    children: dict[int, str]  # child id → the child's own words (may be "")
    description: str = ""
    interpretation: str = ""
    languages: list[str] = field(default_factory=list)
    visibility: str = Visibility.TEAM
    standard_ids: list[int] = field(default_factory=list)
    indicator_ids: list[int] = field(default_factory=list)
    project_id: int | None = None


def _check_files(files: Sequence[UploadedFile], errors: Errors) -> list:  # type: ignore[type-arg]
    checked = []
    if len(files) > MAX_FILES:
        errors.setdefault("files", []).append(_("Attach at most %(n)d files at a time.") % {"n": MAX_FILES})
        return []
    for upload in files:
        ok, message = check_upload(upload)
        if message:
            errors.setdefault("files", []).append(message)
        elif ok is not None:
            checked.append(ok)
    return checked


def _shown_errors(
    checked: list,  # type: ignore[type-arg]
    files: Sequence[UploadedFile],
    shown: Sequence[Iterable[int] | None] | None,
    in_observation: set[int],
    errors: Errors,
) -> list[set[int]]:
    """Who each checked file shows: the ids given for it, by its position among ``files`` (None:
    all the observation's children). Each must be among the observation's children; a photo or
    video must show someone."""
    result = []
    for item in checked:
        i = next(j for j, f in enumerate(files) if f is item.upload)
        given = shown[i] if shown is not None and i < len(shown) else None
        ids = set(in_observation) if given is None else set(given)
        name = item.upload.name or _("file")
        if ids - in_observation:
            errors.setdefault("files", []).append(
                _("“%(name)s” may show only children of this observation.") % {"name": name}
            )
        elif not ids and item.kind in (MediaKind.PHOTO, MediaKind.VIDEO):
            errors.setdefault("files", []).append(
                _("“%(name)s”: tick at least one child who is in the photo or video.") % {"name": name}
            )
        result.append(ids)
    return result


def _save_media(
    actor: Actor,
    observation: Observation,
    checked: list,  # type: ignore[type-arg]
    shown: Sequence[set[int]],
) -> list[Media]:
    saved: list[Media] = []
    try:
        for item in checked:
            media = Media(
                municipality=actor.municipality,
                observation=observation,
                kind=item.kind,
                content_type=item.content_type,
                name=(item.upload.name or "")[:200],
                size=item.upload.size or 0,
                width=item.width,
                height=item.height,
                state=MediaState.PROCESSING if item.kind == MediaKind.PHOTO else MediaState.READY,
            )
            media.original.save(stored_name(item.upload.name or ""), item.upload, save=False)
            saved.append(media)
            media.save()
    except Exception:
        for media in saved:  # nothing half-saved: the rows roll back, the files go too
            media.original.delete(save=False)
        raise
    Media.children.through.objects.bulk_create(
        [
            Media.children.through(media_id=media.pk, resident_id=cid)
            for media, ids in zip(saved, shown, strict=True)
            for cid in ids
        ]
    )
    photos = [m.pk for m in saved if m.kind == MediaKind.PHOTO]
    if photos:
        enqueue(
            municipality=actor.municipality,
            kind="childhood.resize_media",
            params={"media_ids": photos},
            user=actor.user,
            total=len(photos),
        )
    return saved


def media_tag_all(media_ids: Iterable[int]) -> int:
    """Give files all of their observation's children (for files created in bulk, such as the
    demo's); files that already show someone are left as they are. Returns the links made."""
    ids = list(media_ids)
    tagged = set(Media.children.through.objects.filter(media_id__in=ids).values_list("media_id", flat=True))
    links = [
        Media.children.through(media_id=mid, resident_id=cid)
        for mid, cid in Media.objects.filter(pk__in=set(ids) - tagged).values_list(
            "id", "observation__children__child_id"
        )
        if cid is not None
    ]
    Media.children.through.objects.bulk_create(links, batch_size=5000)
    return len(links)


@transaction.atomic
def media_children_set(*, actor: Actor, media: Media, child_ids: Iterable[int]) -> Media:
    """Say who is in a photo or recording: some of the observation's children (a photo or video at
    least one; a sound recording or document may show nobody). Decides who may see it."""
    _require_staff(actor)
    _same_town(actor, media)
    _classroom_in_scope(actor, media.observation.classroom)
    ids = set(child_ids)
    in_observation = set(media.observation.children.values_list("child_id", flat=True))
    if ids - in_observation:
        _raise({"children": [_("Choose children of this observation.")]})
    if not ids and media.must_show_someone:
        _raise({"children": [_("Tick at least one child who is in the photo or video.")]})
    media.children.set(ids)
    return media


def _observation_errors(actor: Actor, classroom: Classroom, data: ObservationData) -> Errors:
    errors: Errors = {}
    if not data.title.strip():
        errors["title"] = [_("Give the observation a short title.")]
    if data.observed_on > timezone.localdate():
        errors["observed_on"] = [_("This date cannot be in the future.")]
    if not data.children:
        errors["children"] = [_("Choose at least one child.")]
    enrolled = set(classroom.enrolments.values_list("child_id", flat=True))
    if set(data.children) - enrolled:
        errors["children"] = [_("Some children are not enrolled in this classroom.")]
    if set(data.languages) - set(Language.values):
        errors["languages"] = [_("Choose languages from the list.")]
    if data.visibility not in Visibility.values:
        errors["visibility"] = [_("Choose who may see this.")]
    if data.project_id and not Project.objects.filter(pk=data.project_id, classroom=classroom).exists():
        errors["project"] = [_("Choose a project of this classroom.")]
    return errors


@transaction.atomic
def observation_create(
    *,
    actor: Actor,
    classroom: Classroom,
    data: ObservationData,
    files: Sequence[UploadedFile] = (),
    shown: Sequence[Iterable[int] | None] | None = None,
) -> Observation:
    """Record an observation with its files. Every file is checked before anything is written.

    ``shown[i]`` are the children in ``files[i]`` (None or missing: all the observation's
    children)."""
    _require_staff(actor)
    _classroom_in_scope(actor, classroom)
    errors = _observation_errors(actor, classroom, data)
    checked = _check_files(files, errors)
    shown_sets = _shown_errors(checked, files, shown, set(data.children), errors)
    _raise(errors)
    obs = Observation.objects.create(
        municipality=actor.municipality,
        classroom=classroom,
        project_id=data.project_id,
        observed_on=data.observed_on,
        author=actor.user,
        title=data.title.strip(),
        description=data.description.strip(),
        interpretation=data.interpretation.strip(),
        languages=list(dict.fromkeys(data.languages)),
        visibility=data.visibility,
    )
    ObservationChild.objects.bulk_create(
        [
            ObservationChild(observation=obs, child_id=cid, quote=quote.strip())
            for cid, quote in data.children.items()
        ]
    )
    framework_standards = Standard.objects.filter(pk__in=data.standard_ids)
    obs.standards.set(framework_standards)
    obs.indicators.set(Indicator.objects.filter(pk__in=data.indicator_ids))
    _save_media(actor, obs, checked, shown_sets)
    return obs


@transaction.atomic
def home_observation_create(
    *,
    actor: Actor,
    child: Resident,
    text: str,
    files: Sequence[UploadedFile] = (),
    observed_on: date | None = None,
) -> Observation:
    """A family adds what the child did at home (photo, voice, text) to the child's portfolio."""
    if not access.is_family(actor) or child.pk not in access.child_ids_for_family(actor):
        raise ValidationError(_("You can add only to your own child's portfolio."))
    errors: Errors = {}
    if not text.strip() and not files:
        errors["text"] = [_("Write something or attach a photo or recording.")]
    enrolment = (
        Enrolment.objects.filter(child=child, left_on__isnull=True)
        .order_by("-classroom__academic_year")
        .first()
    )
    if enrolment is None:
        errors["text"] = [_("Your child is not enrolled in a classroom.")]
    checked = _check_files(files, errors)
    _raise(errors)
    assert enrolment is not None
    obs = Observation.objects.create(
        municipality=actor.municipality,
        classroom_id=enrolment.classroom_id,
        source=ObservationSource.HOME,
        observed_on=observed_on or timezone.localdate(),
        author=actor.user,
        title=_("At home"),
        description=text.strip(),
        visibility=Visibility.FAMILY,
    )
    ObservationChild.objects.create(observation=obs, child=child)
    _save_media(actor, obs, checked, [{child.pk} for _item in checked])
    return obs


@transaction.atomic
def comment_add(*, actor: Actor, observation: Observation, child: Resident, text: str) -> Comment:
    own = access.child_ids_for_family(actor) if access.is_family(actor) else set()
    in_obs = set(observation.children.values_list("child_id", flat=True))
    allowed = (
        access.is_family(actor) and child.pk in own and access.family_sees_observation(actor, observation)
    ) or (access.is_staff(actor) and child.pk in in_obs)
    if not allowed or child.pk not in in_obs:
        raise ValidationError(_("You cannot comment on this."))
    if not text.strip():
        _raise({"text": [_("Write a comment.")]})
    return Comment.objects.create(
        municipality=actor.municipality,
        observation=observation,
        child=child,
        author=actor.user,
        text=text.strip()[:2000],
    )


# --- Projects -------------------------------------------------------------------------------------------


@transaction.atomic
def project_create(
    *,
    actor: Actor,
    classroom: Classroom,
    title: str,
    provocation: str,
    started_on: date,
    hypotheses: str = "",
    materials: str = "",
) -> Project:
    _require_staff(actor)
    _classroom_in_scope(actor, classroom)
    errors: Errors = {}
    if not title.strip():
        errors["title"] = [_("Give the project a title.")]
    if not provocation.strip():
        errors["provocation"] = [_("Write the children's question or the provocation that started it.")]
    _raise(errors)
    return Project.objects.create(
        municipality=actor.municipality,
        classroom=classroom,
        title=title.strip(),
        provocation=provocation.strip(),
        hypotheses=hypotheses.strip(),
        materials=materials.strip(),
        started_on=started_on,
        created_by=actor.user,
    )


@transaction.atomic
def project_phase_add(
    *, actor: Actor, project: Project, title: str, starts_on: date, notes: str = ""
) -> ProjectPhase:
    _classroom_in_scope(actor, project.classroom)
    if not title.strip():
        _raise({"title": [_("Name the phase.")]})
    return ProjectPhase.objects.create(project=project, title=title.strip(), starts_on=starts_on, notes=notes)


def _group_errors(project: Project, name: str, ids: set[int]) -> Errors:
    errors: Errors = {}
    if not name.strip():
        errors["name"] = [_("Name the group.")]
    elif len(name.strip()) > 100:
        errors["name"] = [_("Keep the group's name under 100 characters.")]
    if not ids:
        errors["children"] = [_("Choose at least one child.")]
    enrolled = set(
        project.classroom.enrolments.filter(left_on__isnull=True).values_list("child_id", flat=True)
    )
    if ids - enrolled:
        errors["children"] = [_("Some children are not enrolled in this classroom.")]
    return errors


@transaction.atomic
def project_group_add(*, actor: Actor, project: Project, name: str, child_ids: Iterable[int]) -> SmallGroup:
    """A small group of the project (the atelier works with a few children at a time)."""
    _require_staff(actor)
    _same_town(actor, project)
    _classroom_in_scope(actor, project.classroom)
    ids = set(child_ids)
    _raise(_group_errors(project, name, ids))
    group = SmallGroup.objects.create(project=project, name=name.strip())
    group.children.set(ids)
    return group


@transaction.atomic
def project_group_update(
    *, actor: Actor, group: SmallGroup, name: str, child_ids: Iterable[int]
) -> SmallGroup:
    _require_staff(actor)
    _same_town(actor, group.project)
    _classroom_in_scope(actor, group.project.classroom)
    ids = set(child_ids)
    _raise(_group_errors(group.project, name, ids))
    group.name = name.strip()
    group.save(update_fields=["name"])
    group.children.set(ids)
    return group


@transaction.atomic
def project_group_delete(*, actor: Actor, group: SmallGroup) -> None:
    """Remove a group; its atelier sessions stay, without a group."""
    _require_staff(actor)
    _same_town(actor, group.project)
    _classroom_in_scope(actor, group.project.classroom)
    group.delete()


@transaction.atomic
def atelier_session_add(
    *,
    actor: Actor,
    project: Project,
    day: date,
    materials: str,
    group: SmallGroup | None = None,
    is_revisit: bool = False,
    notes: str = "",
) -> AtelierSession:
    _classroom_in_scope(actor, project.classroom)
    if group is not None and group.project_id != project.pk:
        _raise({"group": [_("Choose a group of this project.")]})
    return AtelierSession.objects.create(
        project=project, day=day, materials=materials.strip(), group=group, is_revisit=is_revisit, notes=notes
    )


# --- Ratings and transition ------------------------------------------------------------------------------


@transaction.atomic
def rating_set(
    *,
    actor: Actor,
    classroom: Classroom,
    child: Resident,
    term: Term,
    standard: Standard,
    score: int,
    evidence_ids: Iterable[int] = (),
) -> Rating:
    _require_staff(actor)
    _classroom_in_scope(actor, classroom)
    errors: Errors = {}
    if score not in (1, 2, 3):
        errors["score"] = [_("Rate 3 (good), 2 (fair) or 1 (needs support).")]
    if not classroom.enrolments.filter(child=child).exists():
        errors["child"] = [_("This child is not enrolled in this classroom.")]
    ids = set(evidence_ids)
    valid = set(
        Observation.objects.filter(pk__in=ids, classroom=classroom, children__child=child).values_list(
            "id", flat=True
        )
    )
    if ids - valid:
        errors["evidence"] = [_("Evidence must be observations of this child in this classroom.")]
    if _derived_standards(term, [(child.pk, standard.pk)]):
        errors["score"] = [_derived_message([standard.number])]
    _raise(errors)
    rating, _created = Rating.objects.update_or_create(
        child=child,
        term=term,
        standard=standard,
        defaults={
            "municipality": actor.municipality,
            "classroom": classroom,
            "score": score,
            "rated_by": actor.user,
        },
    )
    rating.evidence.set(valid)
    return rating


@dataclass(frozen=True)
class RatingEntry:
    """One cell of the ratings: a score 1–3, or None to clear it; evidence None leaves it as it is."""

    child_id: int
    standard_id: int
    score: int | None
    evidence_ids: tuple[int, ...] | None = None


def _derived_standards(term: Term, pairs: Iterable[tuple[int, int]]) -> set[tuple[int, int]]:
    """The (child, standard) pairs among ``pairs`` whose standard has an indicator rated in the
    term: their rating is worked out from the indicators, not set directly."""
    wanted = set(pairs)
    if not wanted:
        return set()
    rated = IndicatorRating.objects.filter(
        term=term, child_id__in={c for c, _s in wanted}, indicator__standard_id__in={s for _c, s in wanted}
    ).values_list("child_id", "indicator__standard_id")
    return wanted & set(rated)


def _derived_message(numbers: Iterable[int]) -> str:
    return _(
        "Standard %(numbers)s is worked out from its indicators: rate the indicators, or clear them "
        "to rate the standard as a whole."
    ) % {"numbers": ", ".join(str(n) for n in numbers)}


@dataclass(frozen=True)
class IndicatorEntry:
    """One indicator cell: a score 1–3, or None to clear it; evidence None leaves it as it is."""

    child_id: int
    indicator_id: int
    score: int | None
    evidence_ids: tuple[int, ...] | None = None


def _score_errors(
    classroom: Classroom, entries: Sequence[RatingEntry] | Sequence[IndicatorEntry], target: str
) -> Errors:
    """What is wrong with 3/2/1 cells of one classroom whatever they rate (``target`` is
    ``"standard"`` or ``"indicator"``): children not enrolled, scores other than 3/2/1 or empty,
    evidence that is not an observation of the child in this classroom, a cell given twice."""
    errors: Errors = {}
    enrolled = set(classroom.enrolments.values_list("child_id", flat=True))
    if {e.child_id for e in entries} - enrolled:
        errors["child"] = [_("Some children are not enrolled in this classroom.")]
    if any(e.score is not None and e.score not in (1, 2, 3) for e in entries):
        errors["score"] = [_("Rate 3 (good), 2 (fair) or 1 (needs support).")]
    wanted = {i for e in entries for i in (e.evidence_ids or ())}
    observed = set(
        ObservationChild.objects.filter(
            observation_id__in=wanted, observation__classroom=classroom
        ).values_list("observation_id", "child_id")
    )
    if any((i, e.child_id) not in observed for e in entries for i in (e.evidence_ids or ())):
        errors["evidence"] = [_("Evidence must be observations of this child in this classroom.")]
    if len({(e.child_id, getattr(e, f"{target}_id")) for e in entries}) != len(entries):
        errors["score"] = [
            _("Each child and standard may be rated once.")
            if target == "standard"
            else _("Each child and indicator may be rated once.")
        ]
    return errors


def _write_scores(
    *,
    actor: Actor,
    classroom: Classroom,
    term: Term,
    model: type[Rating] | type[IndicatorRating],
    target: str,
    entries: Sequence[RatingEntry] | Sequence[IndicatorEntry],
) -> dict[str, int]:
    """Write checked cells: a new score is created, a different one updated, an empty one cleared,
    and evidence replaced where it is given. Sending the same cells twice changes nothing."""
    key = f"{target}_id"
    existing = {
        (r.child_id, getattr(r, key)): r
        for r in model.objects.filter(
            term=term,
            child_id__in={e.child_id for e in entries},
            **{f"{key}__in": {getattr(e, key) for e in entries}},
        )
    }
    new: list[tuple[Any, Any]] = []
    changed: list[Any] = []
    deleted: list[int] = []
    evidence_of: dict[int, tuple[int, ...]] = {}
    now = timezone.now()
    for e in entries:
        row = existing.get((e.child_id, getattr(e, key)))
        if e.score is None:
            if row is not None:
                deleted.append(row.pk)
            continue
        if row is None:
            made = model(
                municipality=actor.municipality,
                child_id=e.child_id,
                classroom=classroom,
                term=term,
                score=e.score,
                rated_by=actor.user,
                **{key: getattr(e, key)},
            )
            new.append((made, e))
            continue
        if row.score != e.score or row.classroom_id != classroom.pk:
            row.score, row.classroom, row.rated_by, row.rated_at = e.score, classroom, actor.user, now
            changed.append(row)
        if e.evidence_ids is not None:
            evidence_of[row.pk] = e.evidence_ids
    model.objects.filter(pk__in=deleted).delete()
    created = model.objects.bulk_create([r for r, _e in new])
    for rating, (_r, e) in zip(created, new, strict=True):
        if e.evidence_ids:
            evidence_of[rating.pk] = e.evidence_ids
    model.objects.bulk_update(changed, ["score", "classroom", "rated_by", "rated_at"])
    through: Any = model.evidence.through
    owner = f"{model._meta.model_name}_id"
    if evidence_of:
        through.objects.filter(**{f"{owner}__in": list(evidence_of)}).delete()
        through.objects.bulk_create(
            [
                through(**{owner: rid}, observation_id=oid)
                for rid, ids in evidence_of.items()
                for oid in set(ids)
            ]
        )
    return {"created": len(created), "changed": len(changed), "cleared": len(deleted)}


@transaction.atomic
def ratings_record(
    *, actor: Actor, classroom: Classroom, term: Term, entries: Sequence[RatingEntry]
) -> dict[str, int]:
    """Record many end-of-term ratings of standards as a whole at once (a class grid or one
    child's twelve standards). A standard with an indicator rated follows from its indicators and
    cannot be set directly.

    Every entry is checked before anything is written; evidence must be observations of the child
    in this classroom. Sending the same ratings twice changes nothing."""
    _require_staff(actor)
    _classroom_in_scope(actor, classroom)
    _same_town(actor, term)
    errors = _score_errors(classroom, entries, "standard")
    standard_ids = {e.standard_id for e in entries}
    if standard_ids - set(Standard.objects.filter(pk__in=standard_ids).values_list("id", flat=True)):
        errors["standard"] = [_("Choose standards of the curriculum.")]
    derived = _derived_standards(term, [(e.child_id, e.standard_id) for e in entries if e.score is not None])
    if derived:
        numbers = sorted(
            set(
                Standard.objects.filter(pk__in={sid for _cid, sid in derived}).values_list(
                    "number", flat=True
                )
            )
        )
        errors["score"] = [_derived_message(numbers)]
    _raise(errors)
    return _write_scores(
        actor=actor, classroom=classroom, term=term, model=Rating, target="standard", entries=entries
    )


@transaction.atomic
def indicator_ratings_record(
    *, actor: Actor, classroom: Classroom, term: Term, entries: Sequence[IndicatorEntry]
) -> dict[str, int]:
    """Record many end-of-term indicator ratings at once (the class grid of a standard, or one
    child's sheet). The standard's rating then follows from its indicators
    (:func:`thukkhon.childhood.selectors.derive_standard_score`).

    Every entry is checked before anything is written: a score other than 3, 2 or 1 (or empty to
    clear) is refused with nothing saved; evidence must be observations of the child in this
    classroom. Sending the same ratings twice changes nothing."""
    _require_staff(actor)
    _classroom_in_scope(actor, classroom)
    _same_town(actor, term)
    errors = _score_errors(classroom, entries, "indicator")
    indicator_ids = {e.indicator_id for e in entries}
    known = set(
        Indicator.objects.filter(pk__in=indicator_ids, standard__framework__is_current=True).values_list(
            "id", flat=True
        )
    )
    if indicator_ids - known:
        errors["indicator"] = [_("Choose indicators of the curriculum.")]
    _raise(errors)
    return _write_scores(
        actor=actor,
        classroom=classroom,
        term=term,
        model=IndicatorRating,
        target="indicator",
        entries=entries,
    )


@transaction.atomic
def term_ratings_record(
    *,
    actor: Actor,
    classroom: Classroom,
    term: Term,
    indicators: Sequence[IndicatorEntry] = (),
    standards: Sequence[RatingEntry] = (),
) -> dict[str, int]:
    """One child's sheet (or a class grid) saved at once: the indicators first, then the
    standards rated as a whole; if anything is refused nothing is saved."""
    done = indicator_ratings_record(actor=actor, classroom=classroom, term=term, entries=indicators)
    more = ratings_record(actor=actor, classroom=classroom, term=term, entries=standards)
    return {k: done[k] + more[k] for k in done}


@transaction.atomic
def transition_summary_write(
    *,
    actor: Actor,
    child: Resident,
    text: str,
    receiving_school: str = "",
    strengths: str = "",
    family_words: str = "",
) -> TransitionSummary:
    _require_staff(actor)
    if not access.staff_can_see_child(actor, child.pk):
        raise ValidationError(_("This child is not in one of your classrooms."))
    if not text.strip():
        _raise({"text": [_("Write the summary.")]})
    return TransitionSummary.objects.create(
        municipality=actor.municipality,
        child=child,
        written_by=actor.user,
        text=text.strip(),
        receiving_school=receiving_school.strip()[:200],
        strengths=strengths.strip(),
        family_words=family_words.strip(),
    )


@transaction.atomic
def transition_summary_update(
    *,
    actor: Actor,
    summary: TransitionSummary,
    text: str,
    receiving_school: str = "",
    strengths: str = "",
    family_words: str = "",
) -> TransitionSummary:
    """Edit a summary until it is shared; a shared summary is kept as it was sent."""
    _require_staff(actor)
    _same_town(actor, summary)
    if not access.staff_can_see_child(actor, summary.child_id):
        raise ValidationError(_("This child is not in one of your classrooms."))
    if summary.shared_at is not None:
        raise ValidationError(
            _("This summary has been shared with the primary school and cannot be changed.")
        )
    if not text.strip():
        _raise({"text": [_("Write the summary.")]})
    summary.text = text.strip()
    summary.receiving_school = receiving_school.strip()[:200]
    summary.strengths = strengths.strip()
    summary.family_words = family_words.strip()
    summary.save(update_fields=["text", "receiving_school", "strengths", "family_words"])
    return summary


@transaction.atomic
def transition_summary_share(*, actor: Actor, summary: TransitionSummary) -> TransitionSummary:
    """Mark a transition summary as shared with the primary school: only with the family's consent."""
    _require_staff(actor)
    _same_town(actor, summary)
    if not consent_active(summary.child, ConsentPurpose.TRANSITION_SUMMARY):
        raise ValidationError(
            _("The family has not consented to sharing a transition summary with the primary school.")
        )
    summary.shared_at = timezone.now()
    summary.save(update_fields=["shared_at"])
    return summary


# --- DSPM ------------------------------------------------------------------------------------------------

STIMULATION_DAYS = 30
REASSESS_DAYS = 90
OVERDUE_GRACE_DAYS = 7
DUE_WINDOW_MONTHS = 3


def age_in_months(birth: date, on: date) -> int:
    return (on.year - birth.year) * 12 + on.month - birth.month - (on.day < birth.day)


def dspm_band_due(birth: date, on: date) -> int | None:
    """The DSPM age band a child is due for on a day (within 3 months of reaching it), if any."""
    months = age_in_months(birth, on)
    return next((band for band in DSPM_AGES if band <= months < band + DUE_WINDOW_MONTHS), None)


@dataclass(frozen=True)
class DspmResult:
    gm: bool
    fm: bool
    rl: bool
    el: bool
    ps: bool


def _open_case(child: Resident) -> DevelopmentCase | None:
    return DevelopmentCase.objects.filter(child=child).exclude(stage=CaseStage.CLOSED).first()


@transaction.atomic
def screening_record(
    *,
    actor: Actor,
    child: Resident,
    screened_on: date,
    result: DspmResult,
    age_band: int | None = None,
    plan: str = "",
    referred_to: str = "",
) -> Screening:
    """Record a DSPM screen and move the loop on.

    A first screen with a domain not passed opens a case: a 30-day stimulation plan for the family,
    re-screen due 30 days later. The re-screen passes → the case closes as age-appropriate after
    stimulation; it fails → referral (TEDA4I), re-assessment due after 3 months."""
    _require_staff(actor)
    if not access.staff_can_see_child(actor, child.pk):
        raise ValidationError(_("This child is not in one of your classrooms."))
    errors: Errors = {}
    if screened_on > timezone.localdate():
        errors["screened_on"] = [_("This date cannot be in the future.")]
    if child.birth_date is None:
        errors["child"] = [_("The child's birth date is needed for DSPM screening.")]
    _raise(errors)
    assert child.birth_date is not None
    case = _open_case(child)
    is_rescreen = case is not None and case.stage == CaseStage.STIMULATION and case.rescreen_id is None
    if is_rescreen:
        assert case is not None
        band = case.screening.age_band
    else:
        band = age_band or dspm_band_due(child.birth_date, screened_on) or 0
        if band not in DSPM_AGES:
            _raise({"age_band": [_("Choose the DSPM age: 9, 18, 30, 42 or 60 months.")]})
    screening = Screening.objects.create(
        municipality=actor.municipality,
        child=child,
        age_band=band,
        screened_on=screened_on,
        is_rescreen=is_rescreen,
        screened_by=actor.user,
        **result.__dict__,
    )
    if is_rescreen:
        assert case is not None
        case.rescreen = screening
        if screening.passed:
            case.stage = CaseStage.CLOSED
            case.closed_on = screened_on
            case.outcome = _("Passed the re-screen after stimulation: age-appropriate development.")
        else:
            case.stage = CaseStage.REFERRED
            case.referred_on = screened_on
            case.referred_to = referred_to.strip() or _("Hospital with TEDA4I-trained staff")
            case.reassess_due_on = screened_on + timedelta(days=REASSESS_DAYS)
        case.save()
    elif not screening.passed and case is None:
        DevelopmentCase.objects.create(
            municipality=actor.municipality,
            child=child,
            screening=screening,
            domains=screening.failed_domains(),
            plan=plan.strip()
            or _("Practise the DSPM activities for the domains not passed at home every day."),
            opened_on=screened_on,
            rescreen_due_on=screened_on + timedelta(days=STIMULATION_DAYS),
        )
    return screening


@transaction.atomic
def case_close(
    *, actor: Actor, case: DevelopmentCase, outcome: str, closed_on: date | None = None
) -> DevelopmentCase:
    _require_staff(actor)
    _same_town(actor, case)
    if case.stage == CaseStage.CLOSED:
        raise ValidationError(_("This case is already closed."))
    if not outcome.strip():
        _raise({"outcome": [_("Write the outcome.")]})
    case.stage = CaseStage.CLOSED
    case.closed_on = closed_on or timezone.localdate()
    case.outcome = outcome.strip()
    case.save(update_fields=["stage", "closed_on", "outcome"])
    return case


def _notify(municipality: Municipality, to: str, template: str, body: str, key: str) -> bool:
    _obj, created = Notification.objects.get_or_create(
        dedupe_key=key[:120],
        defaults={
            "municipality": municipality,
            "channel": "outbox",
            "to": to[:100],
            "template": template,
            "body": body,
        },
    )
    return created


def _guardian_addresses(child_ids: Iterable[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for g in Guardianship.objects.filter(child_id__in=list(child_ids)).select_related("membership"):
        if g.membership_id:
            out.setdefault(g.child_id, []).append(f"user:{g.membership.user_id}")  # type: ignore[union-attr]
        elif g.phone:
            out.setdefault(g.child_id, []).append(f"phone:{g.phone}")
    return out


def _teacher_addresses(child_ids: Iterable[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    rows = TeacherAssignment.objects.filter(
        classroom__enrolments__child_id__in=list(child_ids), classroom__enrolments__left_on__isnull=True
    ).values_list("classroom__enrolments__child_id", "membership__user_id")
    for child_id, user_id in rows:
        out.setdefault(child_id, []).append(f"user:{user_id}")
    return out


def dspm_reminders(*, municipality: Municipality, today: date | None = None) -> dict[str, int]:
    """Create the DSPM reminders due today (Notification rows; each sent once, by its dedupe key):

    * ``dspm_due``: an enrolled child reached a DSPM age and has no screen for it → family and teacher;
    * ``dspm_rescreen``: a stimulation plan ends within 3 days → family and teacher;
    * ``dspm_overdue``: the re-screen is 7 days late → escalated to the teacher and administrators;
    * ``dspm_reassess``: a referred child's 3-month re-assessment is due → teacher."""
    day = today or timezone.localdate()
    counts = {"dspm_due": 0, "dspm_rescreen": 0, "dspm_overdue": 0, "dspm_reassess": 0}
    enrolled = (
        Enrolment.objects.filter(
            municipality=municipality, left_on__isnull=True, child__birth_date__isnull=False
        )
        .select_related("child")
        .distinct()
    )
    children = {e.child_id: e.child for e in enrolled}
    screened = set(
        Screening.objects.filter(child_id__in=list(children), is_rescreen=False).values_list(
            "child_id", "age_band"
        )
    )
    guardians = _guardian_addresses(children)
    teachers = _teacher_addresses(children)
    admins = [
        f"user:{uid}"
        for uid in Membership.objects.filter(
            municipality=municipality, role=Role.ADMIN, is_active=True
        ).values_list("user_id", flat=True)
    ]
    for child in children.values():
        assert child.birth_date is not None
        band = dspm_band_due(child.birth_date, day)
        if band is None or (child.pk, band) in screened:
            continue
        body = _("%(name)s is due for developmental screening (DSPM) at %(months)d months.") % {
            "name": child.full_name,
            "months": band,
        }
        for to in guardians.get(child.pk, []) + teachers.get(child.pk, []):
            counts["dspm_due"] += _notify(
                municipality, to, "dspm_due", body, f"dspm-due:{child.pk}:{band}:{to}"
            )
    cases = DevelopmentCase.objects.filter(municipality=municipality).exclude(stage=CaseStage.CLOSED)
    for case in cases.select_related("child"):
        name = case.child.full_name
        recipients_family = guardians.get(case.child_id, [])
        recipients_team = teachers.get(case.child_id, [])
        if case.stage == CaseStage.STIMULATION and case.rescreen_id is None:
            if day >= case.rescreen_due_on - timedelta(days=3):
                body = _("%(name)s: the 30-day stimulation plan ends on %(day)s; re-screen then.") % {
                    "name": name,
                    "day": case.rescreen_due_on.isoformat(),
                }
                for to in recipients_family + recipients_team:
                    counts["dspm_rescreen"] += _notify(
                        municipality, to, "dspm_rescreen", body, f"dspm-rescreen:{case.pk}:{to}"
                    )
            if day > case.rescreen_due_on + timedelta(days=OVERDUE_GRACE_DAYS):
                body = _("%(name)s: the DSPM re-screen is overdue since %(day)s.") % {
                    "name": name,
                    "day": case.rescreen_due_on.isoformat(),
                }
                for to in recipients_team + admins:
                    counts["dspm_overdue"] += _notify(
                        municipality, to, "dspm_overdue", body, f"dspm-overdue:{case.pk}:{to}"
                    )
        elif case.stage == CaseStage.REFERRED and case.reassess_due_on and day >= case.reassess_due_on:
            body = _("%(name)s: re-assessment after referral is due.") % {"name": name}
            for to in recipients_team:
                counts["dspm_reassess"] += _notify(
                    municipality, to, "dspm_reassess", body, f"dspm-reassess:{case.pk}:{to}"
                )
    return counts


def user_of(address: str) -> User | None:
    if address.startswith("user:"):
        return User.objects.filter(pk=int(address[5:])).first()
    return None
