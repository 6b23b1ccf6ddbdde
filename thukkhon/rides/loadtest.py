"""Load test: the driver's manifest (and the booking form) at 20 concurrent users on PostgreSQL.

    uv run python -m thukkhon.rides.loadtest [--users 20] [--requests 50] [--stops 16] [--threads 8]
                                             [--think SECONDS]

1. Creates a PostgreSQL database for the run (``postgres://postgres@127.0.0.1:5432/thukkhon_load_<pid>``
   by default; ``--server-url`` names another server on 127.0.0.1) and migrates it.
2. Builds a municipality with ``--users`` drivers, each with a van and a published run of today with
   ``--stops`` stops (half as many passengers, with needs, notes and household access notes), plus
   ``--users`` dispatchers, and as many residents again as background data.
3. Starts ``thukkhon serve`` on 127.0.0.1 (gunicorn processes of ``--threads`` threads, collected
   static files)
   in a child process.
4. Signs each user in through the login form (one session each), warms up, then runs
   ``--users`` threads × ``--requests`` GETs: drivers load their manifest, dispatchers the booking
   form (when the booking pages are installed). Every answer must be 200.
5. Prints p50 / p95 / p99 / max per page and the throughput, stops the server, drops the database.

Only 127.0.0.1 is ever contacted; every loop is bounded.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

HOST = "127.0.0.1"
PASSWORD = "load-test-pass-2569"


# --- Database -----------------------------------------------------------------------------------------


def _admin_conn(server_url: str) -> Any:
    import psycopg

    return psycopg.connect(server_url.rstrip("/") + "/postgres", autocommit=True)


def create_database(server_url: str, name: str) -> str:
    with _admin_conn(server_url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{server_url.rstrip('/')}/{name}"


def drop_database(server_url: str, name: str) -> None:
    with _admin_conn(server_url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --- Data ---------------------------------------------------------------------------------------------


@dataclass
class Account:
    username: str
    path: str
    page: str


def build(users: int, stops: int) -> list[Account]:
    """The town, its drivers with today's runs, dispatchers, residents. Returns who loads what."""
    from django.contrib.auth.hashers import make_password
    from django.urls import NoReverseMatch, reverse
    from django.utils import timezone

    from thukkhon.core.models import Membership, Municipality, User
    from thukkhon.fleet.models import Driver, Vehicle
    from thukkhon.people.models import Community, Household, Place, PlaceKind, Resident
    from thukkhon.rides.models import Mobility, Plan, RideRequest, RideSettings, Run, Status, Stop

    today = timezone.localdate()

    def at(hour: int, minute: int = 0) -> datetime:
        return timezone.make_aware(datetime.combine(today, datetime.min.time())) + timedelta(
            hours=hour, minutes=minute
        )

    muni = Municipality.objects.create(
        code="load",
        name_th="เทศบาลเมืองทดสอบโหลด",
        name_en="Load Test Town",
        latitude=Decimal("18.58"),
        longitude=Decimal("99.01"),
    )
    RideSettings.objects.create(municipality=muni)
    community = Community.objects.create(
        municipality=muni,
        code="C01",
        name_th="ชุมชนทดสอบ",
        name_en="Test community",
        latitude=Decimal("18.58"),
        longitude=Decimal("99.01"),
    )
    hospital = Place.objects.create(
        municipality=muni,
        kind=PlaceKind.HOSPITAL,
        name_th="โรงพยาบาลลำพูน",
        name_en="Lamphun Hospital",
        latitude=Decimal("18.577"),
        longitude=Decimal("99.009"),
    )
    depot = Place.objects.create(
        municipality=muni,
        kind=PlaceKind.OFFICE,
        name_th="สำนักงานเทศบาล",
        name_en="Town hall",
        latitude=Decimal("18.58"),
        longitude=Decimal("99.01"),
    )
    password = make_password(PASSWORD)
    plan = Plan.objects.create(municipality=muni, service_date=today, state=Plan.State.PUBLISHED)
    mobilities = [Mobility.WALKS, Mobility.WALKER, Mobility.WHEELCHAIR, Mobility.STRETCHER]
    n_resident = 0

    def resident() -> Resident:
        nonlocal n_resident
        n_resident += 1
        household = Household.objects.create(
            municipality=muni,
            community=community,
            registration_no=f"5101{n_resident:07d}",
            house_no=f"{n_resident}/1",
            road="อินทยงยศ",
            tambon="ในเมือง",
            amphoe="เมืองลำพูน",
            changwat="ลำพูน",
            postcode="51000",
            latitude=Decimal("18.585"),
            longitude=Decimal("99.015"),
            access_notes="ซอยแคบ จอดรถปากซอย",
        )
        return Resident.objects.create(
            municipality=muni,
            community=community,
            household=household,
            title="นาง",
            first_name=f"ผู้โดยสาร{n_resident}",
            last_name="ทดสอบ",
            phone=f"08{n_resident:08d}",
        )

    accounts: list[Account] = []
    dispatcher_user = None
    for i in range(users):
        user = User.objects.create(username=f"driver{i:02d}", password=password, display_name=f"คนขับ {i}")
        membership = Membership.objects.create(user=user, municipality=muni, role="driver")
        driver = Driver.objects.create(membership=membership, phone=f"09{i:08d}")
        van = Vehicle.objects.create(
            municipality=muni,
            name=f"รถตู้ {i + 1:02d}",
            plate=f"นข {1000 + i}",
            seats=6,
            wheelchair_places=1,
            depot=depot,
        )
        run = Run.objects.create(plan=plan, vehicle=van, driver=driver, starts_at=at(7), ends_at=at(17))
        seq = 0
        for k in range(stops // 2):
            ride = RideRequest.objects.create(
                municipality=muni,
                resident=resident(),
                booked_by=user,
                channel="staff",
                purpose="hospital",
                service_date=today,
                pickup_lat=Decimal("18.585"),
                pickup_lon=Decimal("99.015"),
                dropoff_kind="place",
                dropoff_place=hospital,
                dropoff_lat=Decimal("18.577"),
                dropoff_lon=Decimal("99.009"),
                pickup_earliest=at(8),
                pickup_latest=at(16),
                mobility=mobilities[k % 4],
                oxygen=k % 3 == 0,
                companions=k % 2,
                attendants=k % 2,
                notes_for_driver="โทรก่อนถึง 10 นาที",
                status=Status.SCHEDULED,
            )
            for kind in (Stop.Kind.PICKUP, Stop.Kind.DROPOFF):
                seq += 1
                Stop.objects.create(
                    run=run, request=ride, kind=kind, sequence=seq, planned_at=at(8, 15 * seq)
                )
        accounts.append(Account(user.username, reverse("rides:manifest"), "manifest"))
    for _ in range(users):  # background residents who are not on today's plan
        resident()
    for i in range(users):
        user = User.objects.create(username=f"dispatch{i:02d}", password=password, display_name=f"ศูนย์ {i}")
        Membership.objects.create(user=user, municipality=muni, role="dispatcher")
        dispatcher_user = dispatcher_user or user
        try:
            path = reverse("rides:request-create", args=[n_resident - i])
        except NoReverseMatch:
            continue
        accounts.append(Account(user.username, path, "booking form"))
    return accounts


# --- HTTP ---------------------------------------------------------------------------------------------


@dataclass
class Session:
    port: int
    cookies: dict[str, str] = field(default_factory=dict)
    conn: http.client.HTTPConnection | None = None

    def _connection(self) -> http.client.HTTPConnection:
        if self.conn is None:
            self.conn = http.client.HTTPConnection(HOST, self.port, timeout=30)
        return self.conn

    def request(self, method: str, path: str, body: str | None = None) -> tuple[int, str, dict[str, str]]:
        headers = {"Host": f"{HOST}:{self.port}", "Accept-Language": "th"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://{HOST}:{self.port}{path}"
        for attempt in (1, 2):  # a kept-alive connection the server closed: reconnect once
            try:
                conn = self._connection()
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                text = response.read().decode("utf-8", "replace")
                break
            except (http.client.HTTPException, ConnectionError):
                self.conn = None
                if attempt == 2:
                    raise
        for value in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = value.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, text, dict(response.headers)

    def login(self, username: str) -> None:
        status, html, _ = self.request("GET", "/login/")
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        if status != 200 or match is None:
            raise RuntimeError(f"login page: HTTP {status}")
        body = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": match.group(1), "username": username, "password": PASSWORD}
        )
        status, _, headers = self.request("POST", "/login/", body)
        if status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"login of {username}: HTTP {status} {headers.get('Location', '')}")


def wait_until_up(port: int, proc: subprocess.Popen[bytes], seconds: float = 240.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("the server exited")
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=2)
            conn.request("GET", "/login/")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("the server did not start")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]


def hammer(
    group: list[tuple[Account, Session]], per_user: int, think: float = 0.0
) -> tuple[list[float], list[int], float]:
    """Each session in its own thread, ``per_user`` GETs of its page one after another, with a pause
    of ``think`` seconds on average (uniform in [0.5, 1.5] × think) between them, as a person would."""
    import random

    timings: list[float] = []
    errors: list[int] = []
    lock = threading.Lock()

    def work(item: tuple[Account, Session]) -> None:
        account, session = item
        pause = random.Random(account.path)
        for _ in range(per_user):
            if think:
                time.sleep(pause.uniform(0.5 * think, 1.5 * think))
            start = time.perf_counter()
            status, _, _ = session.request("GET", account.path)
            elapsed = (time.perf_counter() - start) * 1000
            with lock:
                timings.append(elapsed)
                if status != 200:
                    errors.append(status)

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=len(group)) as pool:
        list(pool.map(work, group))
    return timings, errors, time.perf_counter() - started


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--users", type=int, default=20, help="concurrent users (threads), per page")
    parser.add_argument("--requests", type=int, default=50, help="requests per user")
    parser.add_argument("--stops", type=int, default=16, help="stops on each driver's run")
    parser.add_argument("--threads", type=int, default=8, help="threads per server process")
    parser.add_argument(
        "--think", type=float, default=0.0, help="mean pause between one user's requests, seconds (0: none)"
    )
    parser.add_argument("--server-url", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args(argv)
    if urllib.parse.urlsplit(args.server_url).hostname not in ("127.0.0.1", "localhost"):
        parser.error("--server-url must be on 127.0.0.1")
    users, per_user = max(1, min(args.users, 200)), max(1, min(args.requests, 1000))

    name = f"thukkhon_load_{os.getpid()}"
    database_url = create_database(args.server_url, name)
    static_root = tempfile.mkdtemp(prefix="thukkhon-load-static-")
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": secrets.token_urlsafe(40),
        "ALLOWED_HOSTS": HOST,
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "STATIC_ROOT": static_root,
        "AXES_FAILURE_LIMIT": "1000",
        "LOG_LEVEL": "ERROR",
        "DJANGO_SETTINGS_MODULE": "thukkhon.settings",
    }
    os.environ.update(
        {k: env[k] for k in ("DATABASE_URL", "SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_SETTINGS_MODULE")}
    )
    proc: subprocess.Popen[bytes] | None = None
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connections

        t0 = time.perf_counter()
        call_command("migrate", interactive=False, verbosity=0)
        accounts = build(users, args.stops)
        connections.close_all()
        print(f"database {name}: migrated and filled in {time.perf_counter() - t0:.1f} s", flush=True)

        port = free_port()
        proc = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "import sys; from thukkhon.cli import main; sys.exit(main())",
                "serve",
                "--host",
                HOST,
                "--port",
                str(port),
                "--threads",
                str(args.threads),
            ],
            env=env,
        )
        wait_until_up(port, proc)
        sessions = []
        for account in accounts:
            session = Session(port)
            session.login(account.username)
            status, _, _ = session.request("GET", account.path)  # warm-up
            if status != 200:
                raise RuntimeError(f"{account.page} for {account.username}: HTTP {status}")
            sessions.append((account, session))
        pages = sorted({a.page for a, _ in sessions})
        print(
            f"server on http://{HOST}:{port} ({args.threads} threads); {len(sessions)} sessions", flush=True
        )
        for page in pages:
            group = [(a, s) for a, s in sessions if a.page == page]
            timings, errors, wall = hammer(group, per_user, args.think)
            print(
                f"{page}: {len(group)} users × {per_user} requests = {len(timings)}; "
                f"p50 {statistics.median(timings):.0f} ms, p95 {percentile(timings, 95):.0f} ms, "
                f"p99 {percentile(timings, 99):.0f} ms, max {max(timings):.0f} ms; "
                f"{len(timings) / wall:.0f} requests/s; errors {len(errors)}",
                flush=True,
            )
        return 0
    finally:
        if proc is not None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # Django may not have started
            pass
        if not args.keep:
            drop_database(args.server_url, name)
        shutil.rmtree(static_root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
