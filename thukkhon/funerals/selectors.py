"""Every read of funeral assistance, always scoped to the actor's municipality (and, for a relative,
to their own cases)."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from statistics import median

from django.db.models import Q, QuerySet
from django.utils import timezone

from thukkhon.core.actor import Actor
from thukkhon.core.roles import Role
from thukkhon.fleet.models import Driver, Vehicle
from thukkhon.funerals.models import Cause, Cremator, FollowUp, FuneralCase
from thukkhon.funerals.services import MANAGE

DEADLINE = timedelta(hours=24)


def cases_visible(actor: Actor) -> QuerySet[FuneralCase]:
    qs = FuneralCase.objects.filter(municipality=actor.municipality)
    if actor.has_role(*MANAGE):
        return qs
    if actor.has_role(Role.RESIDENT):
        return qs.filter(Q(reported_by=actor.user) | Q(relatives__user=actor.user)).distinct()
    return qs.none()


def case_list(actor: Actor, *, status: str = "", query: str = "") -> QuerySet[FuneralCase]:
    qs = cases_visible(actor).select_related("community")
    if status:
        qs = qs.filter(status=status)
    if query.strip():
        q = query.strip()
        qs = qs.filter(Q(deceased_name__icontains=q) | Q(number__icontains=q))
    return qs.order_by("-died_at", "-id")


def cremators_visible(actor: Actor) -> QuerySet[Cremator]:
    return Cremator.objects.filter(municipality=actor.municipality, is_active=True).select_related(
        "crematorium"
    )


def vehicles_for_transport(actor: Actor) -> QuerySet[Vehicle]:
    return Vehicle.objects.filter(municipality=actor.municipality, is_active=True)


def drivers_for_transport(actor: Actor) -> QuerySet[Driver]:
    return Driver.objects.filter(membership__municipality=actor.municipality, is_active=True).select_related(
        "membership__user"
    )


def open_follow_ups(actor: Actor) -> QuerySet[FollowUp]:
    if not actor.has_role(*MANAGE):
        return FollowUp.objects.none()
    return FollowUp.objects.filter(municipality=actor.municipality, state=FollowUp.State.OPEN).select_related(
        "resident", "case"
    )


# --- Reports ------------------------------------------------------------------------------------------


@dataclass
class Group:
    """Counts and sums for one row of a report (a month, a cause or a community)."""

    label: str
    cases: int = 0
    infectious: int = 0
    by_cause: Counter[str] = field(default_factory=Counter)
    disposed: int = 0
    within_24h: int = 0
    hours: list[float] = field(default_factory=list)
    fees_charged: Decimal = Decimal("0")
    fees_waived: Decimal = Decimal("0")
    waivers: int = 0

    def add(self, case: FuneralCase) -> None:
        self.cases += 1
        self.by_cause[case.cause] += 1
        if case.cause == Cause.INFECTIOUS:
            self.infectious += 1
        if case.disposed_at is not None:
            self.disposed += 1
            elapsed = case.disposed_at - case.died_at
            self.hours.append(elapsed.total_seconds() / 3600)
            if elapsed <= DEADLINE:
                self.within_24h += 1
        if case.fee_waived:
            self.fees_waived += case.fee
            self.waivers += 1
        else:
            self.fees_charged += case.fee

    @property
    def infectious_share(self) -> float:
        return self.infectious / self.cases if self.cases else 0.0

    @property
    def compliance(self) -> float | None:
        return self.within_24h / self.disposed if self.disposed else None

    @property
    def mean_hours(self) -> float | None:
        return sum(self.hours) / len(self.hours) if self.hours else None

    @property
    def median_hours(self) -> float | None:
        return float(median(self.hours)) if self.hours else None


@dataclass
class Report:
    start: date
    end: date
    total: Group
    months: list[Group]
    causes: list[Group]
    communities: list[Group]


def report(actor: Actor, *, start: date, end: date) -> Report:
    """Cases that died between ``start`` and ``end`` (inclusive, local dates)."""
    cases = (
        FuneralCase.objects.filter(municipality=actor.municipality)
        .exclude(status="cancelled")
        .select_related("community")
        .order_by("died_at")
    )
    total = Group(label="")
    months: dict[str, Group] = {}
    causes: dict[str, Group] = {}
    communities: dict[str, Group] = defaultdict(lambda: Group(label=""))
    for case in cases:
        day = timezone.localdate(case.died_at)
        if not start <= day <= end:
            continue
        total.add(case)
        key = f"{day.year:04d}-{day.month:02d}"
        months.setdefault(key, Group(label=key)).add(case)
        causes.setdefault(case.cause, Group(label=str(Cause(case.cause).label))).add(case)
        name = case.community.name_th if case.community else "—"
        group = communities[name]
        group.label = name
        group.add(case)
    return Report(
        start=start,
        end=end,
        total=total,
        months=[months[k] for k in sorted(months)],
        causes=[causes[c] for c in Cause.values if c in causes],
        communities=sorted(communities.values(), key=lambda g: (g.label == "—", g.label)),
    )
