"""Benchmark: plan a demo-town day of 100 requests and 6 vehicles.

    uv run python -m thukkhon.rides.bench [--requests 100] [--seconds 20] [--seed 2566] [--scale 0.2]

Builds the demo town on a fresh SQLite file (``var/bench-planning.sqlite3``), a fleet of six
vehicles with shifts, and a day of requests from residents' homes to the town's hospital, dialysis
unit, health centre and offices (with windows from appointment times by the municipality's rules,
a mix of mobility, attendants and return trips). Then it runs the real ``rides.plan_day`` job and
prints the figures: time to build the problem, search time, the job's wall time, requests served,
kilometres, and whether each request left out could have been served by any vehicle alone.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any


def _setup(database: Path) -> None:
    database.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "thukkhon.settings")
    os.environ["THUKKHON_JOBS_INLINE"] = "1"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def build_day(*, seed: int, requests: int, scale: float, service_date: date) -> dict[str, Any]:
    from django.db import transaction
    from django.utils import timezone

    from thukkhon.core.models import Membership, User
    from thukkhon.core.roles import Role
    from thukkhon.demo.town import build_demo
    from thukkhon.fleet.models import Driver, Shift, Vehicle
    from thukkhon.people.models import Place, PlaceKind, Resident
    from thukkhon.rides.models import Mobility, Purpose, RideRequest, RideSettings, Status

    rng = random.Random(seed)
    town = build_demo(seed=seed, scale=scale)
    tz = timezone.get_current_timezone()

    def local(hour: int, minute: int = 0) -> datetime:
        return timezone.make_aware(datetime.combine(service_date, datetime.min.time()), tz) + timedelta(
            hours=hour, minutes=minute
        )

    with transaction.atomic():
        rules, _ = RideSettings.objects.get_or_create(municipality=town)
        office = Place.objects.filter(municipality=town, kind=PlaceKind.OFFICE).order_by("pk").first()
        fleet = [  # name, kind, seats, wheelchair, stretcher
            ("รถตู้ยกรถเข็น 1", Vehicle.Kind.VAN, 6, 2, 0),
            ("รถตู้ยกรถเข็น 2", Vehicle.Kind.VAN, 6, 2, 0),
            ("รถตู้ 3", Vehicle.Kind.VAN, 8, 1, 0),
            ("รถพยาบาลรับส่งผู้ป่วย", Vehicle.Kind.AMBULANCE, 3, 1, 1),
            ("รถพยาบาลรับส่งผู้ป่วย 2", Vehicle.Kind.AMBULANCE, 3, 1, 1),
            ("รถเก๋ง", Vehicle.Kind.CAR, 3, 0, 0),
        ]
        for i, (name, kind, seats, wheelchair, stretcher) in enumerate(fleet):
            vehicle = Vehicle.objects.create(
                municipality=town,
                name=name,
                plate=f"กข {9000 + i} ลำพูน",
                kind=kind,
                seats=seats,
                wheelchair_places=wheelchair,
                stretcher_places=stretcher,
                depot=office,
            )
            user = User.objects.create(username=f"bench-driver-{i}", display_name=f"พนักงานขับรถ {i + 1}")
            driver = Driver.objects.create(
                membership=Membership.objects.create(user=user, municipality=town, role=Role.DRIVER)
            )
            Shift.objects.create(
                municipality=town, vehicle=vehicle, driver=driver, starts_at=local(7), ends_at=local(17)
            )
        booker = User.objects.create(username="bench-dispatcher")
        Membership.objects.create(user=booker, municipality=town, role=Role.DISPATCHER)
        care = list(
            Place.objects.filter(
                municipality=town,
                kind__in=[PlaceKind.HOSPITAL, PlaceKind.DIALYSIS, PlaceKind.HEALTH_CENTRE, PlaceKind.OFFICE],
            )
        )
        residents = list(
            Resident.objects.filter(municipality=town, household__isnull=False)
            .select_related("household")
            .order_by("pk")
        )
        riders = rng.sample(residents, requests)
        mobility = (
            [Mobility.WALKS] * 55
            + [Mobility.WALKER] * 20
            + [Mobility.WHEELCHAIR] * 17
            + [Mobility.STRETCHER] * 8
        )
        for made, resident in enumerate(riders):
            home = resident.household
            assert home is not None
            home_lat = home.latitude if home.latitude is not None else Decimal("18.578500")
            home_lon = home.longitude if home.longitude is not None else Decimal("99.008700")
            place = rng.choice(care)
            need = rng.choice(mobility)
            purposes: dict[str, str] = {
                PlaceKind.HOSPITAL: Purpose.HOSPITAL,
                PlaceKind.DIALYSIS: Purpose.DIALYSIS,
                PlaceKind.HEALTH_CENTRE: Purpose.CHECKUP,
            }
            purpose = purposes.get(place.kind, Purpose.OFFICE)
            common: dict[str, Any] = {
                "municipality": town,
                "resident": resident,
                "booked_by": booker,
                "channel": "staff",
                "purpose": purpose,
                "service_date": service_date,
                "mobility": need,
                "attendants": 1 if need == Mobility.STRETCHER else 0,
                "companions": rng.choice([0, 0, 0, 1]),
                "status": Status.ACCEPTED,
                "priority": rng.randint(0, 100),
            }
            if made % 4 == 3:  # a trip home at a fixed time after an appointment
                pickup = local(rng.randint(10, 15), rng.choice([0, 15, 30, 45]))
                RideRequest.objects.create(
                    **common,
                    pickup_lat=place.latitude,
                    pickup_lon=place.longitude,
                    dropoff_lat=home_lat,
                    dropoff_lon=home_lon,
                    pickup_earliest=pickup,
                    pickup_latest=pickup + timedelta(minutes=rules.window_min),
                )
            else:  # to an appointment: arrive before it, within a window
                appointment = local(rng.randint(8, 14), rng.choice([0, 15, 30, 45]))
                latest = appointment - timedelta(minutes=rules.arrive_before_min)
                RideRequest.objects.create(
                    **common,
                    appointment_at=appointment,
                    pickup_lat=home_lat,
                    pickup_lon=home_lon,
                    dropoff_lat=place.latitude,
                    dropoff_lon=place.longitude,
                    dropoff_earliest=latest - timedelta(minutes=rules.window_min),
                    dropoff_latest=latest,
                )
    return {"town": town, "booker": booker}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=20.0, help="search time limit")
    parser.add_argument("--seed", type=int, default=2566)
    parser.add_argument("--scale", type=float, default=0.2, help="demo town population scale")
    parser.add_argument("--database", type=Path, default=Path("var/bench-planning.sqlite3"))
    args = parser.parse_args(argv)

    started = time.perf_counter()
    _setup(args.database)
    from django.db import transaction

    from thukkhon.core.models import Job
    from thukkhon.dispatch.check import check_plan, route_errors
    from thukkhon.dispatch.model import Stop as EngineStop
    from thukkhon.rides import planning
    from thukkhon.rides.models import Plan
    from thukkhon.rides.tasks import plan_start

    service_date = date(2026, 12, 1)
    built = build_day(seed=args.seed, requests=args.requests, scale=args.scale, service_date=service_date)
    setup_s = time.perf_counter() - started
    town = built["town"]

    tick = time.perf_counter()
    plan = planning.plan_get_or_create(municipality=town, service_date=service_date)
    day, _current = planning.build_plan_day(plan)
    build_s = time.perf_counter() - tick

    tick = time.perf_counter()
    with transaction.atomic():  # the real job: runs right after this commit (inline)
        job = plan_start(plan=plan, version=plan.version, user=built["booker"], time_limit=args.seconds)
    job_s = time.perf_counter() - tick
    job.refresh_from_db()
    if job.status != Job.Status.DONE:
        print(f"job {job.status}: {job.message}", file=sys.stderr)
        return 1
    plan = Plan.objects.get(pk=plan.pk)

    # Check the written plan with the engine's exact checker, and whether anything left out could
    # have been served at all (alone, on any vehicle).
    day, written = planning.build_plan_day(plan)
    errors = check_plan(written)
    servable_alone = [
        i
        for i in written.unserved
        if any(
            not route_errors(day.problem, k, [EngineStop(i, True), EngineStop(i, False)])
            for k in range(len(day.vehicles))
        )
    ]
    result = job.result
    print(f"demo town (scale {args.scale}) and a day of {day.problem.n} requests: {setup_s:.1f} s")
    print(f"problem ({len(day.vehicles)} vehicles, {day.matrix.source} travel times): {build_s:.2f} s")
    print(
        f"planning job (rides.plan_day): {job_s:.1f} s wall, search {result['seconds']} s, "
        f"{result['iterations']:,} iterations"
    )
    print(
        f"served {result['served']} of {result['requests']}; not served {result['unserved']} "
        f"(of which servable alone by some vehicle: {len(servable_alone)}); {result['km']} km"
    )
    print(f"exact checker on the written plan: {errors if errors else 'feasible'}")
    return 0 if not errors and job_s <= 30 else 1


if __name__ == "__main__":
    sys.exit(main())
