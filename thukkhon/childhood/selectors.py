"""Every read of the early childhood app, always scoped by the access helpers' rules."""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Prefetch, Q, QuerySet

from thukkhon.childhood import access
from thukkhon.childhood.consent import consented, family_media_allowed
from thukkhon.childhood.models import (
    PARENT_RELATIONS,
    Attendance,
    AttendanceStatus,
    CaseStage,
    Classroom,
    DevelopmentCase,
    Enrolment,
    Guardianship,
    Media,
    Observation,
    ObservationChild,
    ObservationSource,
    Rating,
    Screening,
    Term,
    Visibility,
)
from thukkhon.core.actor import Actor
from thukkhon.core.models import ConsentPurpose, Municipality
from thukkhon.people.models import IdKind, Resident, Vulnerability

CHRONIC_ABSENCE_SHARE = 0.10
MIN_CELL = 5


def classrooms_visible(actor: Actor) -> QuerySet[Classroom]:
    qs = Classroom.objects.filter(municipality=actor.municipality).select_related("centre")
    scope = access.classroom_ids_for(actor)
    if scope is not None:
        qs = qs.filter(pk__in=scope)
    return qs.annotate(n_children=Count("enrolments", filter=Q(enrolments__left_on__isnull=True)))


def children_of(classroom: Classroom) -> list[Resident]:
    return [
        e.child
        for e in classroom.enrolments.filter(left_on__isnull=True)
        .select_related("child")
        .order_by("child__first_name")
    ]


def observations_prefetched(qs: QuerySet[Observation]) -> QuerySet[Observation]:
    return qs.select_related("author", "project").prefetch_related(
        Prefetch("children", queryset=ObservationChild.objects.select_related("child")),
        Prefetch("media", queryset=Media.objects.order_by("id")),
        "standards",
    )


@dataclass
class ChildDocCount:
    child: Resident
    observations: int = 0
    quotes: int = 0
    attended: int = 0
    per_day: float = 0.0
    invisible: bool = False


def documentation_counts(classroom: Classroom, start: date, end: date) -> list[ChildDocCount]:
    """Observations and quotes per attended day, and the "invisible child" flag: below the median
    of the class."""
    rows = {c.pk: ChildDocCount(child=c) for c in children_of(classroom)}
    links = ObservationChild.objects.filter(
        observation__classroom=classroom,
        observation__source=ObservationSource.SCHOOL,
        observation__observed_on__range=(start, end),
        child_id__in=list(rows),
    ).values_list("child_id", "quote")
    for child_id, quote in links:
        rows[child_id].observations += 1
        rows[child_id].quotes += bool(quote)
    attended = (
        Attendance.objects.filter(classroom=classroom, day__range=(start, end), child_id__in=list(rows))
        .exclude(status=AttendanceStatus.ABSENT)
        .values("child_id")
        .annotate(n=Count("id"))
    )
    for row in attended:
        rows[row["child_id"]].attended = row["n"]
    for r in rows.values():
        r.per_day = (
            (r.observations + r.quotes) / r.attended if r.attended else float(r.observations + r.quotes)
        )
    if rows:
        median = statistics.median(r.per_day for r in rows.values())
        for r in rows.values():
            r.invisible = r.per_day < median
    return sorted(rows.values(), key=lambda r: (r.per_day, r.child.first_name))


@dataclass
class AttendanceRow:
    child: Resident
    school_days: int
    absent: int
    late: int

    @property
    def absence_share(self) -> float:
        return self.absent / self.school_days if self.school_days else 0.0

    @property
    def chronic(self) -> bool:
        return self.school_days > 0 and self.absence_share >= CHRONIC_ABSENCE_SHARE


def attendance_summary(classroom: Classroom, start: date, end: date) -> list[AttendanceRow]:
    """Per child: school days (days the register was taken), absences, lates; chronic absence is
    10 % or more of school days missed."""
    days = (
        Attendance.objects.filter(classroom=classroom, day__range=(start, end))
        .values("day")
        .distinct()
        .count()
    )
    counts: dict[int, Counter[str]] = defaultdict(Counter)
    for child_id, status in Attendance.objects.filter(
        classroom=classroom, day__range=(start, end)
    ).values_list("child_id", "status"):
        counts[child_id][status] += 1
    return [
        AttendanceRow(
            child=c,
            school_days=days,
            absent=counts[c.pk][AttendanceStatus.ABSENT],
            late=counts[c.pk][AttendanceStatus.LATE],
        )
        for c in children_of(classroom)
    ]


def register_for(classroom: Classroom, day: date) -> list[tuple[Resident, Attendance | None]]:
    marks = {a.child_id: a for a in Attendance.objects.filter(classroom=classroom, day=day)}
    return [(c, marks.get(c.pk)) for c in children_of(classroom)]


# --- Families ---------------------------------------------------------------------------------------------


@dataclass
class FamilyObservation:
    observation: Observation
    media: list[Media]
    withheld: int
    quotes: list[tuple[Resident, str]]


def family_feed(actor: Actor, child: Resident) -> list[FamilyObservation]:
    """What a family sees of their child: observations shared with the family, with only their own
    children's words and only the media that consent allows (others' words are never shown)."""
    own = access.child_ids_for_family(actor)
    qs = observations_prefetched(
        Observation.objects.filter(
            municipality=actor.municipality, visibility=Visibility.FAMILY, children__child=child
        ).prefetch_related("comments__author")
    )
    observations = list(qs)
    all_children = {oc.child_id for o in observations for oc in o.children.all()}
    portfolio_ok = consented(all_children & own, ConsentPurpose.PHOTO_PORTFOLIO)
    panel_ok = consented(all_children - own, ConsentPurpose.PHOTO_PANEL)
    feed = []
    for obs in observations:
        in_obs = {oc.child_id for oc in obs.children.all()}
        allowed = family_media_allowed(in_obs, own, portfolio_ok, panel_ok)
        media = list(obs.media.all()) if allowed else []
        feed.append(
            FamilyObservation(
                observation=obs,
                media=media,
                withheld=0 if allowed else len(obs.media.all()),
                quotes=[(oc.child, oc.quote) for oc in obs.children.all() if oc.child_id in own and oc.quote],
            )
        )
    return feed


def family_children(actor: Actor) -> QuerySet[Resident]:
    return Resident.objects.filter(pk__in=access.child_ids_for_family(actor), municipality=actor.municipality)


# --- Portfolio ------------------------------------------------------------------------------------------


def child_observations(child: Resident, classroom_ids: set[int] | None) -> QuerySet[Observation]:
    qs = Observation.objects.filter(children__child=child)
    if classroom_ids is not None:
        qs = qs.filter(classroom_id__in=classroom_ids)
    return observations_prefetched(qs)


def child_ratings(child: Resident) -> QuerySet[Rating]:
    return (
        Rating.objects.filter(child=child)
        .select_related("standard", "term")
        .prefetch_related("evidence")
        .order_by("-term__academic_year", "-term__number", "standard__number")
    )


# --- DSPM -----------------------------------------------------------------------------------------------


@dataclass
class ScreeningShare:
    screened: int
    age_appropriate: int

    @property
    def share(self) -> float | None:
        return self.age_appropriate / self.screened if self.screened else None

    @property
    def rating(self) -> str:
        """The ECD centre standard's child-quality rating from the share."""
        s = self.share
        if s is None:
            return ""
        if s >= 0.85:
            return "very_good"
        if s >= 0.80:
            return "good"
        if s >= 0.75:
            return "basic"
        return "needs_improvement"


def age_appropriate_share(child_ids: set[int] | None, municipality: Municipality) -> ScreeningShare:
    """Children whose first screen (per band) passed all five domains, or who passed the re-screen
    within 30 days of stimulation, among the children screened."""
    first = Screening.objects.filter(municipality=municipality, is_rescreen=False)
    if child_ids is not None:
        first = first.filter(child_id__in=child_ids)
    cases = {
        c.screening_id: c
        for c in DevelopmentCase.objects.filter(screening__in=first).select_related("rescreen")
    }
    screened = ok = 0
    for s in first:
        screened += 1
        if s.passed:
            ok += 1
            continue
        case = cases.get(s.pk)
        if (
            case
            and case.rescreen
            and case.rescreen.passed
            and (case.rescreen.screened_on - s.screened_on).days <= 30
        ):
            ok += 1
    return ScreeningShare(screened, ok)


def open_cases(child_ids: set[int] | None, municipality: Municipality) -> QuerySet[DevelopmentCase]:
    qs = DevelopmentCase.objects.filter(municipality=municipality).exclude(stage=CaseStage.CLOSED)
    if child_ids is not None:
        qs = qs.filter(child_id__in=child_ids)
    return qs.select_related("child", "screening").order_by("rescreen_due_on")


# --- Equity -------------------------------------------------------------------------------------------


@dataclass
class GroupFigures:
    label: str
    n: int = 0
    attendance: list[float] = field(default_factory=list)
    screened: int = 0
    on_track: int = 0
    ratings: list[int] = field(default_factory=list)
    engagement: list[int] = field(default_factory=list)

    def _mean(self, values: list[float] | list[int]) -> float | None:
        return sum(values) / len(values) if len(values) >= MIN_CELL else None

    @property
    def suppressed(self) -> bool:
        return self.n < MIN_CELL

    @property
    def attendance_rate(self) -> float | None:
        return None if self.suppressed else self._mean(self.attendance)

    @property
    def on_track_share(self) -> float | None:
        return self.on_track / self.screened if self.screened >= MIN_CELL and not self.suppressed else None

    @property
    def mean_rating(self) -> float | None:
        return None if self.suppressed else self._mean(self.ratings)

    @property
    def engagement_rate(self) -> float | None:
        return None if self.suppressed else self._mean(self.engagement)


DISADVANTAGES = ("welfare_card", "disability", "not_with_parent", "migrant")


def disadvantage_flags(child_ids: list[int]) -> dict[int, set[str]]:
    """Per child: welfare-card household, disability, not living with a parent, migrant. Read in
    aggregate for equity figures only (no individual's profile is shown)."""
    flags: dict[int, set[str]] = {cid: set() for cid in child_ids}
    children = Resident.objects.filter(pk__in=child_ids).values_list("id", "household_id", "id_kind")
    household_of = {}
    for cid, hh, id_kind in children:
        household_of[cid] = hh
        if id_kind != IdKind.THAI:
            flags[cid].add("migrant")
    welfare_households = set(
        Vulnerability.objects.filter(
            resident__household_id__in=[h for h in household_of.values() if h], welfare_card=True
        ).values_list("resident__household_id", flat=True)
    )
    for cid, hh in household_of.items():
        if hh in welfare_households:
            flags[cid].add("welfare_card")
    for cid in (
        Vulnerability.objects.filter(resident_id__in=child_ids)
        .exclude(disability_type="")
        .values_list("resident_id", flat=True)
    ):
        flags[cid].add("disability")
    with_parent = set(
        Guardianship.objects.filter(
            child_id__in=child_ids, relation__in=list(PARENT_RELATIONS), lives_with_child=True
        ).values_list("child_id", flat=True)
    )
    for cid in child_ids:
        if cid not in with_parent:
            flags[cid].add("not_with_parent")
    return flags


@dataclass
class EquityReport:
    groups: list[GroupFigures]
    referral_days: list[int]
    n_children: int

    @property
    def median_referral_days(self) -> float | None:
        return statistics.median(self.referral_days) if len(self.referral_days) >= MIN_CELL else None


def equity_report(
    municipality: Municipality, classroom_ids: set[int] | None, start: date, end: date
) -> EquityReport:
    enrol = Enrolment.objects.filter(municipality=municipality, left_on__isnull=True)
    if classroom_ids is not None:
        enrol = enrol.filter(classroom_id__in=classroom_ids)
    child_ids = sorted(set(enrol.values_list("child_id", flat=True)))
    flags = disadvantage_flags(child_ids)
    present: Counter[int] = Counter()
    days: Counter[int] = Counter()
    for cid, status in Attendance.objects.filter(child_id__in=child_ids, day__range=(start, end)).values_list(
        "child_id", "status"
    ):
        days[cid] += 1
        present[cid] += status != AttendanceStatus.ABSENT
    share = {cid: present[cid] / days[cid] for cid in child_ids if days[cid]}
    first_screens = {
        s.child_id: s
        for s in Screening.objects.filter(child_id__in=child_ids, is_rescreen=False).order_by("screened_on")
    }
    rescreens = {
        c.child_id: c.rescreen
        for c in DevelopmentCase.objects.filter(
            child_id__in=child_ids, rescreen__isnull=False
        ).select_related("rescreen")
    }
    ratings: dict[int, list[int]] = defaultdict(list)
    for cid, score in Rating.objects.filter(child_id__in=child_ids).values_list("child_id", "score"):
        ratings[cid].append(score)
    engagement: Counter[int] = Counter()
    for cid in ObservationChild.objects.filter(
        child_id__in=child_ids,
        observation__source=ObservationSource.HOME,
        observation__observed_on__range=(start, end),
    ).values_list("child_id", flat=True):
        engagement[cid] += 1
    from thukkhon.childhood.models import Comment

    for cid in Comment.objects.filter(
        child_id__in=child_ids, created_at__date__range=(start, end)
    ).values_list("child_id", flat=True):
        engagement[cid] += 1
    groups = {key: GroupFigures(label=key) for key in ("all", "disadvantaged", "others", *DISADVANTAGES)}
    for cid in child_ids:
        keys = ["all", "disadvantaged" if flags[cid] else "others", *sorted(flags[cid])]
        for key in keys:
            g = groups[key]
            g.n += 1
            if cid in share:
                g.attendance.append(share[cid])
            if cid in first_screens:
                g.screened += 1
                s = first_screens[cid]
                re = rescreens.get(cid)
                g.on_track += s.passed or bool(
                    re and re.passed and (re.screened_on - s.screened_on).days <= 30
                )
            if ratings[cid]:
                g.ratings.append(round(sum(ratings[cid]) / len(ratings[cid]), 2))  # type: ignore[arg-type]
            g.engagement.append(engagement[cid])
    referral_days = [
        (c.closed_on - c.referred_on).days
        for c in DevelopmentCase.objects.filter(
            child_id__in=child_ids, referred_on__isnull=False, closed_on__isnull=False
        )
        if c.closed_on and c.referred_on
    ]
    return EquityReport(groups=list(groups.values()), referral_days=referral_days, n_children=len(child_ids))


def current_term(municipality: Municipality, day: date) -> Term:
    from thukkhon.childhood.services import term_for

    return term_for(municipality, day)
