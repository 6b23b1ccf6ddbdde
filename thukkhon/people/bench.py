"""Resident search on the demo town: how long the search page takes to answer.

    uv run python -m thukkhon.people.bench [--rounds 30]

Builds the demo town in a throwaway SQLite database under var/ (or uses DATABASE_URL, e.g. a
PostgreSQL database, which must be empty), signs in as the welfare officer and requests the search
page with typical queries: a Thai first name, part of a national ID, part of a phone number, a
community with the elderly filter, and a later page. Prints p50 / p95 / max per query.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    if "DATABASE_URL" not in os.environ:
        db = Path("var/bench-search.sqlite3")
        db.parent.mkdir(exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{db.resolve()}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "thukkhon.settings")
    os.environ["ALLOWED_HOSTS"] = "testserver"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from thukkhon.demo.town import DEMO_PASSWORD, build_demo
    from thukkhon.people.models import Community, Resident

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    town = build_demo()
    print(
        f"demo town built in {time.perf_counter() - started:.1f} s "
        f"({Resident.objects.filter(municipality=town).count():,} residents) on {connection.vendor}"
    )
    sample = Resident.objects.filter(municipality=town).exclude(phone="").order_by("id")[500]
    community = Community.objects.filter(municipality=town).order_by("code").first()
    assert community is not None
    client = Client()
    signed_in = client.post("/login/", {"username": "welfare", "password": DEMO_PASSWORD})
    assert signed_in.status_code == 302, signed_in.status_code
    queries: dict[str, dict[str, str | int]] = {
        "first name": {"q": sample.first_name},
        "ID fragment": {"q": sample.national_id[-6:]},
        "phone fragment": {"q": sample.phone[-5:]},
        "community + 60+": {"community": community.pk, "elderly": "1"},
        "all, page 20": {"page": 20},
    }
    print(f"{'query':<18} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'SQL':>5}")
    for label, params in queries.items():
        times = []
        for _ in range(args.rounds):
            t0 = time.perf_counter()
            with CaptureQueriesContext(connection) as ctx:
                response = client.get("/registry/", params)
            times.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200, response.status_code
        times.sort()
        p95 = times[max(0, round(0.95 * len(times)) - 1)]
        n_sql = len(ctx.captured_queries)
        print(f"{label:<18} {statistics.median(times):8.1f} {p95:8.1f} {times[-1]:8.1f} {n_sql:5d}")


if __name__ == "__main__":
    main()
