"""Daily plans of the People Assistance Vehicle.

The day's accepted and scheduled requests and the vehicles with a shift that day become a dispatch
problem (:func:`build_day`): each request is a pickup and a drop-off with time windows, boarding
times by mobility, places per seat type (the passenger's seat, wheelchair or stretcher place; each
attendant and companion takes a seat) and a maximum ride time of direct × factor + extra minutes.
The engine (:mod:`thukkhon.dispatch`) plans it under a time limit in a background job
(:mod:`thukkhon.rides.tasks`), and :func:`plan_write_solution` writes runs and stops.

Every change a dispatcher makes names the plan version it was made on. The change starts with a
conditional ``UPDATE … SET version = v + 1 WHERE version = v``: of two concurrent changes exactly one
matches, the other gets :class:`PlanConflict` and changes nothing. A move is checked at once by the
engine's exact checker and refused with the constraint that breaks. Publishing reserves each run's
vehicle through :func:`thukkhon.fleet.services.vehicle_reserve`, whose unique (vehicle, slot)
constraint means a vehicle is never booked twice.

Stops already driven or in progress, and stops the dispatcher locked, form a locked prefix of their
run: re-planning and moves never change them.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from thukkhon.core.models import Municipality
from thukkhon.dispatch import model as dm
from thukkhon.dispatch.check import earliest_schedule, route_errors
from thukkhon.dispatch.insertion import InsertionOption, rank_insertions
from thukkhon.fleet.models import Reservation, Shift, Vehicle
from thukkhon.fleet.selectors import (
    Block,
    BlockKind,
    FreeInterval,
    ceil_slot,
    free_intervals,
    shift_gaps,
    vehicle_blocks,
)
from thukkhon.fleet.services import vehicle_release, vehicle_reserve
from thukkhon.rides.eligibility import settings_for
from thukkhon.rides.models import Mobility, Plan, RideRequest, RideSettings, Run, Status, Stop
from thukkhon.rides.travel import TravelMatrix, travel_matrix

# Requests a plan serves: decided and not finished. En route / picked up ones are being driven.
PLANNABLE = frozenset({Status.ACCEPTED, Status.SCHEDULED, Status.EN_ROUTE, Status.PICKED_UP})
DEFAULT_TIME_LIMIT = 20.0  # seconds of search for a day's plan
RIDES_REFERENCE = "run:{}"


class PlanConflict(ValidationError):
    """The change was made on a version of the plan that is no longer current."""

    def __init__(self) -> None:
        super().__init__(_("Someone else has changed this plan. Please reload."), code="conflict")


class PlanRefused(ValidationError):
    """The change would break a constraint (or is not allowed); nothing was changed."""


# --- The day as a dispatch problem ------------------------------------------------------------------


@dataclass
class Day:
    """A day's dispatch problem and what its indices stand for."""

    municipality: Municipality
    service_date: date
    settings: RideSettings
    origin: datetime  # local midnight: engine times are minutes since then
    problem: dm.Problem
    requests: list[RideRequest]
    vehicles: list[Vehicle]  # per engine vehicle: one per free interval, so a vehicle may repeat
    shifts: list[Shift]  # per engine vehicle: the shift its interval belongs to
    matrix: TravelMatrix
    intervals: list[FreeInterval] = field(default_factory=list)  # per engine vehicle
    fleet: dict[int, VehicleDay] = field(default_factory=dict)  # vehicle id → its day
    index_of_request: dict[int, int] = field(default_factory=dict)
    index_of_vehicle: dict[int, int] = field(default_factory=dict)  # vehicle id → its first interval
    routes_of_vehicle: dict[int, list[int]] = field(default_factory=dict)  # vehicle id → intervals

    def minutes(self, moment: datetime) -> float:
        return (moment - self.origin).total_seconds() / 60.0

    def at(self, minutes: float) -> datetime:
        return self.origin + timedelta(seconds=round(minutes * 60))

    def request(self, pk: int) -> RideRequest:
        return self.requests[self.index_of_request[pk]]


def day_origin(service_date: date) -> datetime:
    return timezone.make_aware(datetime.combine(service_date, time(0, 0)), timezone.get_current_timezone())


def load_of(ride: RideRequest) -> dm.Load:
    """The passenger's own place: a seat, a wheelchair place or a stretcher place."""
    if ride.mobility == Mobility.WHEELCHAIR:
        return dm.Load(wheelchair=1)
    if ride.mobility == Mobility.STRETCHER:
        return dm.Load(stretcher=1)
    return dm.Load(seat=1)


def service_minutes(ride: RideRequest, rules: RideSettings) -> float:
    if ride.mobility == Mobility.WHEELCHAIR:
        return float(rules.service_wheelchair_min)
    if ride.mobility == Mobility.STRETCHER:
        return float(rules.service_stretcher_min)
    return float(rules.service_walk_min)


def priority_weight(ride: RideRequest) -> float:
    """Weight of the penalty for leaving the request out: 1, more for a higher priority score."""
    return 1.0 + max(0, ride.priority) / 100.0


def plannable_requests(municipality: Municipality, service_date: date) -> list[RideRequest]:
    return list(
        RideRequest.objects.filter(
            municipality=municipality, service_date=service_date, status__in=PLANNABLE
        ).select_related("resident")
    )


def shifts_of_day(municipality: Municipality, service_date: date) -> list[Shift]:
    """Every shift of an active vehicle that starts on the day, by vehicle and time."""
    origin = day_origin(service_date)
    return list(
        Shift.objects.filter(
            municipality=municipality,
            vehicle__is_active=True,
            starts_at__gte=origin,
            starts_at__lt=origin + timedelta(days=1),
        )
        .select_related("vehicle", "vehicle__depot", "driver")
        .order_by("vehicle__name", "vehicle_id", "starts_at")
    )


def day_shifts(municipality: Municipality, service_date: date) -> list[Shift]:
    """One shift per active vehicle that day, spanning its first start to its last end (for lists of
    the day's vehicles; planning uses :func:`availability`)."""
    merged: dict[int, Shift] = {}
    for shift in shifts_of_day(municipality, service_date):
        first = merged.get(shift.vehicle_id)
        if first is None:
            merged[shift.vehicle_id] = shift
        else:
            first.ends_at = max(first.ends_at, shift.ends_at)
    return list(merged.values())


@dataclass
class VehicleDay:
    """A vehicle's day as planning sees it: its shifts, what blocks it (out of service, slots held
    by other bookings, gaps between shifts) and the free intervals that remain."""

    vehicle: Vehicle
    shifts: list[Shift]
    blocks: list[Block]
    free: list[FreeInterval]

    def clashes(self, starts_at: datetime, ends_at: datetime) -> list[Block]:
        return [b for b in self.blocks if b.overlaps(starts_at, ends_at)]

    def describe(self, block: Block) -> str:
        return block.describe(self.vehicle.name, _hm)


def availability(
    municipality: Municipality, service_date: date, *, ignore_references: frozenset[str] = frozenset()
) -> list[VehicleDay]:
    """Each active vehicle with a shift that day and its real free intervals: shifts minus
    out-of-service periods minus slots reserved by anything not in ``ignore_references`` (the
    plan's own runs), in whole quarter hours."""
    shifts = shifts_of_day(municipality, service_date)
    by_vehicle: dict[int, list[Shift]] = {}
    for shift in shifts:
        by_vehicle.setdefault(shift.vehicle_id, []).append(shift)
    if not by_vehicle:
        return []
    origin = day_origin(service_date)
    lo = min(s.starts_at for s in shifts)
    hi = max(max(s.ends_at for s in shifts), origin + timedelta(days=1))
    blocks = vehicle_blocks(
        municipality, min(lo, origin), hi, vehicle_ids=by_vehicle, ignore_references=ignore_references
    )
    result = []
    for own in by_vehicle.values():
        found = blocks.get(own[0].vehicle_id, [])
        free = free_intervals(own, found)
        busy = sorted([*found, *shift_gaps(own)], key=lambda b: (b.starts_at, b.ends_at))
        result.append(VehicleDay(vehicle=own[0].vehicle, shifts=own, blocks=busy, free=free))
    return result


def run_references(plan: Plan | None) -> frozenset[str]:
    if plan is None or plan.pk is None:
        return frozenset()
    return frozenset(RIDES_REFERENCE.format(pk) for pk in plan.runs.values_list("pk", flat=True))


def build_day(
    municipality: Municipality,
    service_date: date,
    *,
    requests: Sequence[RideRequest] | None = None,
    extra: Sequence[RideRequest] = (),
    driven: frozenset[tuple[int, str]] = frozenset(),
    now: datetime | None = None,
    ignore_references: frozenset[str] = frozenset(),
) -> Day:
    """The dispatch problem of a day. ``extra`` requests are appended at the end (same-day
    insertion). Stops in ``driven`` ((request id, kind)) already happened: their windows are
    relaxed. On the service day itself nothing not yet driven is picked up before ``now``.

    Each free interval of a vehicle (see :func:`availability`; reservations whose reference is in
    ``ignore_references`` — the plan's own runs — do not count) is one engine vehicle whose shift is
    the interval, so no route is planned into a body transport, an out-of-service period or a gap
    between two shifts."""
    rules = settings_for(municipality.pk)
    rides = list(plannable_requests(municipality, service_date) if requests is None else requests)
    known = {r.pk for r in rides}
    rides.extend(r for r in extra if r.pk not in known)
    fleet = availability(municipality, service_date, ignore_references=ignore_references)
    intervals = [free for vehicle_day in fleet for free in vehicle_day.free]
    shifts = [free.shift for free in intervals]
    origin = day_origin(service_date)
    current = now or timezone.now()
    earliest_now = (
        (current - origin).total_seconds() / 60.0 if timezone.localdate(current) == service_date else 0
    )

    points: list[tuple[float, float]] = []
    where: dict[tuple[float, float], int] = {}

    def point(lat: Any, lon: Any) -> int:
        key = (round(float(lat), 6), round(float(lon), 6))
        if key not in where:
            where[key] = len(points)
            points.append(key)
        return where[key]

    depots = []
    for shift in shifts:
        depot = shift.vehicle.depot
        lat, lon = (
            (depot.latitude, depot.longitude) if depot else (municipality.latitude, municipality.longitude)
        )
        depots.append(point(lat, lon))
    stops = [(point(r.pickup_lat, r.pickup_lon), point(r.dropoff_lat, r.dropoff_lon)) for r in rides]
    matrix = travel_matrix(points, speed_kmh=float(rules.speed_kmh), detour_factor=float(rules.detour_factor))

    def window(lo: datetime | None, hi: datetime | None, floor: float = 0.0) -> tuple[float, float]:
        low = (lo - origin).total_seconds() / 60.0 if lo else 0.0
        high = (hi - origin).total_seconds() / 60.0 if hi else math.inf
        return (max(low, floor), high)

    factor, extra_min = float(rules.max_ride_factor), float(rules.max_ride_extra_min)
    engine_requests = []
    for ride, (p, d) in zip(rides, stops, strict=True):
        service = service_minutes(ride, rules)
        pickup_driven = (ride.pk, Stop.Kind.PICKUP) in driven
        dropoff_driven = (ride.pk, Stop.Kind.DROPOFF) in driven
        direct = float(matrix.minutes[p, d])
        engine_requests.append(
            dm.Request(
                pickup=p,
                delivery=d,
                pickup_window=(0.0, math.inf)
                if pickup_driven
                else window(ride.pickup_earliest, ride.pickup_latest, earliest_now),
                delivery_window=(0.0, math.inf)
                if dropoff_driven
                else window(ride.dropoff_earliest, ride.dropoff_latest),
                pickup_service=service,
                delivery_service=service,
                load=load_of(ride),
                attendants=ride.attendants + ride.companions,
                max_ride_time=math.inf if pickup_driven else direct * factor + extra_min,
                priority=priority_weight(ride),
                id=str(ride.pk),
            )
        )
    vehicles = []
    routes_of_vehicle: dict[int, list[int]] = {}
    for k, (free, depot_point) in enumerate(zip(intervals, depots, strict=True)):
        v = free.shift.vehicle
        routes_of_vehicle.setdefault(v.pk, []).append(k)
        vehicles.append(
            dm.Vehicle(
                start_depot=depot_point,
                end_depot=depot_point,
                capacity=dm.Load(seat=v.seats, wheelchair=v.wheelchair_places, stretcher=v.stretcher_places),
                shift_start=(free.starts_at - origin).total_seconds() / 60.0,
                shift_end=(free.ends_at - origin).total_seconds() / 60.0,
                id=f"{v.pk}:{len(routes_of_vehicle[v.pk])}",
            )
        )
    problem = dm.Problem(
        requests=engine_requests,
        vehicles=vehicles,
        travel_time=matrix.minutes,
        distance=matrix.km,
        name=f"{municipality.code} {service_date.isoformat()}",
    )
    return Day(
        municipality=municipality,
        service_date=service_date,
        settings=rules,
        origin=origin,
        problem=problem,
        requests=rides,
        vehicles=[s.vehicle for s in shifts],
        shifts=shifts,
        matrix=matrix,
        intervals=intervals,
        fleet={vd.vehicle.pk: vd for vd in fleet},
        index_of_request={r.pk: i for i, r in enumerate(rides)},
        index_of_vehicle={pk: ks[0] for pk, ks in routes_of_vehicle.items()},
        routes_of_vehicle=routes_of_vehicle,
    )


def _is_fixed(stop: Stop) -> bool:
    return stop.locked or stop.state != Stop.State.PLANNED


def driven_stops(plan: Plan) -> frozenset[tuple[int, str]]:
    return frozenset(
        Stop.objects.filter(run__plan=plan)
        .exclude(state=Stop.State.PLANNED)
        .values_list("request_id", "kind")
    )


def build_plan_day(plan: Plan, *, extra: Sequence[RideRequest] = ()) -> tuple[Day, dm.Plan]:
    """The day of ``plan`` and its current routes as an engine plan, with locked prefixes.

    A run holds one vehicle's stops for the whole day; they are split over the vehicle's free
    intervals by their planned times (a trip's drop-off stays in its pickup's interval, and the
    split never goes back in time), so each interval's route is what the vehicle drives then."""
    day = build_day(
        plan.municipality,
        plan.service_date,
        extra=extra,
        driven=driven_stops(plan),
        ignore_references=run_references(plan),
    )
    routes: list[list[dm.Stop]] = [[] for _ in day.vehicles]
    locked = [0] * len(day.vehicles)
    for run in plan.runs.all():
        ks = day.routes_of_vehicle.get(run.vehicle_id)
        if not ks:
            continue
        stops = [s for s in run.stops.all() if s.request_id in day.index_of_request]
        kinds: dict[int, set[str]] = {}
        for s in stops:
            kinds.setdefault(s.request_id, set()).add(s.kind)
        stops = [s for s in stops if len(kinds[s.request_id]) == 2]
        leg_of_request: dict[int, int] = {}
        leg = 0
        for s in stops:
            if s.kind == Stop.Kind.PICKUP:
                at = _interval_at(day, ks, s.planned_at)
                leg = max(leg, at)
                leg_of_request[s.request_id] = leg
            else:
                leg = max(leg, leg_of_request.get(s.request_id, leg))
            k = ks[leg]
            routes[k].append(dm.Stop(day.index_of_request[s.request_id], s.kind == Stop.Kind.PICKUP))
            if _is_fixed(s):
                for earlier in ks[:leg]:
                    locked[earlier] = len(routes[earlier])
                locked[k] = len(routes[k])
    placed = {stop.request for route in routes for stop in route}
    unserved = [i for i in range(day.problem.n) if i not in placed]
    return day, dm.Plan(day.problem, routes, unserved, locked)


def _interval_at(day: Day, ks: Sequence[int], moment: datetime) -> int:
    """Which of a vehicle's intervals (0-based among ``ks``) a stop planned at ``moment`` belongs
    to: the last one that starts at or before it (the first one if none does)."""
    found = 0
    for leg, k in enumerate(ks):
        if day.intervals[k].starts_at <= moment:
            found = leg
    return found


# --- Why a route breaks (an adapter over the exact checker) -------------------------------------------


@dataclass(frozen=True)
class Breach:
    code: str  # "capacity", "shift_end", "ride_time", "time_window", "order"
    request: int | None  # engine index of the request concerned, when one is
    message: str


def _with(
    problem: dm.Problem, *, requests: list[dm.Request] | None = None, vehicles: list[dm.Vehicle] | None = None
) -> dm.Problem:
    return dm.Problem(
        requests=requests if requests is not None else problem.requests,
        vehicles=vehicles if vehicles is not None else problem.vehicles,
        travel_time=problem.travel_time,
        distance=problem.distance,
        unserved_penalty=problem.unserved_penalty,
    )


def explain_route(day: Day, vehicle: int, route: Sequence[dm.Stop]) -> list[Breach]:
    """Which constraint the route breaks, in words a dispatcher reads (empty when it is feasible).

    The engine's checker says whether a schedule exists; to name the constraint, each kind is relaxed
    in turn (the shift's end, one request's maximum ride time, one request's time windows) and the
    first relaxation that makes the route feasible is the one to blame."""
    problem = day.problem
    errors = route_errors(problem, vehicle, route)
    if not errors:
        return []
    name = day.vehicles[vehicle].name
    seen: set[int] = set()
    for stop in route:
        if stop.pickup:
            seen.add(stop.request)
        elif stop.request not in seen:
            return [Breach("order", stop.request, _("A pickup must come before its drop-off."))]
    capacity = problem.vehicles[vehicle].capacity.as_tuple()
    load = [0, 0, 0]
    labels = (_("seats"), _("wheelchair places"), _("stretcher places"))
    for stop in route:
        seats = problem.requests[stop.request].seats()
        sign = 1 if stop.pickup else -1
        for kind in range(3):
            load[kind] += sign * seats[kind]
        for kind in range(3):
            if load[kind] > capacity[kind]:
                who = _who(day, stop.request)
                return [
                    Breach(
                        "capacity",
                        stop.request,
                        _(
                            "Capacity: after picking up %(who)s, %(vehicle)s would need %(need)s %(what)s "
                            "but has %(has)s."
                        )
                        % {
                            "who": who,
                            "vehicle": name,
                            "need": load[kind],
                            "what": labels[kind],
                            "has": capacity[kind],
                        },
                    )
                ]
    # Shift end (and route duration).
    vehicles = list(problem.vehicles)
    vehicles[vehicle] = dataclasses.replace(vehicles[vehicle], shift_end=math.inf, max_duration=math.inf)
    relaxed = earliest_schedule(_with(problem, vehicles=vehicles), vehicle, route)
    if relaxed is not None:
        end = day.at(relaxed[-1])
        shift_end = day.at(problem.vehicles[vehicle].shift_end)
        clash = _block_after(day, vehicle)
        if clash is not None:
            return [
                Breach(
                    "reserved",
                    None,
                    _("Busy: %(vehicle)s would be back at the depot at %(back)s, but %(clash)s.")
                    % {"vehicle": name, "back": _hm(end), "clash": clash},
                )
            ]
        return [
            Breach(
                "shift_end",
                None,
                _(
                    "Shift end: %(vehicle)s would be back at the depot at %(back)s, "
                    "after its shift ends at %(end)s."
                )
                % {"vehicle": name, "back": _hm(end), "end": _hm(shift_end)},
            )
        ]
    members = sorted({stop.request for stop in route})
    for r in members:  # one request's maximum ride time
        requests = list(problem.requests)
        requests[r] = dataclasses.replace(requests[r], max_ride_time=None, max_ride_factor=None)
        times = earliest_schedule(_with(problem, requests=requests), vehicle, route)
        if times is not None:
            limit = problem.ride_limit(r)
            pick = next(i for i, s in enumerate(route) if s.request == r and s.pickup)
            drop = next(i for i, s in enumerate(route) if s.request == r and not s.pickup)
            ride = times[drop + 1] - times[pick + 1] - problem.requests[r].pickup_service
            who = _who(day, r)
            return [
                Breach(
                    "ride_time",
                    r,
                    _("Ride time: %(who)s would ride %(ride).0f min, over the limit of %(limit).0f min.")
                    % {"who": who, "ride": ride, "limit": limit},
                )
            ]
    for r in members:  # one request's time windows
        requests = list(problem.requests)
        requests[r] = dataclasses.replace(
            requests[r], pickup_window=(0.0, math.inf), delivery_window=(0.0, math.inf)
        )
        if earliest_schedule(_with(problem, requests=requests), vehicle, route) is not None:
            return [_window_breach(day, vehicle, route, r)]
    return [
        Breach(
            "time_window",
            None,
            _("Time windows: %(vehicle)s cannot reach every stop within its time window.")
            % {"vehicle": name},
        )
    ]


def _window_breach(day: Day, vehicle: int, route: Sequence[dm.Stop], r: int) -> Breach:
    request = day.problem.requests[r]
    who = _who(day, r)
    # When would the vehicle get there without this request's windows?
    requests = list(day.problem.requests)
    requests[r] = dataclasses.replace(request, pickup_window=(0.0, math.inf), delivery_window=(0.0, math.inf))
    times = earliest_schedule(_with(day.problem, requests=requests), vehicle, route) or []
    pick = next(i for i, s in enumerate(route) if s.request == r and s.pickup)
    drop = next(i for i, s in enumerate(route) if s.request == r and not s.pickup)
    if times and times[drop + 1] > request.delivery_window[1] + 1e-6:
        message = _(
            "Time window: %(who)s could be dropped off at %(at)s at the earliest, "
            "but no later than %(latest)s."
        )
        at, latest = times[drop + 1], request.delivery_window[1]
    else:
        message = _(
            "Time window: %(who)s could be picked up at %(at)s at the earliest, but no later than %(latest)s."
        )
        at, latest = (times[pick + 1] if times else math.nan), request.pickup_window[1]
    if math.isfinite(latest) and math.isfinite(at):
        return Breach(
            "time_window", r, message % {"who": who, "at": _hm(day.at(at)), "latest": _hm(day.at(latest))}
        )
    return Breach(
        "time_window",
        r,
        _("Time window: %(who)s cannot be served in time.") % {"who": who},
    )


def _block_after(day: Day, vehicle: int) -> str | None:
    """The block that ends engine vehicle ``vehicle``'s free interval, in words (None when the
    interval ends with the shift)."""
    if not day.intervals:
        return None
    free = day.intervals[vehicle]
    vehicle_day = day.fleet[free.vehicle_id]
    for block in vehicle_day.blocks:
        if block.overlaps(free.ends_at, free.ends_at + timedelta(minutes=1)):
            return vehicle_day.describe(block)
    return None


def _request_span(day: Day, r: int) -> tuple[datetime, datetime]:
    """From the earliest pickup to the latest the trip could be over."""
    req = day.problem.requests[r]
    direct = float(day.problem.travel_time[req.pickup, req.delivery])
    lo = req.pickup_window[0]
    ends = [req.delivery_window[1] + req.delivery_service]
    ends.append(req.pickup_window[1] + req.pickup_service + direct + req.delivery_service)
    finite = [e for e in ends if math.isfinite(e)]
    hi = min(finite) if finite else lo + req.pickup_service + direct + req.delivery_service
    return day.at(lo), day.at(max(hi, lo + 1.0))


def _clashes(day: Day, vehicle_id: int, r: int, near: Sequence[int] = ()) -> list[Block]:
    """Blocks of the vehicle in the time request ``r`` needs; those that bound one of the engine
    vehicles ``near`` (the intervals the trip was tried on) first."""
    vehicle_day = day.fleet.get(vehicle_id)
    if vehicle_day is None:
        return []
    found = vehicle_day.clashes(*_request_span(day, r))
    edges = {day.intervals[k].starts_at for k in near} | {day.intervals[k].ends_at for k in near}

    def touches(block: Block) -> bool:
        lo, hi = block.slot_bounds()
        return lo in edges or hi in edges or block.starts_at in edges or block.ends_at in edges

    return sorted(found, key=lambda b: (not touches(b), b.starts_at))


def _clash_breach(day: Day, vehicle_id: int, r: int, near: Sequence[int] = ()) -> Breach | None:
    found = _clashes(day, vehicle_id, r, near)
    if not found:
        return None
    return Breach("reserved", r, _("%(clash)s.") % {"clash": day.fleet[vehicle_id].describe(found[0])})


def _who(day: Day, index: int) -> str:
    ride = day.requests[index]
    resident = ride.resident
    return f"{resident.first_name} {resident.last_name}".strip() or f"#{ride.pk}"


def _span(lo: datetime, hi: datetime) -> str:
    return f"{_hm(lo)}–{_hm(hi)}"


def _hm(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%H:%M")


# --- Writing a plan -----------------------------------------------------------------------------------


def _claim(plan: Plan, version: int) -> Plan:
    """Start a change made on ``version``: the conditional UPDATE that makes lost updates impossible."""
    changed = Plan.objects.filter(pk=plan.pk, version=version).update(
        version=F("version") + 1, updated_at=timezone.now()
    )
    if not changed:
        raise PlanConflict()
    return Plan.objects.select_related("municipality").get(pk=plan.pk)  # the caller's object stays as it was


Leg = tuple[datetime, datetime]  # a vehicle out of its depot and back, within one free interval


def _leg_times(
    plan_stops: dict[tuple[int, str], Stop], day: Day, k: int, route: Sequence[dm.Stop]
) -> list[float] | None:
    """Start-of-service times (depot, stops, depot) of engine route ``k``: the earliest schedule,
    or — for a route that no longer fits, e.g. after an out-of-service period was declared — the
    times its stops were planned at, when every stop already has one."""
    times = earliest_schedule(day.problem, k, route)
    if times is not None:
        return times
    rows = [plan_stops.get((day.requests[s.request].pk, _kind(s))) for s in route]
    if any(row is None for row in rows):
        return None
    planned = [day.minutes(row.planned_at) for row in rows if row is not None]
    return [planned[0], *planned, planned[-1]]


def _kind(stop: dm.Stop) -> str:
    return Stop.Kind.PICKUP if stop.pickup else Stop.Kind.DROPOFF


def _write_routes(
    plan: Plan, day: Day, routes: Sequence[Sequence[dm.Stop]], locked: Sequence[int]
) -> dict[int, list[Leg]]:
    """Make runs and stops match ``routes``: one run per vehicle holding the routes of all its free
    intervals in time order; stop rows are kept (moved, renumbered) where they exist. Returns each
    run's legs (out of the depot and back, one per non-empty interval)."""
    problem = day.problem
    existing = {(s.request_id, s.kind): s for s in Stop.objects.filter(run__plan=plan)}
    runs = {run.vehicle_id: run for run in plan.runs.all()}
    if existing:  # free every sequence number first (unique per run)
        Stop.objects.filter(run__plan=plan).update(sequence=F("sequence") + 10000)
    keep: set[int] = set()
    keep_runs: set[int] = set()
    legs_of_run: dict[int, list[Leg]] = {}
    for vehicle_id, ks in day.routes_of_vehicle.items():
        used = [k for k in ks if routes[k]]
        if not used:
            continue
        vehicle = day.vehicles[used[0]]
        legs: list[tuple[int, list[float]]] = []
        for k in used:
            times = _leg_times(existing, day, k, routes[k])
            if times is None:  # never written: callers check first
                raise PlanRefused(_("This route cannot be driven."))
            legs.append((k, times))
        km = sum(
            dm.route_cost(day.matrix.km, problem.vehicles[k], problem.requests, list(routes[k])) for k in used
        )
        starts_at, ends_at = day.at(legs[0][1][0]), day.at(legs[-1][1][-1])
        run = runs.get(vehicle_id)
        if run is None:
            run = Run.objects.create(
                plan=plan,
                vehicle=vehicle,
                driver=day.shifts[used[0]].driver,
                starts_at=starts_at,
                ends_at=ends_at,
                km=round(km, 2),
            )
            runs[vehicle_id] = run
        else:
            run.starts_at, run.ends_at, run.km = starts_at, ends_at, round(km, 2)
            run.save(update_fields=["starts_at", "ends_at", "km"])
        keep_runs.add(run.pk)
        legs_of_run[run.pk] = [(day.at(times[0]), day.at(times[-1])) for _k, times in legs]
        changed: list[Stop] = []
        sequence = 0
        for k, times in legs:
            for position, stop in enumerate(routes[k]):
                sequence += 1
                ride = day.requests[stop.request]
                kind = _kind(stop)
                row = existing.get((ride.pk, kind))
                when = day.at(times[position + 1])
                if row is None:
                    row = Stop.objects.create(
                        run=run, request=ride, kind=kind, sequence=sequence, planned_at=when
                    )
                else:
                    row.run, row.sequence = run, sequence
                    if row.state == Stop.State.PLANNED:
                        row.planned_at = when
                    changed.append(row)
                keep.add(row.pk)
        Stop.objects.bulk_update(changed, ["run", "sequence", "planned_at"])
    Stop.objects.filter(run__plan=plan).exclude(pk__in=keep).delete()
    for run in plan.runs.exclude(pk__in=keep_runs):
        vehicle_release(reference=RIDES_REFERENCE.format(run.pk))
        run.delete()
    total = sum(
        dm.route_cost(day.matrix.km, problem.vehicles[k], problem.requests, list(r))
        for k, r in enumerate(routes)
        if r
    )
    placed = {s.request for r in routes for s in r}
    plan.total_km = round(total, 2)  # type: ignore[assignment]
    plan.unplanned = sum(1 for i in range(problem.n) if i not in placed)
    plan.save(update_fields=["total_km", "unplanned", "updated_at"])
    if plan.state == Plan.State.PUBLISHED:
        _reserve(plan, legs_of_run)
        _schedule(day, placed)
    return legs_of_run


def plan_write_solution(*, plan: Plan, version: int, day: Day, solution: dm.Plan) -> Plan:
    """Write the engine's plan, if the plan is still at ``version``; requests it could not serve
    become unmet need."""
    with transaction.atomic():
        plan = _claim(plan, version)
        _write_routes(plan, day, solution.routes, solution.locked)
        for index in solution.unserved:
            ride = day.requests[index]
            if ride.status == Status.SCHEDULED:
                _unschedule(ride)
            _mark_unplanned(ride, _unplanned_detail(day, index))
    return plan


def _unplanned_detail(day: Day, index: int) -> str:
    """Why a request was left out: no vehicle could take it, and what kept vehicles busy then."""
    detail = _("No vehicle could take it that day.")
    found = [
        vehicle_day.describe(block)
        for vehicle_day in day.fleet.values()
        for block in _clashes(day, vehicle_day.vehicle.pk, index)
    ]
    if found:
        detail = f"{detail} ({'; '.join(found[:3])})"
    return detail[:300]


# --- Outcome adapters (the outcome service owns the status machine and unmet need) ----------------------


def _mark_unplanned(ride: RideRequest, detail: str) -> None:
    from thukkhon.rides.outcomes import request_mark_unplanned

    request_mark_unplanned(ride=ride, detail=detail)


def _unschedule(ride: RideRequest) -> None:
    from thukkhon.rides.outcomes import request_transition

    request_transition(actor=None, ride=ride, to=Status.ACCEPTED, note="off the plan")


def _schedule(day: Day, placed: set[int]) -> None:
    from thukkhon.rides.outcomes import request_transition

    for index in sorted(placed):
        ride = day.requests[index]
        if ride.status == Status.ACCEPTED:
            request_transition(actor=None, ride=ride, to=Status.SCHEDULED)


def _reserve(plan: Plan, legs_of_run: dict[int, list[Leg]]) -> None:
    """Hold every run's vehicle for the run's legs — not the breaks between them, which belong to
    whatever blocked the vehicle then (released and taken again after a change). Legs that share
    a quarter hour are held as one period."""
    for run in plan.runs.select_related("vehicle"):
        reference = RIDES_REFERENCE.format(run.pk)
        vehicle_release(reference=reference)
        merged: list[list[datetime]] = []
        for start, end in sorted(legs_of_run.get(run.pk, [(run.starts_at, run.ends_at)])):
            if merged and start < ceil_slot(merged[-1][1]):
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        for start, end in merged:
            vehicle_reserve(
                vehicle=run.vehicle,
                starts_at=start,
                ends_at=max(end, start + timedelta(minutes=1)),
                purpose=Reservation.Purpose.RIDES,
                reference=reference,
            )


def plan_legs(plan: Plan) -> dict[int, list[Leg]]:
    """Each run's legs as its stored times say (out of the depot and back, per free interval): the
    run's start and end, and between two legs the travel from the last stop to the depot and from
    the depot to the next first stop. Never recomputed here: what is published is what the
    dispatcher reviewed, and a booking made meanwhile on those times makes publishing fail."""
    day, current = build_plan_day(plan)
    stored = {(s.request_id, s.kind): s.planned_at for s in Stop.objects.filter(run__plan=plan)}
    problem = day.problem
    result: dict[int, list[Leg]] = {}
    for run in plan.runs.all():
        legs: list[list[datetime]] = []
        for k in day.routes_of_vehicle.get(run.vehicle_id, []):
            route = current.routes[k]
            if not route:
                continue
            first, last = route[0], route[-1]
            depot = problem.vehicles[k].start_depot
            first_loc = dm.stop_location(problem.requests, first)
            last_loc = dm.stop_location(problem.requests, last)
            last_req = problem.requests[last.request]
            service = last_req.pickup_service if last.pickup else last_req.delivery_service
            leave = stored[(day.requests[first.request].pk, _kind(first))] - timedelta(
                minutes=float(problem.travel_time[depot, first_loc])
            )
            back = stored[(day.requests[last.request].pk, _kind(last))] + timedelta(
                minutes=service + float(problem.travel_time[last_loc, depot])
            )
            legs.append([leave, back])
        if legs:  # a run without any (its vehicle lost its shift) is held from its start to its end
            legs[0][0], legs[-1][1] = run.starts_at, run.ends_at
            result[run.pk] = [(lo, hi) for lo, hi in legs]
    return result


# --- Dispatcher changes -------------------------------------------------------------------------------


def plan_get_or_create(*, municipality: Municipality, service_date: date) -> Plan:
    plan, _created = Plan.objects.get_or_create(municipality=municipality, service_date=service_date)
    return plan


def _request_index(day: Day, request_id: int) -> int:
    index = day.index_of_request.get(request_id)
    if index is None:
        raise PlanRefused(_("This request is not part of this day's plan."))
    return index


def trip_placement(
    day: Day,
    current: dm.Plan,
    request: int,
    vehicle: int,
    pickup_position: int | None,
    delivery_position: int | None,
) -> tuple[list[list[dm.Stop]], list[Breach]]:
    """Routes with ``request`` taken from where it is and put on ``vehicle`` at the positions (in the
    target route after removal; ``None`` = the cheapest feasible positions), and what breaks."""
    for k, route in enumerate(current.routes):
        if any(s.request == request for s in route[: current.locked[k]]):
            raise PlanRefused(pgettext("move", "This trip is locked or already being driven."))
    routes = [[s for s in route if s.request != request] for route in current.routes]
    if pickup_position is None or delivery_position is None:
        shown = dm.Plan(day.problem, routes, [], list(current.locked))
        options = _insertions(day, shown, request, only_vehicle=vehicle)
        if options:
            pickup_position, delivery_position = options[0].pickup_position, options[0].delivery_position - 1
        else:  # nothing fits: explain why at the end of the route
            pickup_position = delivery_position = len(routes[vehicle])
    target = routes[vehicle]
    if not current.locked[vehicle] <= pickup_position <= len(target):
        raise PlanRefused(_("The pickup position is outside the route or in its locked part."))
    if not pickup_position <= delivery_position <= len(target):
        raise PlanRefused(_("The drop-off must come after the pickup."))
    target.insert(pickup_position, dm.Stop(request, True))
    target.insert(delivery_position + 1, dm.Stop(request, False))
    return routes, explain_route(day, vehicle, target)


def _insertions(
    day: Day, plan: dm.Plan, request: int, only_vehicle: int | None = None
) -> list[InsertionOption]:
    """Feasible positions for request ``request`` (not in ``plan``'s routes) via the engine's
    insertion API, which inserts a *new* request: the problem without that request is given and the
    request is appended, so indices after it shift by one (mapped back here)."""
    n = day.problem.n
    others = [r for i, r in enumerate(day.problem.requests) if i != request]
    remap = {i: (i if i < request else i - 1) for i in range(n) if i != request}
    problem = _with(day.problem, requests=others)
    routes = [[dm.Stop(remap[s.request], s.pickup) for s in route] for route in plan.routes]
    base = dm.Plan(
        problem,
        routes,
        [
            remap[i]
            for i in range(n)
            if i != request and not any(s.request == i for route in plan.routes for s in route)
        ],
        list(plan.locked),
    )
    options = rank_insertions(base, day.problem.requests[request])
    if only_vehicle is not None:
        options = [o for o in options if o.vehicle == only_vehicle]
    return options


def _offsets(routes: Sequence[Sequence[dm.Stop]], ks: Sequence[int]) -> list[int]:
    """Where each interval's route starts in the vehicle's whole run."""
    result, at = [], 0
    for k in ks:
        result.append(at)
        at += len(routes[k])
    return result


def place_on_vehicle(
    day: Day,
    current: dm.Plan,
    request: int,
    vehicle_id: int,
    pickup_position: int | None,
    delivery_position: int | None,
) -> tuple[list[list[dm.Stop]], list[Breach]]:
    """Like :func:`trip_placement`, for a whole vehicle: positions count stops of the vehicle's run
    (all its intervals, without the trip). A position on the boundary of two intervals may go at
    the end of one or the start of the next: the cheaper feasible one is taken. A move that fails
    for lack of time names the body transport, out-of-service period or shift gap in the way."""
    vehicle_day = day.fleet.get(vehicle_id)
    if vehicle_day is None:
        raise PlanRefused(_("This vehicle has no shift that day."))
    ks = day.routes_of_vehicle.get(vehicle_id, [])
    if not ks:  # every minute of its shifts is taken
        block = (_clashes(day, vehicle_id, request) or vehicle_day.blocks)[0]
        return [list(r) for r in current.routes], [
            Breach("reserved", request, _("%(clash)s.") % {"clash": vehicle_day.describe(block)})
        ]
    for k, route in enumerate(current.routes):
        if any(s.request == request for s in route[: current.locked[k]]):
            raise PlanRefused(pgettext("move", "This trip is locked or already being driven."))
    without = [[s for s in route if s.request != request] for route in current.routes]
    if pickup_position is None or delivery_position is None:
        shown = dm.Plan(day.problem, without, [], list(current.locked))
        options = [o for o in _insertions(day, shown, request) if o.vehicle in ks]
        if options:
            best = options[0]
            return trip_placement(
                day, current, request, best.vehicle, best.pickup_position, best.delivery_position - 1
            )
        # nothing fits: explain on the interval nearest the pickup window
        lo = day.at(day.problem.requests[request].pickup_window[0])
        k = min(ks, key=lambda k: (abs((day.intervals[k].starts_at - lo).total_seconds()), k))
        for k2 in ks:
            if day.intervals[k2].starts_at <= lo < day.intervals[k2].ends_at:
                k = k2
        routes, breaches = trip_placement(day, current, request, k, len(without[k]), len(without[k]))
        return routes, _with_clash(day, vehicle_id, request, [k], breaches)
    offsets = _offsets(without, ks)
    total = offsets[-1] + len(without[ks[-1]])
    if not 0 <= pickup_position <= total:
        raise PlanRefused(_("The pickup position is outside the route or in its locked part."))
    if not pickup_position <= delivery_position <= total:
        raise PlanRefused(_("The drop-off must come after the pickup."))
    candidates = [
        (k, at)
        for k, at in zip(ks, offsets, strict=True)
        if at <= pickup_position and delivery_position <= at + len(without[k])
    ]
    if not candidates:  # the passenger would be on board across a break
        first = next(k for k, at in zip(ks, offsets, strict=True) if at + len(without[k]) >= pickup_position)
        clash = _clash_breach(day, vehicle_id, request, [first])
        gap = Breach(
            "reserved",
            request,
            _("The pickup and the drop-off would fall on either side of a break of %(vehicle)s.")
            % {"vehicle": vehicle_day.vehicle.name},
        )
        return [list(r) for r in current.routes], [gap, *([clash] if clash else [])]
    tried: list[tuple[float, list[list[dm.Stop]], list[Breach]]] = []
    refusal: PlanRefused | None = None
    for k, at in candidates:
        try:
            routes, breaches = trip_placement(
                day, current, request, k, pickup_position - at, delivery_position - at
            )
        except PlanRefused as exc:
            refusal = refusal or exc
            continue
        cost = dm.route_cost(
            day.problem.cost_matrix, day.problem.vehicles[k], day.problem.requests, routes[k]
        )
        tried.append((cost if not breaches else math.inf, routes, breaches))
    if not tried:
        assert refusal is not None
        raise refusal
    feasible = [t for t in tried if not t[2]]
    if feasible:
        best_routes = min(feasible, key=lambda t: t[0])[1]
        return best_routes, []
    _cost, routes, breaches = tried[0]
    return routes, _with_clash(day, vehicle_id, request, [k for k, _at in candidates], breaches)


def _with_clash(
    day: Day, vehicle_id: int, request: int, near: Sequence[int], breaches: list[Breach]
) -> list[Breach]:
    """A refusal for lack of time names the block in the way first."""
    if breaches and breaches[0].code in ("shift_end", "time_window", "ride_time"):
        clash = _clash_breach(day, vehicle_id, request, near)
        if clash is not None:
            return [clash, *breaches]
    return breaches


def plan_move_trip(
    *,
    plan: Plan,
    version: int,
    request_id: int,
    vehicle_id: int,
    pickup_position: int | None = None,
    delivery_position: int | None = None,
) -> Plan:
    """Put a trip (planned or not) on a vehicle at the given positions (0-based in the vehicle's run
    without the trip; the drop-off position counts stops after the pickup is placed minus one, i.e. both
    are positions in the run without the trip), or at its cheapest feasible place when positions are
    omitted. Refused with the constraint that breaks — naming the body transport or out-of-service
    period in the way —; a stale ``version`` is a :class:`PlanConflict`."""
    with transaction.atomic():
        plan = _claim(plan, version)
        day, current = build_plan_day(plan)
        request = _request_index(day, request_id)
        routes, breaches = place_on_vehicle(
            day, current, request, vehicle_id, pickup_position, delivery_position
        )
        if breaches:
            raise PlanRefused(
                _("Cannot move the trip: ") + " ".join(b.message for b in breaches),
                code=breaches[0].code,
            )
        _write_routes(plan, day, routes, current.locked)
    return plan


def plan_unplan_trip(*, plan: Plan, version: int, request_id: int) -> Plan:
    """Take a trip off the plan (it becomes unmet need unless placed again)."""
    with transaction.atomic():
        plan = _claim(plan, version)
        day, current = build_plan_day(plan)
        request = _request_index(day, request_id)
        for k, route in enumerate(current.routes):
            if any(s.request == request for s in route[: current.locked[k]]):
                raise PlanRefused(
                    pgettext("take off the plan", "This trip is locked or already being driven.")
                )
        routes = [[s for s in route if s.request != request] for route in current.routes]
        _write_routes(plan, day, routes, current.locked)
        ride = day.requests[request]
        if ride.status == Status.SCHEDULED:
            _unschedule(ride)
        _mark_unplanned(ride, _("Taken off the plan by the dispatcher."))
    return plan


def plan_lock(
    *, plan: Plan, version: int, run_id: int, stop_id: int | None = None, locked: bool = True
) -> Plan:
    """Lock a whole run, or a stop and every stop before it (a run's locked part is a prefix).
    Unlocking a stop unlocks it and every stop after it; stops already driven stay fixed anyway."""
    with transaction.atomic():
        plan = _claim(plan, version)
        run = plan.runs.filter(pk=run_id).first()
        if run is None:
            raise PlanRefused(_("This run is not in the plan."))
        stops = run.stops.all()
        if stop_id is not None:
            stop = stops.filter(pk=stop_id).first()
            if stop is None:
                raise PlanRefused(_("This stop is not in the run."))
            stops = (
                stops.filter(sequence__lte=stop.sequence)
                if locked
                else stops.filter(sequence__gte=stop.sequence)
            )
        stops.update(locked=locked)
    return plan


def plan_publish(*, plan: Plan, version: int) -> Plan:
    """Publish: hold each run's vehicle (never twice: the reservation constraint decides) and mark
    the planned requests scheduled. All or nothing."""
    with transaction.atomic():
        plan = _claim(plan, version)
        if not plan.runs.exists():
            raise PlanRefused(_("This plan has no runs yet."))
        _reserve(plan, plan_legs(plan))
        from thukkhon.rides.outcomes import request_transition

        rides = RideRequest.objects.filter(stops__run__plan=plan, status=Status.ACCEPTED).distinct()
        for ride in rides:
            request_transition(actor=None, ride=ride, to=Status.SCHEDULED)
        plan.state = Plan.State.PUBLISHED
        plan.published_at = timezone.now()
        plan.save(update_fields=["state", "published_at", "updated_at"])
    return plan


# --- Same-day insertion -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Option:
    """A feasible place for a new trip, as the dispatcher sees it."""

    vehicle_id: int
    vehicle_name: str
    pickup_position: int  # 0-based in the route without the trip
    delivery_position: int  # 0-based in the route without the trip (≥ pickup_position)
    added_km: float
    pickup_at: datetime
    dropoff_at: datetime


def insertion_options(*, plan: Plan, request: RideRequest, limit: int = 10) -> list[Option]:
    """Ranked feasible insertions of ``request`` into today's plan (cheapest first), from the engine."""
    if request.municipality_id != plan.municipality_id or request.service_date != plan.service_date:
        raise PlanRefused(_("This request is for another day or town."))
    if request.status not in PLANNABLE:
        raise PlanRefused(_("This request has not been accepted."))
    day, current = build_plan_day(plan, extra=[request])
    index = day.index_of_request[request.pk]
    if any(s.request == index for route in current.routes for s in route):
        raise PlanRefused(_("This request is already in the plan."))
    result = []
    for o in _insertions(day, current, index)[:limit]:
        vehicle = day.vehicles[o.vehicle]
        ks = day.routes_of_vehicle[vehicle.pk]
        offset = _offsets(current.routes, ks)[ks.index(o.vehicle)]  # positions count the whole run
        result.append(
            Option(
                vehicle_id=vehicle.pk,
                vehicle_name=vehicle.name,
                pickup_position=offset + o.pickup_position,
                delivery_position=offset + o.delivery_position - 1,
                added_km=round(o.added_cost, 2),
                pickup_at=day.at(o.times[o.pickup_position + 1]),
                dropoff_at=day.at(o.times[o.delivery_position + 1]),
            )
        )
    return result


# --- Reading a plan for review ----------------------------------------------------------------------------


@dataclass
class StopView:
    stop: Stop
    load: tuple[int, int, int]  # seats, wheelchair, stretcher on board after the stop
    fixed: bool


@dataclass
class RunView:
    run: Run
    stops: list[StopView]
    capacity: tuple[int, int, int]
    conflicts: list[str] = field(default_factory=list)  # blocks that now fall on planned stops


FINISHED_STOPS = frozenset({Stop.State.DONE, Stop.State.NO_SHOW, Stop.State.SKIPPED})


def _falls_in(stop: Stop, pickups: dict[int, datetime], lo: datetime, hi: datetime) -> bool:
    """The stop is planned in [lo, hi), or it is a drop-off whose passenger is on board then."""
    if lo <= stop.planned_at < hi:
        return True
    picked = pickups.get(stop.request_id)
    return stop.kind == Stop.Kind.DROPOFF and picked is not None and picked < hi and stop.planned_at > lo


def run_conflicts(vehicle_day: VehicleDay | None, stops: Sequence[Stop]) -> list[str]:
    """Blocks of the vehicle's day (declared after planning: out of service, a body transport
    booked while the plan was a draft) that fall on a stop still to come or while a passenger is on
    board, in words with the number of stops concerned."""
    if vehicle_day is None:
        return []
    pickups = {s.request_id: s.planned_at for s in stops if s.kind == Stop.Kind.PICKUP}
    result = []
    for block in vehicle_day.blocks:
        lo, hi = block.slot_bounds()
        hit = [s for s in stops if s.state not in FINISHED_STOPS and _falls_in(s, pickups, lo, hi)]
        if hit:
            result.append(
                ngettext(
                    "%(clash)s: %(n)s stop of this run falls in it.",
                    "%(clash)s: %(n)s stops of this run fall in it.",
                    len(hit),
                )
                % {"clash": vehicle_day.describe(block), "n": len(hit)}
            )
    return result


def plan_review(plan: Plan, fleet: Sequence[VehicleDay] | None = None) -> list[RunView]:
    """Each run with its stops in order, the load on board after each stop, and what now blocks its
    vehicle at a planned stop (``fleet``: the day's availability without the plan's own runs)."""
    if fleet is None:
        fleet = availability(plan.municipality, plan.service_date, ignore_references=run_references(plan))
    by_vehicle = {vd.vehicle.pk: vd for vd in fleet}
    result = []
    runs = plan.runs.select_related("vehicle", "driver__membership__user").prefetch_related(
        "stops__request__resident"
    )
    for run in runs:
        load = [0, 0, 0]
        views = []
        stops = list(run.stops.all())
        for stop in stops:
            ride = stop.request
            need = load_of(ride).as_tuple()
            seats = (need[0] + ride.attendants + ride.companions, need[1], need[2])
            sign = 1 if stop.kind == Stop.Kind.PICKUP else -1
            load = [load[i] + sign * seats[i] for i in range(3)]
            views.append(StopView(stop=stop, load=(load[0], load[1], load[2]), fixed=_is_fixed(stop)))
        v = run.vehicle
        result.append(
            RunView(
                run=run,
                stops=views,
                capacity=(v.seats, v.wheelchair_places, v.stretcher_places),
                conflicts=run_conflicts(by_vehicle.get(v.pk), stops),
            )
        )
    return result


def _block_word(block: Block) -> str:
    words = {
        BlockKind.FUNERAL: _("body transport"),
        BlockKind.OUT_OF_SERVICE: _("out of service"),
        BlockKind.OFF_SHIFT: _("no shift"),
    }
    return words.get(block.kind, _("other booking"))


# --- The vehicles' day on a timeline -----------------------------------------------------------------------


@dataclass(frozen=True)
class Segment:
    left: float  # per cent of the timeline
    width: float
    kind: str  # "shift" or a BlockKind
    label: str  # in full, with the vehicle's name
    short: str = ""  # what fits on the bar: the kind and the times


@dataclass
class TimelineRow:
    vehicle: Vehicle
    segments: list[Segment]
    stops: list[tuple[float, str]]  # (per cent, "08:05 ↑ name")
    conflicted: bool = False


@dataclass
class Timeline:
    hours: list[tuple[float, str]]
    rows: list[TimelineRow]


def plan_timeline(fleet: Sequence[VehicleDay], runs: Sequence[RunView]) -> Timeline | None:
    """Each vehicle's day from the first shift to the last: shifts, what blocks the vehicle (body
    transports, out-of-service periods, gaps between shifts) and the planned stops."""
    if not fleet:
        return None
    start = min(s.starts_at for vd in fleet for s in vd.shifts)
    end = max(s.ends_at for vd in fleet for s in vd.shifts)
    for view in runs:
        for sv in view.stops:
            start, end = min(start, sv.stop.planned_at), max(end, sv.stop.planned_at)
    start = timezone.localtime(start).replace(minute=0, second=0, microsecond=0)
    end = timezone.localtime(end)
    if end.minute or end.second:
        end = end.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    span = max((end - start).total_seconds(), 60.0)

    def pc(moment: datetime) -> float:
        return round(100.0 * max(0.0, min(span, (moment - start).total_seconds())) / span, 2)

    hours = []
    tick = start
    while tick <= end:
        hours.append((pc(tick), _hm(tick)))
        tick += timedelta(hours=1)
    stops_of = {view.run.vehicle_id: view for view in runs}
    rows = []
    for vd in fleet:
        segments = [
            Segment(
                pc(s.starts_at),
                pc(s.ends_at) - pc(s.starts_at),
                "shift",
                f"{_hm(s.starts_at)}–{_hm(s.ends_at)}",
            )
            for s in vd.shifts
        ]
        for block in vd.blocks:
            lo, hi = max(block.starts_at, start), min(block.ends_at, end)
            if hi > lo:
                short = f"{_block_word(block)} {_span(block.starts_at, block.ends_at)}"
                segments.append(Segment(pc(lo), pc(hi) - pc(lo), block.kind, vd.describe(block), short))
        shown = stops_of.get(vd.vehicle.pk)
        marks = []
        if shown is not None:
            for sv in shown.stops:
                arrow = "↑" if sv.stop.kind == Stop.Kind.PICKUP else "↓"
                marks.append(
                    (pc(sv.stop.planned_at), f"{_hm(sv.stop.planned_at)} {arrow} {sv.stop.request.resident}")
                )
        rows.append(
            TimelineRow(
                vehicle=vd.vehicle,
                segments=segments,
                stops=marks,
                conflicted=bool(shown is not None and shown.conflicts),
            )
        )
    return Timeline(hours=hours, rows=rows)


def unplanned_requests(plan: Plan) -> list[RideRequest]:
    return list(
        RideRequest.objects.filter(
            municipality_id=plan.municipality_id, service_date=plan.service_date, status__in=PLANNABLE
        )
        .exclude(stops__run__plan=plan)
        .select_related("resident")
        .prefetch_related("unmet")
        .order_by("-priority", "id")
    )
