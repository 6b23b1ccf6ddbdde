"""Every read of the early childhood app, always scoped by the access helpers' rules."""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, F, Prefetch, Q, QuerySet

from thukkhon.childhood import access
from thukkhon.childhood.consent import family_visible_media
from thukkhon.childhood.models import (
    PARENT_RELATIONS,
    Attendance,
    AttendanceStatus,
    CaseStage,
    Classroom,
    DevelopmentCase,
    Enrolment,
    Guardianship,
    Indicator,
    IndicatorRating,
    Media,
    Observation,
    ObservationChild,
    ObservationSource,
    Rating,
    Screening,
    Standard,
    Term,
    Visibility,
)
from thukkhon.core.actor import Actor
from thukkhon.core.models import Municipality
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
        Prefetch("media", queryset=Media.objects.order_by("id").prefetch_related("children")),
        "standards",
    )


def observation_cards(qs: QuerySet[Observation]) -> list[Observation]:
    """Observations for a list of cards (``includes/obs_card.html``): only what a card shows, with
    the children and files as plain lists (``card_children``, ``card_media``), so a term of
    observations loads in three queries and renders without a queryset per card."""
    return list(
        qs.select_related("author", "project")
        .only(
            "id",
            "title",
            "observed_on",
            "visibility",
            "author__display_name",
            "author__first_name",
            "author__last_name",
            "author__username",
            "project__title",
        )
        .prefetch_related(
            Prefetch(
                "children",
                queryset=ObservationChild.objects.select_related("child")
                .only("id", "observation_id", "child_id", "quote", "child__first_name", "child__nickname")
                .order_by("id"),
                to_attr="card_children",
            ),
            Prefetch(
                "media",
                queryset=Media.objects.only("id", "observation_id", "kind").order_by("id"),
                to_attr="card_media",
            ),
        )
    )


def as_cards(observations: Iterable[Observation]) -> list[Observation]:
    """Observations already prefetched (:func:`observations_prefetched`) made ready for the cards."""
    out = list(observations)
    for obs in out:
        obs.card_children = list(obs.children.all())  # type: ignore[attr-defined]
        obs.card_media = list(obs.media.all())  # type: ignore[attr-defined]
    return out


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
    children's words and only the media that consent allows, judged by who each file shows
    (others' words are never shown)."""
    own = access.child_ids_for_family(actor)
    qs = observations_prefetched(
        Observation.objects.filter(
            municipality=actor.municipality, visibility=Visibility.FAMILY, children__child=child
        ).prefetch_related("comments__author")
    )
    observations = list(qs)
    seen, _withheld = family_visible_media([m for o in observations for m in o.media.all()], own)
    allowed = {m.pk for m in seen}
    feed = []
    for obs in observations:
        media = [m for m in obs.media.all() if m.pk in allowed]
        feed.append(
            FamilyObservation(
                observation=obs,
                media=media,
                withheld=len(obs.media.all()) - len(media),
                quotes=[(oc.child, oc.quote) for oc in obs.children.all() if oc.child_id in own and oc.quote],
            )
        )
    return feed


def family_children(actor: Actor) -> QuerySet[Resident]:
    return Resident.objects.filter(pk__in=access.child_ids_for_family(actor), municipality=actor.municipality)


# --- Portfolio ------------------------------------------------------------------------------------------


def child_observation_cards(
    child: Resident, classroom_ids: set[int] | None, limit: int = 100
) -> list[Observation]:
    """The child's latest observations as cards (:func:`observation_cards`): three queries
    whatever their number."""
    qs = Observation.objects.filter(children__child=child)
    if classroom_ids is not None:
        qs = qs.filter(classroom_id__in=classroom_ids)
    return observation_cards(qs.order_by("-observed_on", "-id")[:limit])


def child_observations(child: Resident, classroom_ids: set[int] | None) -> QuerySet[Observation]:
    qs = Observation.objects.filter(children__child=child)
    if classroom_ids is not None:
        qs = qs.filter(classroom_id__in=classroom_ids)
    return observations_prefetched(qs)


def child_ratings(child: Resident) -> list[StandardScore]:
    """The child's standard ratings of every term, latest term first: worked out from the
    indicators where they are rated, else as set directly (:func:`standard_scores`)."""
    return standard_scores([child.pk])


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
    for sc in standard_scores(child_ids, with_evidence=False):
        ratings[sc.child_id].append(sc.score)
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


# --- Ratings ----------------------------------------------------------------------------------------------


# How a standard's rating follows from its indicators (decision record 0013): the mode (ฐานนิยม) of
# the indicator ratings; when two or more scores are equally common, their mean rounded half up
# (2.5 → 3, 1.5 → 2). Only the indicators rated count.


def derive_standard_score(indicator_scores: Iterable[int]) -> int | None:
    """The standard's 3/2/1 from its indicators' 3/2/1, or None when none is rated.

    >>> derive_standard_score([3, 3, 1]), derive_standard_score([3, 1]), derive_standard_score([3, 2])
    (3, 2, 3)
    """
    scores = list(indicator_scores)
    if not scores:
        return None
    counts = Counter(scores)
    top = max(counts.values())
    modes = [score for score, n in counts.items() if n == top]
    if len(modes) == 1:
        return modes[0]
    mean = sum(modes) / len(modes)
    return int(mean + 0.5)


@dataclass
class StandardScore:
    """A child's rating of one standard in one term: derived from the indicators rated (then
    ``indicators`` holds indicator id → score) or set directly."""

    child_id: int
    term: Term
    standard: Standard
    score: int
    derived: bool
    indicators: dict[int, int] = field(default_factory=dict)
    evidence: list[Observation] = field(default_factory=list)


def standard_scores(
    child_ids: Iterable[int], *, term: Term | None = None, with_evidence: bool = True
) -> list[StandardScore]:
    """Every standard rating of the children (of one term, or all), latest term first, then by
    standard: the one way the portfolio, the PDFs, the grid and the equity figures read them.
    Four queries with evidence, two without, whatever the number of children and terms."""
    ids = list(child_ids)
    direct = Rating.objects.filter(child_id__in=ids).select_related("term", "standard")
    by_indicator = IndicatorRating.objects.filter(child_id__in=ids).select_related(
        "term", "indicator__standard"
    )
    if term is not None:
        direct = direct.filter(term=term)
        by_indicator = by_indicator.filter(term=term)
    if with_evidence:
        shown = Observation.objects.only("id", "title", "observed_on").order_by("observed_on", "id")
        direct = direct.prefetch_related(Prefetch("evidence", queryset=shown))
        by_indicator = by_indicator.prefetch_related(Prefetch("evidence", queryset=shown))
    out: dict[tuple[int, int, int], StandardScore] = {}
    for ir in by_indicator:
        std = ir.indicator.standard
        key = (ir.child_id, ir.term_id, std.pk)
        row = out.get(key)
        if row is None:
            row = out[key] = StandardScore(ir.child_id, ir.term, std, 0, derived=True)
        row.indicators[ir.indicator_id] = ir.score
        if with_evidence:
            row.evidence.extend(e for e in ir.evidence.all() if e not in row.evidence)
    for row in out.values():
        row.score = derive_standard_score(row.indicators.values()) or 0
        row.evidence.sort(key=lambda o: (o.observed_on, o.pk))
    for r in direct:
        key = (r.child_id, r.term_id, r.standard_id)
        if key not in out:  # a standard rated directly counts only while none of its indicators is
            out[key] = StandardScore(
                r.child_id,
                r.term,
                r.standard,
                r.score,
                derived=False,
                evidence=list(r.evidence.all()) if with_evidence else [],
            )
    return sorted(
        out.values(),
        key=lambda s: (-s.term.academic_year, -s.term.number, s.standard.number, s.child_id),
    )


def current_standards() -> list[Standard]:
    """The standards of the current curriculum framework, in order, each with its indicators
    (``standard.indicator_list``)."""
    return list(
        Standard.objects.filter(framework__is_current=True)
        .select_related("domain")
        .prefetch_related(
            Prefetch("indicators", queryset=Indicator.objects.order_by("id"), to_attr="indicator_list")
        )
        .order_by("number")
    )


def indicator_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """The current framework's indicators grouped by standard, for a form's checkboxes."""
    return [
        (f"{s.number}. {s.name_th}", [(str(i.pk), f"{i.code} {i.text_th}") for i in s.indicator_list])  # type: ignore[attr-defined]
        for s in current_standards()
    ]


def terms_of(classroom: Classroom) -> list[Term]:
    from thukkhon.childhood.services import terms_ensure

    return terms_ensure(municipality=classroom.municipality, academic_year=classroom.academic_year)


@dataclass
class RatingGridRow:
    child: Resident
    standards: dict[int, StandardScore]  # standard id → the standard's rating
    indicators: dict[int, int]  # indicator id → score
    tagged: dict[int, int]  # indicator id → observations of the term tagged with it

    def cells(self, standards: list[Standard]) -> list[StandardScore | None]:
        return [self.standards.get(s.pk) for s in standards]


def rating_grid(classroom: Classroom, term: Term) -> list[RatingGridRow]:
    """Every enrolled child with their ratings of the term: each indicator's 3/2/1, each
    standard's (derived or direct), and how many of the child's observations of the term in this
    classroom are tagged with each indicator. Queries do not grow with the children."""
    children = children_of(classroom)
    ids = [c.pk for c in children]
    standards: dict[int, dict[int, StandardScore]] = defaultdict(dict)
    indicators: dict[int, dict[int, int]] = defaultdict(dict)
    for sc in standard_scores(ids, term=term, with_evidence=False):
        standards[sc.child_id][sc.standard.pk] = sc
        indicators[sc.child_id].update(sc.indicators)
    tagged: dict[int, Counter[int]] = defaultdict(Counter)
    for child_id, indicator_id in Observation.indicators.through.objects.filter(
        observation__classroom=classroom,
        observation__observed_on__range=(term.starts_on, term.ends_on),
        observation__children__child_id__in=ids,
    ).values_list("observation__children__child_id", "indicator_id"):
        tagged[child_id][indicator_id] += 1
    return [
        RatingGridRow(child=c, standards=standards[c.pk], indicators=indicators[c.pk], tagged=tagged[c.pk])
        for c in children
    ]


@dataclass
class IndicatorSheetRow:
    indicator: Indicator
    score: int | None
    evidence: set[int]
    tagged: list[Observation]  # the child's observations of the term tagged with this indicator


@dataclass
class StandardRating:
    standard: Standard
    score: int | None  # the standard's rating: derived from its indicators, else set directly
    derived: bool
    direct: int | None  # the rating set directly (read only while no indicator is rated)
    evidence: set[int]
    indicators: list[IndicatorSheetRow]
    tagged: list[Observation]  # observations of the term tagged with this standard
    others: list[Observation]


def child_rating_sheet(classroom: Classroom, child: Resident, term: Term) -> list[StandardRating]:
    """One child's twelve standards for a term, each with its indicators: the scores, the evidence
    chosen, and the child's observations of the term in this classroom to choose evidence from
    (those tagged with the indicator first, then with the standard)."""
    standards = current_standards()
    ratings = {
        r.standard_id: r
        for r in Rating.objects.filter(child=child, term=term).prefetch_related(
            Prefetch("evidence", queryset=Observation.objects.only("id"))
        )
    }
    by_indicator = {
        r.indicator_id: r
        for r in IndicatorRating.objects.filter(child=child, term=term).prefetch_related(
            Prefetch("evidence", queryset=Observation.objects.only("id"))
        )
    }
    observations = list(
        Observation.objects.filter(
            classroom=classroom,
            children__child=child,
            observed_on__range=(term.starts_on, term.ends_on),
        )
        .only("id", "title", "observed_on")
        .prefetch_related(
            Prefetch("standards", queryset=Standard.objects.only("id")),
            Prefetch("indicators", queryset=Indicator.objects.only("id")),
        )
        .order_by("-observed_on", "-id")
    )
    tags = {o.pk: {s.pk for s in o.standards.all()} for o in observations}
    indicator_tags = {o.pk: {i.pk for i in o.indicators.all()} for o in observations}
    sheet = []
    for s in standards:
        rating = ratings.get(s.pk)
        rows = []
        for ind in s.indicator_list:  # type: ignore[attr-defined]
            ir = by_indicator.get(ind.pk)
            rows.append(
                IndicatorSheetRow(
                    indicator=ind,
                    score=ir.score if ir else None,
                    evidence={e.pk for e in ir.evidence.all()} if ir else set(),
                    tagged=[o for o in observations if ind.pk in indicator_tags[o.pk]],
                )
            )
        derived = derive_standard_score(r.score for r in rows if r.score is not None)
        sheet.append(
            StandardRating(
                standard=s,
                score=derived if derived is not None else (rating.score if rating else None),
                derived=derived is not None,
                direct=rating.score if rating else None,
                evidence={e.pk for e in rating.evidence.all()} if rating else set(),
                indicators=rows,
                tagged=[o for o in observations if s.pk in tags[o.pk]],
                others=[o for o in observations if s.pk not in tags[o.pk]],
            )
        )
    return sheet


# --- Enrolments and guardians ------------------------------------------------------------------------


def enrolments_of(classroom: Classroom) -> list[Enrolment]:
    """Every enrolment of the classroom, those who left last."""
    return list(
        classroom.enrolments.select_related("child").order_by(
            F("left_on").desc(nulls_first=True), "child__first_name", "child_id"
        )
    )


MAX_CANDIDATES = 20


def _name_filter(q: str) -> Q | None:
    terms = [t for t in q.split()[:3] if len(t) >= 2]
    if not terms:
        return None
    cond = Q()
    for t in terms:
        cond &= Q(first_name__icontains=t) | Q(last_name__icontains=t) | Q(nickname__icontains=t)
    return cond


def enrol_candidates(actor: Actor, classroom: Classroom, q: str) -> list[Resident]:
    """Children up to 7 years old of the municipality, by name, not enrolled in the classroom now.
    Only names and ages are shown to the teacher."""
    cond = _name_filter(q)
    if cond is None:
        return []
    from thukkhon.people.selectors import birth_date_cutoff

    return list(
        Resident.objects.filter(
            cond,
            municipality=actor.municipality,
            status="alive",
            birth_date__gt=birth_date_cutoff(8),
        )
        .exclude(enrolments__classroom=classroom, enrolments__left_on__isnull=True)
        .select_related("community")
        .order_by("first_name", "last_name", "id")[:MAX_CANDIDATES]
    )


def guardian_candidates(actor: Actor, child: Resident, q: str) -> list[Resident]:
    """People who may care for the child: adults of the child's household first, then residents of
    the municipality by name (grandparents often live in another house)."""
    from thukkhon.people.selectors import birth_date_cutoff

    adults = Resident.objects.filter(
        municipality=actor.municipality, status="alive", birth_date__lte=birth_date_cutoff(12)
    ).exclude(guardian_of__child=child)
    found: list[Resident] = []
    if child.household_id:
        found = list(adults.filter(household_id=child.household_id).select_related("community")[:10])
    cond = _name_filter(q)
    if cond is not None:
        seen = {r.pk for r in found}
        found += [
            r
            for r in adults.filter(cond)
            .select_related("community")
            .order_by("first_name", "last_name", "id")[:MAX_CANDIDATES]
            if r.pk not in seen
        ]
    return found


def guardians_of(child: Resident) -> list[Guardianship]:
    return list(
        child.guardianships.select_related("guardian", "membership__user").order_by("-is_primary", "id")
    )
