"""The People Assistance Vehicle in the demo town.

:func:`build_rides_demo` gives a town whose registry exists (see :func:`thukkhon.demo.town.build_demo`)

- a fleet at the municipal office: two vans with wheelchair lifts, a patient transport vehicle with a
  stretcher, and a car, each with its running cost per km;
- four drivers: the demo account ``driver`` and three more (records without a login), with a shift
  (07:00–17:00) on every weekday of the month behind and on today and tomorrow;
- a month of history, written in bulk: each weekday's requests (regular dialysis patients on Monday,
  Wednesday and Friday, hospital, rehabilitation and check-up trips, offices; return legs at fixed
  times) with their outcomes — completed trips with the vehicle's arrival, pickup and drop-off times,
  a few no-shows, cancellations and late cancellations, denials with their reasons, and requests no
  vehicle could take recorded as unmet need — and each day's published plan with its runs and stops;
- today's published plan (stops not yet driven) so that ``driver`` sees a manifest at once;
- about 40 requests for tomorrow, accepted with their priority, planned by the real planning job
  (``rides.plan_day``, run inline) and published.

The same seed and ``today`` give the same fleet, requests and outcomes; tomorrow's routes come from the
engine's search under a time limit.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from thukkhon.core.jobs import run_job
from thukkhon.core.models import Job, Membership, Municipality, User
from thukkhon.core.roles import Role
from thukkhon.fleet.models import Driver, Reservation, Shift, Vehicle
from thukkhon.fleet.services import vehicle_reserve
from thukkhon.people.models import Dependency, Place, PlaceKind, Resident, ResidentStatus
from thukkhon.rides import planning
from thukkhon.rides.eligibility import priority, settings_for
from thukkhon.rides.models import (
    Channel,
    LocationKind,
    Mobility,
    Plan,
    Purpose,
    ReturnMode,
    RideRequest,
    RideSettings,
    Run,
    Status,
    Stop,
    TripEvent,
    UnmetNeed,
)
from thukkhon.rides.tasks import PLAN_JOB
from thukkhon.rides.travel import haversine_km

HISTORY_DAYS = 30
PLAN_SECONDS = 5.0
SHIFT = (time(7, 0), time(17, 0))
# name, kind, plate, seats, wheelchair places, stretcher places, running cost per km (baht)
FLEET: tuple[tuple[str, str, str, int, int, int, str], ...] = (
    ("รถตู้ยกรถเข็น 1", Vehicle.Kind.VAN, "นข 1234 ลำพูน", 6, 2, 0, "9.50"),
    ("รถตู้ยกรถเข็น 2", Vehicle.Kind.VAN, "นข 1235 ลำพูน", 6, 2, 0, "9.50"),
    ("รถรับส่งผู้ป่วยพร้อมเปลนอน", Vehicle.Kind.AMBULANCE, "กค 5566 ลำพูน", 3, 1, 1, "12.00"),
    ("รถเก๋งส่วนกลาง", Vehicle.Kind.CAR, "1กข 789 ลำพูน", 3, 0, 0, "6.00"),
)
# username, first name, last name (the first is the demo account, the others have no login)
DRIVERS: tuple[tuple[str, str, str], ...] = (
    ("driver", "", ""),
    ("driver-somchai", "สมชาย", "ใจดี"),
    ("driver-prasit", "ประสิทธิ์", "คำมูล"),
    ("driver-wanchai", "วันชัย", "อินต๊ะ"),
)
DENIAL_REASONS = (
    "รถทุกคันเต็มในช่วงเวลาที่ขอ",
    "ไม่อยู่ในเกณฑ์: ไม่ใช่การเดินทางเพื่อรักษาพยาบาล",
    "จุดหมายอยู่นอกเขตให้บริการ",
    "ขอใช้บริการกระชั้นชิดเกินไป",
)
CANCEL_REASONS = ("ญาติพาไปเอง", "แพทย์เลื่อนนัด", "ผู้ป่วยไม่สบาย ขอเลื่อน", "ไม่ต้องการใช้บริการแล้ว")
LATE_CANCEL_REASONS = ("ผู้ป่วยเข้าโรงพยาบาลก่อนวันนัด", "ญาติแจ้งยกเลิกเช้าวันนัด")
NOTES = ("บ้านอยู่ในซอย รถตู้เข้าได้", "มีบันไดหน้าบ้าน 3 ขั้น", "โทรหาญาติก่อนถึง 10 นาที", "", "", "")


@dataclass
class _Leg:
    resident: Resident
    purpose: str
    place: Place
    mobility: str
    companions: int
    attendants: int
    home: tuple[float, float]
    appointment: datetime | None = None
    return_at: datetime | None = None
    outbound: _Leg | None = None  # set on a return leg
    row: RideRequest | None = None
    fate: str = Status.COMPLETED
    reason: str = ""

    @property
    def is_return(self) -> bool:
        return self.outbound is not None

    @property
    def pickup(self) -> tuple[float, float]:
        spot = (float(self.place.latitude), float(self.place.longitude))
        return spot if self.is_return else self.home

    @property
    def dropoff(self) -> tuple[float, float]:
        spot = (float(self.place.latitude), float(self.place.longitude))
        return self.home if self.is_return else spot


@dataclass
class _Car:
    vehicle: Vehicle
    driver: Driver
    depot: tuple[float, float]
    at: tuple[float, float]
    free: datetime
    km: float = 0.0
    stops: list[dict[str, Any]] = field(default_factory=list)


class _Town:
    """What the generator needs about the town, read once."""

    def __init__(self, municipality: Municipality, rng: random.Random, today: date) -> None:
        self.municipality = municipality
        self.rng = rng
        self.today = today
        self.rules: RideSettings = settings_for(municipality.pk)
        self.tz = timezone.get_current_timezone()
        places = list(Place.objects.filter(municipality=municipality).order_by("pk"))
        self.office = next((p for p in places if p.kind == PlaceKind.OFFICE), places[0])
        self.hospital = next(p for p in places if p.kind == PlaceKind.HOSPITAL)
        self.dialysis = next((p for p in places if p.kind == PlaceKind.DIALYSIS), self.hospital)
        self.centre = next((p for p in places if p.kind == PlaceKind.HEALTH_CENTRE), self.hospital)
        self.offices = [p for p in places if p.kind == PlaceKind.OFFICE]

    def at(self, day: date, hour: int, minute: int = 0) -> datetime:
        return timezone.make_aware(datetime.combine(day, time(0, 0)), self.tz) + timedelta(
            hours=hour, minutes=minute
        )

    def minutes(self, a: tuple[float, float], b: tuple[float, float]) -> float:
        return self.km(a, b) / float(self.rules.speed_kmh) * 60.0

    def km(self, a: tuple[float, float], b: tuple[float, float]) -> float:
        return haversine_km(a, b) * float(self.rules.detour_factor)

    def service(self, mobility: str) -> float:
        if mobility == Mobility.WHEELCHAIR:
            return float(self.rules.service_wheelchair_min)
        if mobility == Mobility.STRETCHER:
            return float(self.rules.service_stretcher_min)
        return float(self.rules.service_walk_min)


def build_rides_demo(
    municipality: Municipality,
    *,
    seed: int = 2566,
    today: date | None = None,
    plan_seconds: float = PLAN_SECONDS,
) -> dict[str, Any]:
    """Build the vehicle service of the demo town (see the module doc). Returns counts."""
    if Vehicle.objects.filter(municipality=municipality, name=FLEET[0][0]).exists():
        raise ValueError("The demo fleet already exists.")
    rng = random.Random(seed)
    today = today or timezone.localdate()
    with transaction.atomic():
        town = _Town(municipality, rng, today)
        cars = _fleet(town)
        booker = (
            User.objects.filter(
                memberships__municipality=municipality, memberships__role__in=[Role.DISPATCHER, Role.ADMIN]
            )
            .order_by("memberships__role", "pk")
            .first()
        )
        if booker is None:
            booker = cars[0].driver.membership.user
        riders, regulars = _riders(town)
        days = [today - timedelta(days=k) for k in range(HISTORY_DAYS, 0, -1)]
        days = [d for d in days if d.weekday() < 5]
        tomorrow = today + timedelta(days=1)
        _shifts(town, cars, [*days, today, tomorrow])
        counts = {"history_days": len(days), "requests": 0}
        for day in days:
            legs = _day_legs(town, day, riders, regulars, outbound=26)
            _decide(town, legs)
            counts["requests"] += _write_day(town, day, legs, cars, booker, driven=True)
        legs = _day_legs(town, today, riders, regulars, outbound=16)
        counts["today"] = _write_day(town, today, legs, cars, booker, driven=False)
    legs = _day_legs(town, tomorrow, riders, regulars, outbound=28)
    counts["tomorrow"] = _plan_tomorrow(town, tomorrow, legs, booker, plan_seconds)
    return counts


# --- fleet, drivers, shifts ---------------------------------------------------------------------------


def _fleet(town: _Town) -> list[_Car]:
    depot = (float(town.office.latitude), float(town.office.longitude))
    vehicles = bulk_create_with_history(
        [
            Vehicle(
                municipality=town.municipality,
                name=name,
                plate=plate,
                kind=kind,
                seats=seats,
                wheelchair_places=wheel,
                stretcher_places=stretcher,
                depot=town.office,
                cost_per_km=Decimal(cost),
                notes="ลิฟต์ยกรถเข็นท้ายรถ" if wheel and kind == Vehicle.Kind.VAN else "",
            )
            for name, kind, plate, seats, wheel, stretcher, cost in FLEET
        ],
        Vehicle,
        default_change_reason="demo",
    )
    users = {u.username: u for u in User.objects.filter(username__in=[d[0] for d in DRIVERS])}
    unusable = make_password(None)
    new = [
        User(
            username=name, password=unusable, first_name=first, last_name=last, display_name=f"{first} {last}"
        )
        for name, first, last in DRIVERS
        if name not in users
    ]
    for user in User.objects.bulk_create(new):
        users[user.username] = user
    have = {
        m.user_id: m
        for m in Membership.objects.filter(
            municipality=town.municipality, role=Role.DRIVER, user__in=users.values()
        )
    }
    missing = [
        Membership(user=users[name], municipality=town.municipality, role=Role.DRIVER)
        for name, _f, _l in DRIVERS
        if users[name].pk not in have
    ]
    for m in Membership.objects.bulk_create(missing):
        have[m.user_id] = m
    drivers = Driver.objects.bulk_create(
        [
            Driver(
                membership=have[users[name].pk],
                phone=f"08{51000000 + 1111 * i:08d}",
                licence_no=f"5100{i:04d}",
            )
            for i, (name, _f, _l) in enumerate(DRIVERS)
        ]
    )
    return [
        _Car(vehicle=v, driver=d, depot=depot, at=depot, free=timezone.now())
        for v, d in zip(vehicles, drivers, strict=True)
    ]


def _shifts(town: _Town, cars: list[_Car], days: list[date]) -> None:
    start, end = SHIFT
    Shift.objects.bulk_create(
        [
            Shift(
                municipality=town.municipality,
                vehicle=car.vehicle,
                driver=car.driver,
                starts_at=town.at(day, start.hour, start.minute),
                ends_at=town.at(day, end.hour, end.minute),
            )
            for day in days
            for car in cars
        ]
    )


# --- riders and requests --------------------------------------------------------------------------------


@dataclass
class _Rider:
    resident: Resident
    mobility: str
    home: tuple[float, float]


def _riders(town: _Town) -> tuple[list[_Rider], list[_Rider]]:
    """About 160 residents who use the service (elderly, disabled, dependent, welfare card holders),
    six of them on dialysis three times a week."""
    born_by = (
        town.today.replace(year=town.today.year - 60)
        if town.today.month != 2
        else town.today - timedelta(days=365 * 60 + 15)
    )
    pool = list(
        Resident.objects.filter(
            municipality=town.municipality, status=ResidentStatus.ALIVE, household__latitude__isnull=False
        )
        .filter(
            Q(birth_date__lte=born_by)
            | Q(vulnerability__disability_type__gt="")
            | Q(vulnerability__dependency__in=[Dependency.HOME, Dependency.BED])
            | Q(vulnerability__welfare_card=True)
        )
        .select_related("household", "vulnerability")
        .order_by("pk")
    )
    chosen = town.rng.sample(pool, min(160, len(pool)))
    riders = []
    for resident in chosen:
        vuln = getattr(resident, "vulnerability", None)
        age = resident.age_on(town.today) or 60
        if vuln is not None and vuln.dependency == Dependency.BED:
            mobility = Mobility.STRETCHER
        elif vuln is not None and (vuln.disability_type == "physical" or vuln.dependency == Dependency.HOME):
            mobility = Mobility.WHEELCHAIR if town.rng.random() < 0.7 else Mobility.WALKER
        elif age >= 75:
            mobility = Mobility.WALKER if town.rng.random() < 0.5 else Mobility.WALKS
        else:
            mobility = Mobility.WALKS
        home = resident.household
        assert home is not None and home.latitude is not None and home.longitude is not None
        riders.append(_Rider(resident, mobility, (float(home.latitude), float(home.longitude))))
    regulars = [r for r in riders if r.mobility != Mobility.STRETCHER][:6]
    return riders, regulars


def _day_legs(
    town: _Town, day: date, riders: list[_Rider], regulars: list[_Rider], *, outbound: int
) -> list[_Leg]:
    rng = town.rng
    legs: list[_Leg] = []
    chosen: list[tuple[_Rider, str]] = []
    if day.weekday() in (0, 2, 4):
        chosen += [(r, Purpose.DIALYSIS) for r in regulars]
    others = [r for r in riders if r not in regulars]
    n = max(0, outbound - len(chosen) + rng.randint(-3, 3))
    purposes = (
        [Purpose.HOSPITAL] * 10 + [Purpose.CHECKUP] * 4 + [Purpose.REHABILITATION] * 3 + [Purpose.OFFICE] * 2
    )
    purposes += [Purpose.OTHER]
    chosen += [(r, rng.choice(purposes)) for r in rng.sample(others, min(n, len(others)))]
    for rider, purpose in chosen:
        back: datetime | None
        if purpose == Purpose.DIALYSIS:
            place, appointment, back = town.dialysis, town.at(day, 8, 0), town.at(day, 12, 30)
        else:
            places: dict[str, Place] = {
                Purpose.CHECKUP: town.centre,
                Purpose.REHABILITATION: town.centre,
                Purpose.OFFICE: rng.choice(town.offices),
            }
            place = places.get(purpose, town.hospital)
            appointment = town.at(day, rng.randint(8, 14), rng.choice([0, 15, 30, 45]))
            back = appointment + timedelta(hours=rng.choice([1, 2, 2, 3])) if rng.random() < 0.45 else None
            if back is not None and back.hour >= 16:
                back = None
        leg = _Leg(
            resident=rider.resident,
            purpose=purpose,
            place=place,
            mobility=rider.mobility,
            companions=rng.choice([0, 0, 0, 1]),
            attendants=1 if rider.mobility == Mobility.STRETCHER else 0,
            home=rider.home,
            appointment=appointment,
            return_at=back,
        )
        legs.append(leg)
        if back is not None:
            legs.append(
                _Leg(
                    resident=rider.resident,
                    purpose=purpose,
                    place=place,
                    mobility=leg.mobility,
                    companions=leg.companions,
                    attendants=leg.attendants,
                    home=rider.home,
                    return_at=back,
                    outbound=leg,
                )
            )
    return legs


def _decide(town: _Town, legs: list[_Leg]) -> None:
    """The fate of each outbound leg before the day (denied, cancelled); return legs follow."""
    rng = town.rng
    for leg in legs:
        if leg.is_return:
            assert leg.outbound is not None
            if leg.outbound.fate in (Status.DENIED, Status.CANCELLED, Status.LATE_CANCELLED):
                leg.fate, leg.reason = leg.outbound.fate, leg.outbound.reason
            continue
        draw = rng.random()
        if draw < 0.05:
            leg.fate, leg.reason = Status.DENIED, rng.choice(DENIAL_REASONS)
        elif draw < 0.10:
            leg.fate, leg.reason = Status.CANCELLED, rng.choice(CANCEL_REASONS)
        elif draw < 0.12:
            leg.fate, leg.reason = Status.LATE_CANCELLED, rng.choice(LATE_CANCEL_REASONS)
        elif draw < 0.16:
            leg.fate = Status.NO_SHOW


def _windows(town: _Town, leg: _Leg) -> dict[str, datetime | None]:
    rules = town.rules
    if leg.is_return:
        assert leg.return_at is not None
        return {
            "pickup_earliest": leg.return_at,
            "pickup_latest": leg.return_at + timedelta(minutes=rules.window_min),
            "dropoff_earliest": None,
            "dropoff_latest": None,
        }
    assert leg.appointment is not None
    latest = leg.appointment - timedelta(minutes=rules.arrive_before_min)
    return {
        "pickup_earliest": None,
        "pickup_latest": None,
        "dropoff_earliest": latest - timedelta(minutes=rules.window_min),
        "dropoff_latest": latest,
    }


def _request(town: _Town, day: date, leg: _Leg, booker: User, status: str) -> RideRequest:
    outbound = leg.outbound.row if leg.outbound is not None else None
    (plat, plon), (dlat, dlon) = leg.pickup, leg.dropoff
    return RideRequest(
        municipality=town.municipality,
        resident=leg.resident,
        booked_by=booker,
        channel=Channel.STAFF,
        purpose=leg.purpose,
        service_date=day,
        appointment_at=None if leg.is_return else leg.appointment,
        pickup_kind=LocationKind.PLACE if leg.is_return else LocationKind.HOME,
        pickup_place=leg.place if leg.is_return else None,
        pickup_lat=Decimal(f"{plat:.6f}"),
        pickup_lon=Decimal(f"{plon:.6f}"),
        dropoff_kind=LocationKind.HOME if leg.is_return else LocationKind.PLACE,
        dropoff_place=None if leg.is_return else leg.place,
        dropoff_lat=Decimal(f"{dlat:.6f}"),
        dropoff_lon=Decimal(f"{dlon:.6f}"),
        mobility=leg.mobility,
        companions=leg.companions,
        attendants=leg.attendants,
        notes_for_driver="" if leg.is_return else town.rng.choice(NOTES),
        return_mode=ReturnMode.NONE if leg.is_return or leg.return_at is None else ReturnMode.FIXED,
        return_at=None if leg.is_return else leg.return_at,
        outbound=outbound,
        status=status,
        denial_reason=leg.reason if status == Status.DENIED else "",
        cancel_reason=leg.reason if status in (Status.CANCELLED, Status.LATE_CANCELLED) else "",
        **_windows(town, leg),
    )


def _create_rows(town: _Town, day: date, legs: list[_Leg], booker: User, status_of: Any) -> None:
    """Outbound legs first (return legs point at them), with history rows."""
    for returns in (False, True):
        batch = [leg for leg in legs if leg.is_return == returns]
        rows = [_request(town, day, leg, booker, status_of(leg)) for leg in batch]
        rows = bulk_create_with_history(rows, RideRequest, default_change_reason="demo")
        for leg, row in zip(batch, rows, strict=True):
            leg.row = row


# --- a day's schedule (history and today) ------------------------------------------------------------


def _mins(minutes: float) -> timedelta:
    return timedelta(seconds=round(minutes * 60))


def _fits(leg: _Leg, vehicle: Vehicle) -> bool:
    if leg.mobility == Mobility.STRETCHER:
        return vehicle.stretcher_places > 0 and vehicle.seats >= 1 + leg.attendants + leg.companions
    if leg.mobility == Mobility.WHEELCHAIR:
        return vehicle.wheelchair_places > 0 and vehicle.seats >= leg.attendants + leg.companions
    return vehicle.seats >= 1 + leg.attendants + leg.companions


def _schedule(town: _Town, day: date, legs: list[_Leg], cars: list[_Car], *, driven: bool) -> list[_Leg]:
    """Serve legs one at a time on the vehicle that reaches the pickup first within its window;
    returns the legs no vehicle could take. With ``driven`` the day happened: arrival times vary
    around the plan, some rides take longer than the direct drive, some passengers are not there."""
    rng = town.rng
    day_start, day_end = town.at(day, 7, 0), town.at(day, 17, 0)
    for car in cars:
        car.at, car.free, car.km, car.stops = car.depot, day_start, 0.0, []
    unserved = []

    def target(leg: _Leg) -> tuple[datetime, datetime, float]:
        direct = town.minutes(leg.pickup, leg.dropoff)
        service = town.service(leg.mobility)
        if leg.is_return:
            assert leg.return_at is not None
            return leg.return_at, leg.return_at + timedelta(minutes=town.rules.window_min), direct
        assert leg.appointment is not None
        latest_drop = leg.appointment - timedelta(minutes=town.rules.arrive_before_min)
        ideal = latest_drop - timedelta(minutes=direct * 1.3 + 2 * service + 8)
        return ideal - timedelta(minutes=15), ideal + timedelta(minutes=5), direct

    order = sorted(
        (leg for leg in legs if leg.fate in (Status.COMPLETED, Status.NO_SHOW)), key=lambda g: target(g)[0]
    )
    for leg in order:
        lo, hi, direct = target(leg)
        service = town.service(leg.mobility)
        best: tuple[datetime, int] | None = None
        for k, car in enumerate(cars):
            if not _fits(leg, car.vehicle):
                continue
            arrive = max(car.free + timedelta(minutes=town.minutes(car.at, leg.pickup)), lo)
            back = arrive + timedelta(minutes=2 * service + direct + town.minutes(leg.dropoff, car.depot))
            if arrive <= hi and back <= day_end and (best is None or arrive < best[0]):
                best = (arrive, k)
        if best is None:
            unserved.append(leg)
            continue
        planned, k = best
        car = cars[k]
        car.km += town.km(car.at, leg.pickup)
        arrived = planned
        factor = 1.0
        if driven:
            draw = rng.random()
            shift = (
                rng.uniform(-3, 8)
                if draw < 0.8
                else rng.uniform(9, 24)
                if draw < 0.92
                else rng.uniform(-14, -5)
            )
            arrived = planned + _mins(shift)
            draw = rng.random()
            factor = (
                rng.uniform(1.0, 1.25)
                if draw < 0.65
                else rng.uniform(1.25, 1.6)
                if draw < 0.88
                else rng.uniform(1.6, 2.0)
                if draw < 0.97
                else rng.uniform(2.0, 2.6)
            )
        picked = arrived + _mins(service)
        planned_drop = planned + _mins(service + direct)
        if driven and leg.fate == Status.NO_SHOW:
            car.stops.append(
                {
                    "leg": leg,
                    "kind": Stop.Kind.PICKUP,
                    "planned": planned,
                    "arrived": arrived,
                    "done": arrived + timedelta(minutes=5),
                    "state": Stop.State.NO_SHOW,
                }
            )
            car.stops.append(
                {
                    "leg": leg,
                    "kind": Stop.Kind.DROPOFF,
                    "planned": planned_drop,
                    "arrived": None,
                    "done": None,
                    "state": Stop.State.SKIPPED,
                }
            )
            car.free, car.at = arrived + timedelta(minutes=5), leg.pickup
            continue
        dropped = picked + _mins(direct * factor)
        car.km += town.km(leg.pickup, leg.dropoff) * factor
        state = Stop.State.DONE if driven else Stop.State.PLANNED
        car.stops.append(
            {
                "leg": leg,
                "kind": Stop.Kind.PICKUP,
                "planned": planned,
                "arrived": arrived if driven else None,
                "done": picked if driven else None,
                "state": state,
            }
        )
        car.stops.append(
            {
                "leg": leg,
                "kind": Stop.Kind.DROPOFF,
                "planned": planned_drop,
                "arrived": dropped if driven else None,
                "done": dropped + _mins(service) if driven else None,
                "state": state,
            }
        )
        car.free = (dropped if driven else planned_drop) + _mins(service)
        car.at = leg.dropoff
    return unserved


def _write_day(
    town: _Town, day: date, legs: list[_Leg], cars: list[_Car], booker: User, *, driven: bool
) -> int:
    unserved = {id(leg) for leg in _schedule(town, day, legs, cars, driven=driven)}

    def status_of(leg: _Leg) -> str:
        if leg.fate in (Status.DENIED, Status.CANCELLED, Status.LATE_CANCELLED):
            return leg.fate
        if id(leg) in unserved:
            return Status.ACCEPTED
        if not driven:
            return Status.SCHEDULED
        return leg.fate

    _create_rows(town, day, legs, booker, status_of)
    plan = Plan.objects.create(
        municipality=town.municipality,
        service_date=day,
        state=Plan.State.PUBLISHED,
        published_at=town.at(day - timedelta(days=1), 15, 30),
    )
    runs = []
    for car in cars:
        if not car.stops:
            continue
        first, last = car.stops[0], car.stops[-1]
        last_time = last["done"] or last["planned"]
        runs.append(
            Run(
                plan=plan,
                vehicle=car.vehicle,
                driver=car.driver,
                starts_at=first["planned"] - timedelta(minutes=town.minutes(car.depot, first["leg"].pickup)),
                ends_at=last_time + timedelta(minutes=town.minutes(car.at, car.depot)),
                km=Decimal(f"{car.km + town.km(car.at, car.depot):.2f}"),
            )
        )
    runs = Run.objects.bulk_create(runs)
    by_vehicle = {run.vehicle_id: run for run in runs}
    stops = []
    for car in cars:
        for seq, s in enumerate(car.stops, start=1):
            leg = s["leg"]
            stops.append(
                Stop(
                    run=by_vehicle[car.vehicle.pk],
                    sequence=seq,
                    request=leg.row,
                    kind=s["kind"],
                    planned_at=s["planned"],
                    state=s["state"],
                    arrived_at=s["arrived"],
                    done_at=s["done"],
                )
            )
    Stop.objects.bulk_create(stops)
    plan.total_km = sum((r.km for r in runs), Decimal(0))
    plan.unplanned = len(unserved)
    plan.save(update_fields=["total_km", "unplanned"])
    _events(town, day, legs, cars, unserved, driven=driven)
    if not driven:
        for run in runs:
            vehicle_reserve(
                vehicle=run.vehicle,
                starts_at=run.starts_at,
                ends_at=run.ends_at,
                purpose=Reservation.Purpose.RIDES,
                reference=planning.RIDES_REFERENCE.format(run.pk),
            )
    return len(legs)


def _events(
    town: _Town, day: date, legs: list[_Leg], cars: list[_Car], unserved: set[int], *, driven: bool
) -> None:
    booked = town.at(day - timedelta(days=3), 10, 0)
    decided = town.at(day - timedelta(days=2), 9, 30)
    scheduled = town.at(day - timedelta(days=1), 15, 30)
    events: list[TripEvent] = []
    needs: list[UnmetNeed] = []
    for leg in legs:
        row = leg.row
        assert row is not None
        events.append(TripEvent(request=row, status=Status.REQUESTED, note="จองโดยเจ้าหน้าที่", at=booked))
        if leg.fate == Status.DENIED:
            events.append(TripEvent(request=row, status=Status.DENIED, note=leg.reason, at=decided))
            needs.append(
                UnmetNeed(
                    municipality=town.municipality,
                    request=row,
                    reason=UnmetNeed.Reason.DENIED,
                    detail=leg.reason,
                )
            )
            continue
        events.append(TripEvent(request=row, status=Status.ACCEPTED, at=decided))
        if leg.fate == Status.CANCELLED:
            events.append(TripEvent(request=row, status=Status.CANCELLED, note=leg.reason, at=scheduled))
            continue
        if id(leg) in unserved:
            needs.append(
                UnmetNeed(
                    municipality=town.municipality,
                    request=row,
                    reason=UnmetNeed.Reason.NOT_PLANNED,
                    detail="ไม่มีรถคันใดรับได้ในวันนั้น",
                )
            )
            events.append(
                TripEvent(request=row, status=Status.ACCEPTED, note="ไม่มีรถคันใดรับได้ในวันนั้น", at=scheduled)
            )
            continue
        if leg.fate == Status.LATE_CANCELLED:
            events.append(
                TripEvent(request=row, status=Status.LATE_CANCELLED, note=leg.reason, at=town.at(day, 6, 45))
            )
            continue
        events.append(TripEvent(request=row, status=Status.SCHEDULED, at=scheduled))
    if driven:
        for car in cars:
            for s in car.stops:
                row = s["leg"].row
                if s["kind"] == Stop.Kind.PICKUP:
                    events.append(
                        TripEvent(
                            request=row, status=Status.EN_ROUTE, at=s["arrived"] - timedelta(minutes=10)
                        )
                    )
                    if s["state"] == Stop.State.NO_SHOW:
                        events.append(
                            TripEvent(
                                request=row, status=Status.NO_SHOW, at=s["done"], note="ไม่พบผู้โดยสารที่จุดรับ"
                            )
                        )
                    else:
                        events.append(TripEvent(request=row, status=Status.PICKED_UP, at=s["done"]))
                elif s["state"] == Stop.State.DONE:
                    events.append(TripEvent(request=row, status=Status.COMPLETED, at=s["done"]))
    TripEvent.objects.bulk_create(events)
    UnmetNeed.objects.bulk_create(needs)


# --- tomorrow: the real planning job --------------------------------------------------------------------


def _plan_tomorrow(town: _Town, day: date, legs: list[_Leg], booker: User, seconds: float) -> int:
    with transaction.atomic():
        _create_rows(town, day, legs, booker, lambda leg: Status.ACCEPTED)
        rows = [leg.row for leg in legs if leg.row is not None]
        vulns = {
            r.pk: getattr(r.resident, "vulnerability", None)
            for r in RideRequest.objects.filter(pk__in=[r.pk for r in rows]).select_related(
                "resident__vulnerability"
            )
        }
        booked = town.at(day - timedelta(days=2), 10, 0)
        events = []
        for row in rows:
            score, reasons = priority(row.resident, row.purpose, on=day, vulnerability=vulns.get(row.pk))
            row.priority, row.priority_reasons = (
                score,
                [{"text": str(r.text), "points": r.points} for r in reasons],
            )
            events.append(TripEvent(request=row, status=Status.REQUESTED, note="จองโดยเจ้าหน้าที่", at=booked))
            events.append(TripEvent(request=row, status=Status.ACCEPTED, at=booked + timedelta(hours=2)))
        RideRequest.objects.bulk_update(rows, ["priority", "priority_reasons"])
        TripEvent.objects.bulk_create(events)
        plan = planning.plan_get_or_create(municipality=town.municipality, service_date=day)
        job = Job.objects.create(
            municipality=town.municipality,
            kind=PLAN_JOB,
            params={
                "plan": plan.pk,
                "version": plan.version,
                "time_limit": seconds,
                "seed": town.rng.randrange(1000),
            },
            created_by=booker,
            total=100,
        )
        Plan.objects.filter(pk=plan.pk).update(job=job)
    run_job(job.pk)  # the real job, in this thread
    job.refresh_from_db()
    if job.status != Job.Status.DONE:
        raise RuntimeError(f"planning tomorrow failed: {job.message}")
    plan.refresh_from_db()
    planning.plan_publish(plan=plan, version=plan.version)
    return len(rows)
