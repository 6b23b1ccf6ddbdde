"""Reports of the People Assistance Vehicle: the figures for a date range, computed in the database.

Every figure is an aggregate query (a fixed number of queries whatever the number of trips); the
page, the Excel workbook and the PDF are all drawn from one :class:`Report`, so they show the same
numbers. Definitions (also shown under the tables):

- **Requests** are legs (an outbound trip and its return are two) whose service date is in the range.
  **Completed trips** are those that reached "completed"; one completed trip carries one passenger.
- **Unmet need**: requests with an unmet-need record (a denial, no vehicle could take it, or only one
  leg of a round trip) that were not completed in the end.
- **On time**: the vehicle reached the pickup (its arrival, else the pickup itself) within the agreed
  window: the request's pickup window when it has one, else the planned pickup time (the time in the
  day-before message) ± half the configured window width. Counted over pickups the vehicle made
  (the passenger picked up or recorded as a no-show).
- **Ride time ÷ direct time**: for completed trips, the time on board (from the pickup done to the
  vehicle reaching the drop-off) against the direct
  drive between the two points by the municipality's travel model (haversine × detour factor at the
  configured speed); "over the limit" is longer than direct × factor + extra minutes.
- **Vehicle revenue hours**: per run, from the vehicle reaching its first pickup to its last drop-off
  (breaks are not recorded separately); **passengers per revenue hour** = completed trips ÷ those hours.
- **Distance driven** and **running cost**: the planned kilometres of runs that were driven (at least one
  stop done or a no-show), × each vehicle's running cost per km. **Cost per trip** = running cost ÷
  completed trips; **private-hire cost avoided** = the configured private-hire cost × completed trips.
- **Small cells**: in the tables by community and by vulnerability group a count from 1 to 4 is shown as
  "<5"; in the table by community (whose rows add up to the total) one more cell of a column is hidden
  when only one would be, so that no hidden count can be worked out from the total.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from itertools import pairwise
from typing import Any

from django.db.models import (
    Avg,
    BooleanField,
    Count,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    FilteredRelation,
    FloatField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.functions import (
    ASin,
    Coalesce,
    Cos,
    ExtractDay,
    ExtractHour,
    ExtractMinute,
    ExtractMonth,
    ExtractSecond,
    ExtractYear,
    Power,
    Radians,
    Sin,
    Sqrt,
)
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from thukkhon.core.actor import Actor
from thukkhon.core.roles import Role
from thukkhon.people.models import Community, Dependency
from thukkhon.rides.eligibility import settings_for
from thukkhon.rides.models import Purpose, RideRequest, Run, Status, Stop, UnmetNeed
from thukkhon.rides.travel import EARTH_RADIUS_KM

#: Who reads the reports (everyone else gets a 404).
REPORT_ROLES = frozenset({Role.ADMIN, Role.EXECUTIVE, Role.WELFARE, Role.DISPATCHER})
SUPPRESS_BELOW = 5  # counts 1 … SUPPRESS_BELOW - 1 are hidden in breakdowns by community and group
SUPPRESSED = "<5"
ELDERLY_AGE = 60
DEFAULT_DAYS = 30
#: Upper bounds of the ride-time ratio bands (the last band is open).
RATIO_BANDS = (Decimal("1.25"), Decimal("1.5"), Decimal("2"))
CANCELLED = (Status.CANCELLED, Status.LATE_CANCELLED)
TWO = Decimal("0.01")
ONE = Decimal("0.1")


def can_read_reports(actor: Actor | None) -> bool:
    return actor is not None and actor.has_role(*REPORT_ROLES)


def default_range(today: date) -> tuple[date, date]:
    """The last 30 days, today included."""
    return today - timedelta(days=DEFAULT_DAYS - 1), today


# --- Cells and tables -------------------------------------------------------------------------------


@dataclass
class Cell:
    """One value as the page shows it (``text``) and as the workbook stores it (``value``)."""

    value: int | Decimal | str | None
    text: str
    suppressed: bool = False

    @property
    def number(self) -> float | None:
        """For charts: the value as a number, ``None`` when hidden or missing."""
        if self.suppressed or self.value is None or isinstance(self.value, str):
            return None
        return float(self.value)

    @property
    def excel(self) -> int | float | str | None:
        if self.suppressed:
            return SUPPRESSED
        if isinstance(self.value, Decimal):
            return float(self.value)
        return self.value


def count_cell(n: int) -> Cell:
    return Cell(n, number_format(n, force_grouping=True))


def decimal_cell(d: Decimal | None, places: Decimal = TWO) -> Cell:
    if d is None:
        return Cell(None, "—")
    q = d.quantize(places, rounding=ROUND_HALF_UP)
    return Cell(q, number_format(q, decimal_pos=-places.as_tuple().exponent, force_grouping=True))  # type: ignore[operator]


def share_cell(part: int, whole: int) -> Cell:
    """A percentage with one decimal, "—" when there is nothing to divide by."""
    if not whole:
        return Cell(None, "—")
    return decimal_cell(Decimal(part * 100) / Decimal(whole), ONE)


def text_cell(text: str) -> Cell:
    return Cell(text, text)


@dataclass
class Chart:
    kind: str  # "bar", "hbar" (horizontal bars), "doughnut"
    columns: list[int]  # table columns drawn as datasets
    stacked: bool = False
    skip_last_row: bool = False  # a total row is not drawn


@dataclass
class Table:
    key: str
    title: str
    columns: list[str]
    rows: list[list[Cell]]
    total: list[Cell] | None = None
    note: str = ""
    chart: Chart | None = None

    def chart_data(self) -> dict[str, Any] | None:
        if self.chart is None:
            return None
        return {
            "kind": self.chart.kind,
            "stacked": self.chart.stacked,
            "labels": [row[0].text for row in self.rows],
            "datasets": [
                {"label": self.columns[c], "data": [row[c].number for row in self.rows]}
                for c in self.chart.columns
            ],
        }


@dataclass
class Report:
    start: date
    end: date
    tables: list[Table] = field(default_factory=list)
    figures: dict[str, Any] = field(default_factory=dict)  # raw values, for tests and the summary

    def table(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)


def suppress(rows: list[list[Cell]], columns: list[int], *, complementary: bool) -> None:
    """Hide counts 1–4 in ``columns``; with ``complementary``, hide one more cell of a column where only
    one would be hidden (the smallest other non-zero count), so the total does not give it away."""
    for c in columns:
        hidden = []
        for row in rows:
            v = row[c].value
            if isinstance(v, int) and 0 < v < SUPPRESS_BELOW:
                row[c] = Cell(v, SUPPRESSED, suppressed=True)
                hidden.append(row)
        if complementary and len(hidden) == 1:
            others = [
                (v, r) for r in rows if not r[c].suppressed and isinstance(v := r[c].value, int) and v > 0
            ]
            if others:
                _v, smallest = min(others, key=lambda pair: pair[0])
                smallest[c] = Cell(smallest[c].value, SUPPRESSED, suppressed=True)


# --- Queries ---------------------------------------------------------------------------------------------


def requests_in_range(actor: Actor, start: date, end: date) -> QuerySet[RideRequest]:
    return RideRequest.objects.filter(municipality=actor.municipality, service_date__range=(start, end))


def _minute_of_day(path: Any) -> Any:
    return ExpressionWrapper(
        ExtractHour(path) * 60.0 + ExtractMinute(path) + ExtractSecond(path) / 60.0, output_field=FloatField()
    )


def _ymd(path: str) -> Any:
    return ExtractYear(path) * 10000 + ExtractMonth(path) * 100 + ExtractDay(path)


def _direct_minutes(speed_kmh: float, detour: float) -> Any:
    """The direct drive between pickup and drop-off, as :func:`thukkhon.rides.travel.haversine_km`."""
    lat1, lat2 = Radians(F("pickup_lat"), output_field=FloatField()), Radians(F("dropoff_lat"))
    dlat = Radians(F("dropoff_lat") - F("pickup_lat"), output_field=FloatField())
    dlon = Radians(F("dropoff_lon") - F("pickup_lon"), output_field=FloatField())
    h = Power(Sin(dlat / 2.0), 2) + Cos(lat1) * Cos(lat2) * Power(Sin(dlon / 2.0), 2)
    km = 2.0 * EARTH_RADIUS_KM * ASin(Sqrt(h))
    return ExpressionWrapper(km * detour / speed_kmh * 60.0, output_field=FloatField())


def _outcome_counts(prefix: str = "") -> dict[str, Any]:
    unmet = Q(has_unmet=True) & ~Q(status=Status.COMPLETED)
    return {
        f"{prefix}requests": Count("pk"),
        f"{prefix}completed": Count("pk", filter=Q(status=Status.COMPLETED)),
        f"{prefix}denied": Count("pk", filter=Q(status=Status.DENIED)),
        f"{prefix}cancelled": Count("pk", filter=Q(status__in=CANCELLED)),
        f"{prefix}no_show": Count("pk", filter=Q(status=Status.NO_SHOW)),
        f"{prefix}unmet": Count("pk", filter=unmet),
    }


def _with_unmet(qs: QuerySet[RideRequest]) -> QuerySet[RideRequest]:
    return qs.annotate(has_unmet=Exists(UnmetNeed.objects.filter(request=OuterRef("pk"))))


def _groups() -> list[tuple[str, str, Q]]:
    disabled = Q(resident__vulnerability__disability_type__gt="")
    dependent = Q(resident__vulnerability__dependency__in=[Dependency.HOME, Dependency.BED])
    card = Q(resident__vulnerability__welfare_card=True)
    elderly = Q(elderly=True)
    return [
        ("elderly", _("Elderly (60 and over)"), elderly),
        ("disabled", _("Registered disability"), disabled),
        ("dependent", _("Home- or bed-bound"), dependent),
        ("card", _("State welfare card"), card),
        ("other", _("None of these"), ~(elderly | disabled | dependent | card)),
    ]


def build_report(actor: Actor, start: date, end: date) -> Report:
    """All the figures of the actor's municipality for ``start`` … ``end`` (service dates)."""
    rules = settings_for(actor.municipality.pk)
    report = Report(start=start, end=end)
    base = requests_in_range(actor, start, end)
    counted = _with_unmet(base)

    totals = counted.aggregate(**_outcome_counts())
    completed = int(totals["completed"])

    # By purpose.
    by_purpose: dict[Any, Any] = {
        row["purpose"]: row for row in counted.values("purpose").annotate(**_outcome_counts())
    }
    purpose_rows = []
    for value, label in Purpose.choices:
        found = by_purpose.get(value, {})
        purpose_rows.append(
            [text_cell(str(label))]
            + [
                count_cell(int(found.get(k, 0)))
                for k in ("requests", "completed", "denied", "cancelled", "no_show")
            ]
        )
    outcome_total = [
        count_cell(int(totals[k])) for k in ("requests", "completed", "denied", "cancelled", "no_show")
    ]

    # By community (every community of the town, in code order).
    by_community: dict[Any, Any] = {
        row["resident__community_id"]: row
        for row in counted.values("resident__community_id").annotate(**_outcome_counts())
    }
    community_rows = []
    for community in Community.objects.filter(municipality=actor.municipality).order_by("code", "pk"):
        counts = by_community.get(community.pk, {})
        community_rows.append(
            [text_cell(community.name_th)]
            + [count_cell(int(counts.get(k, 0))) for k in ("requests", "completed", "denied", "unmet")]
        )
    suppress(community_rows, [1, 2, 3, 4], complementary=True)

    # By vulnerability group (a trip counts in every group its passenger belongs to).
    elderly_cut = ELDERLY_AGE * 10000
    grouped = counted.annotate(
        age_key=ExpressionWrapper(
            _ymd("service_date") - _ymd("resident__birth_date"), output_field=FloatField()
        )
    ).annotate(elderly=ExpressionWrapper(Q(age_key__gte=elderly_cut), output_field=BooleanField()))
    aggregates: dict[str, Any] = {}
    groups = _groups()
    for key, _label, cond in groups:
        for metric, extra in (
            ("requests", Q()),
            ("completed", Q(status=Status.COMPLETED)),
            ("denied", Q(status=Status.DENIED)),
            ("unmet", Q(has_unmet=True) & ~Q(status=Status.COMPLETED)),
        ):
            aggregates[f"{key}_{metric}"] = Count("pk", filter=cond & extra)
    by_group = grouped.aggregate(**aggregates)
    group_rows = [
        [text_cell(label)]
        + [count_cell(int(by_group[f"{key}_{m}"])) for m in ("requests", "completed", "denied", "unmet")]
        for key, label, _cond in groups
    ]
    suppress(group_rows, [1, 2, 3, 4], complementary=False)
    four_total = [count_cell(int(totals[k])) for k in ("requests", "completed", "denied", "unmet")]

    # On time: pickups the vehicle made.
    half = timedelta(minutes=rules.window_min / 2)
    pickups = (
        Stop.objects.filter(
            kind=Stop.Kind.PICKUP,
            state__in=[Stop.State.DONE, Stop.State.NO_SHOW],
            request__municipality=actor.municipality,
            request__service_date__range=(start, end),
        )
        .annotate(
            reached=Coalesce("arrived_at", "done_at"),
            lo=Coalesce(
                "request__pickup_earliest",
                ExpressionWrapper(F("planned_at") - half, output_field=DateTimeField()),
            ),
            hi=Coalesce(
                "request__pickup_latest",
                ExpressionWrapper(F("planned_at") + half, output_field=DateTimeField()),
            ),
        )
        .filter(reached__isnull=False)
        .aggregate(
            total=Count("pk"),
            early=Count("pk", filter=Q(reached__lt=F("lo"))),
            late=Count("pk", filter=Q(reached__gt=F("hi"))),
        )
    )
    made, early, late = int(pickups["total"]), int(pickups["early"]), int(pickups["late"])
    on_time = made - early - late

    # Ride time against the direct drive (completed trips with both times recorded).
    factor, extra_min = float(rules.max_ride_factor), float(rules.max_ride_extra_min)
    rides = (
        base.filter(status=Status.COMPLETED)
        .annotate(
            pick=FilteredRelation("stops", condition=Q(stops__kind=Stop.Kind.PICKUP)),
            drop=FilteredRelation("stops", condition=Q(stops__kind=Stop.Kind.DROPOFF)),
        )
        .filter(pick__done_at__isnull=False, drop__done_at__isnull=False)
        .annotate(
            ride_min=ExpressionWrapper(
                _minute_of_day(Coalesce("drop__arrived_at", "drop__done_at"))
                - _minute_of_day("pick__done_at"),
                output_field=FloatField(),
            ),
            direct_min=_direct_minutes(float(rules.speed_kmh), float(rules.detour_factor)),
        )
        .filter(direct_min__gt=0.5)
    )
    band_filters: dict[str, Any] = {}
    lower: Decimal | None = None
    for i, upper in enumerate(RATIO_BANDS):
        cond = Q(ride_min__lte=F("direct_min") * float(upper))
        if lower is not None:
            cond &= Q(ride_min__gt=F("direct_min") * float(lower))
        band_filters[f"band{i}"] = Count("pk", filter=cond)
        lower = upper
    band_filters[f"band{len(RATIO_BANDS)}"] = Count(
        "pk", filter=Q(ride_min__gt=F("direct_min") * float(lower or 0))
    )
    ratio = rides.aggregate(
        measured=Count("pk"),
        mean=Avg(ExpressionWrapper(F("ride_min") / F("direct_min"), output_field=FloatField())),
        over=Count("pk", filter=Q(ride_min__gt=F("direct_min") * factor + extra_min)),
        **band_filters,
    )
    measured = int(ratio["measured"])
    bands = [int(ratio[f"band{i}"]) for i in range(len(RATIO_BANDS) + 1)]

    # Runs: revenue hours, distance and running cost.
    runs = Run.objects.filter(plan__municipality=actor.municipality, plan__service_date__range=(start, end))
    driven = runs.filter(
        Exists(Stop.objects.filter(run=OuterRef("pk"), state__in=[Stop.State.DONE, Stop.State.NO_SHOW]))
    )
    distance = driven.aggregate(
        total_km=Sum("km"),
        total_cost=Sum(ExpressionWrapper(F("km") * F("vehicle__cost_per_km"), output_field=FloatField())),
    )
    km = Decimal(str(distance["total_km"] or 0)).quantize(TWO, rounding=ROUND_HALF_UP)
    cost = Decimal(str(distance["total_cost"] or 0)).quantize(TWO, rounding=ROUND_HALF_UP)
    spans = (
        driven.annotate(
            first=Min(
                _minute_of_day("stops__arrived_at"),
                filter=Q(stops__kind=Stop.Kind.PICKUP, stops__state=Stop.State.DONE),
            ),
            last=Max(
                _minute_of_day("stops__done_at"),
                filter=Q(stops__kind=Stop.Kind.DROPOFF, stops__state=Stop.State.DONE),
            ),
        )
        .filter(first__isnull=False, last__isnull=False)
        .aggregate(minutes=Sum(ExpressionWrapper(F("last") - F("first"), output_field=FloatField())))
    )
    revenue_hours = Decimal(str(spans["minutes"] or 0)) / 60
    per_hour = Decimal(completed) / revenue_hours if revenue_hours > 0 else None
    per_trip = cost / completed if completed else None
    avoided = rules.private_hire_cost * completed

    report.figures = {
        **{k: int(v) for k, v in totals.items()},
        "pickups": made,
        "on_time": on_time,
        "early": early,
        "late": late,
        "measured": measured,
        "bands": bands,
        "over_limit": int(ratio["over"]),
        "mean_ratio": ratio["mean"],
        "revenue_hours": revenue_hours,
        "passengers_per_hour": per_hour,
        "km": km,
        "cost": cost,
        "cost_per_trip": per_trip,
        "private_hire_avoided": avoided,
    }

    summary_rows = [
        [text_cell(_("Requests")), count_cell(int(totals["requests"]))],
        [text_cell(_("Completed trips")), count_cell(completed)],
        [text_cell(_("No-shows")), count_cell(int(totals["no_show"]))],
        [text_cell(_("Cancelled")), count_cell(int(totals["cancelled"]))],
        [text_cell(_("Denied")), count_cell(int(totals["denied"]))],
        [text_cell(_("Unmet need")), count_cell(int(totals["unmet"]))],
        [text_cell(_("On-time pickups (%)")), share_cell(on_time, made)],
        [text_cell(_("Vehicle revenue hours")), decimal_cell(revenue_hours)],
        [text_cell(_("Passengers per revenue hour")), decimal_cell(per_hour)],
        [text_cell(_("Distance driven (km)")), decimal_cell(km)],
        [text_cell(_("Running cost (baht)")), decimal_cell(cost)],
        [text_cell(_("Cost per trip (baht)")), decimal_cell(per_trip)],
        [text_cell(_("Private-hire cost avoided (baht)")), decimal_cell(avoided)],
        [
            text_cell(_("Mean ride time ÷ direct time")),
            decimal_cell(Decimal(str(ratio["mean"])) if ratio["mean"] is not None else None),
        ],
        [text_cell(_("Trips over the maximum ride time")), count_cell(int(ratio["over"]))],
    ]
    band_labels = [
        _("up to %(upper)s×") % {"upper": RATIO_BANDS[0]},
        *[_("%(lower)s× to %(upper)s×") % {"lower": lo, "upper": hi} for lo, hi in pairwise(RATIO_BANDS)],
        _("over %(lower)s×") % {"lower": RATIO_BANDS[-1]},
    ]
    report.tables = [
        Table(
            "summary",
            _("Key figures"),
            [_("Figure"), _("Value")],
            summary_rows,
            note=_(
                "Cost per trip is the running cost (km × each vehicle's cost per km) divided by completed "
                "trips; private-hire cost avoided is %(cost)s baht × completed trips."
            )
            % {"cost": number_format(rules.private_hire_cost, decimal_pos=2, force_grouping=True)},
        ),
        Table(
            "purpose",
            _("Trips by purpose"),
            [_("Purpose"), _("Requests"), _("Completed trips"), _("Denied"), _("Cancelled"), _("No-shows")],
            purpose_rows,
            total=[text_cell(_("Total")), *outcome_total],
            chart=Chart("bar", [2]),
        ),
        Table(
            "community",
            _("Trips, denials and unmet need by community"),
            [_("Community"), _("Requests"), _("Completed trips"), _("Denied"), _("Unmet need")],
            community_rows,
            total=[text_cell(_("Total")), *four_total],
            note=_("Counts from 1 to 4 are shown as “<5” to protect privacy (and one more where needed)."),
            chart=Chart("hbar", [2, 3, 4], stacked=True),
        ),
        Table(
            "group",
            _("Trips by vulnerability group"),
            [_("Group"), _("Requests"), _("Completed trips"), _("Denied"), _("Unmet need")],
            group_rows,
            total=[text_cell(_("All passengers")), *four_total],
            note=_("A passenger may belong to several groups. Counts from 1 to 4 are shown as “<5”."),
            chart=Chart("hbar", [1, 2]),
        ),
        Table(
            "on_time",
            _("On-time performance"),
            [_("Pickup"), _("Pickups"), _("Share (%)")],
            [
                [text_cell(_("On time")), count_cell(on_time), share_cell(on_time, made)],
                [text_cell(_("Early")), count_cell(early), share_cell(early, made)],
                [text_cell(_("Late")), count_cell(late), share_cell(late, made)],
            ],
            total=[text_cell(_("Total")), count_cell(made), share_cell(made, made)],
            note=_(
                "On time: the vehicle reached the pickup within the pickup window, or within %(half)s "
                "minutes of the planned time when the request has no pickup window."
            )
            % {"half": number_format(Decimal(rules.window_min) / 2, decimal_pos=0)},
            chart=Chart("doughnut", [1]),
        ),
        Table(
            "ride_ratio",
            _("Ride time against the direct trip"),
            [_("Ride time ÷ direct time"), _("Completed trips"), _("Share (%)")],
            [
                [text_cell(label), count_cell(n), share_cell(n, measured)]
                for label, n in zip(band_labels, bands, strict=True)
            ],
            total=[text_cell(_("Total")), count_cell(measured), share_cell(measured, measured)],
            note=_("Maximum ride time: direct time × %(factor)s + %(extra)s minutes.")
            % {"factor": rules.max_ride_factor, "extra": rules.max_ride_extra_min},
            chart=Chart("bar", [1]),
        ),
    ]
    return report
