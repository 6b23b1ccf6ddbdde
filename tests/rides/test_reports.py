"""Reports of the People Assistance Vehicle: every figure on a small hand-made day, small cells
hidden, who may see them, and the Excel and PDF exports agreeing with the page."""

from __future__ import annotations

import io
import math
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from openpyxl import load_workbook

from tests.factories import (
    CommunityFactory,
    MunicipalityFactory,
    ResidentFactory,
    VulnerabilityFactory,
    member,
)
from tests.fleet_factories import RideSettingsFactory, VehicleFactory
from thukkhon.core.actor import actor_for
from thukkhon.people.models import Dependency
from thukkhon.rides import reports
from thukkhon.rides.models import Plan, RideRequest, Run, Status, Stop, UnmetNeed
from thukkhon.rides.travel import haversine_km

pytestmark = pytest.mark.django_db
BKK = ZoneInfo("Asia/Bangkok")
DAY = date(2026, 12, 1)
DIRECT = haversine_km((0.0, 0.0), (0.0, 0.09))  # km, and minutes at 60 km/h without detour
RANGE = {"start": "01/12/2569", "end": "01/12/2569"}  # B.E.


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, 1, hour, minute, tzinfo=BKK)


def _ride(muni: Any, resident: Any, booker: Any, **extra: Any) -> RideRequest:
    values: dict[str, Any] = {
        "municipality": muni,
        "resident": resident,
        "booked_by": booker,
        "channel": "staff",
        "purpose": "hospital",
        "service_date": DAY,
        "pickup_lat": Decimal("0"),
        "pickup_lon": Decimal("0"),
        "dropoff_lat": Decimal("0"),
        "dropoff_lon": Decimal("0.090000"),
        "status": Status.COMPLETED,
    }
    values.update(extra)
    return RideRequest.objects.create(**values)


@pytest.fixture
def day() -> dict[str, Any]:
    """Three completed trips (on time, late, early and over the ride-time limit), one no-show
    (on time) and one denial, on one run of 20 km in a vehicle costing 10 baht a km."""
    muni = MunicipalityFactory()
    RideSettingsFactory(
        municipality=muni,
        speed_kmh=Decimal("60"),
        detour_factor=Decimal("1.00"),
        window_min=30,
        private_hire_cost=Decimal("800"),
        max_ride_factor=Decimal("2"),
        max_ride_extra_min=15,
    )
    booker = member(muni, "dispatcher")
    elderly = ResidentFactory(municipality=muni, birth_date=date(1950, 1, 1))
    disabled = ResidentFactory(municipality=muni, birth_date=date(1990, 1, 1))
    VulnerabilityFactory(resident=disabled, disability_type="physical")
    card = ResidentFactory(municipality=muni, birth_date=date(1990, 1, 1))
    VulnerabilityFactory(resident=card, welfare_card=True)
    absent = ResidentFactory(municipality=muni, birth_date=date(1990, 1, 1))
    bed = ResidentFactory(municipality=muni, birth_date=date(1990, 1, 1))
    VulnerabilityFactory(resident=bed, barthel_score=2)
    assert bed.vulnerability.dependency == Dependency.BED

    t1 = _ride(muni, elderly, booker, pickup_earliest=at(8), pickup_latest=at(8, 30))
    t2 = _ride(muni, disabled, booker, purpose="dialysis", dropoff_earliest=at(9), dropoff_latest=at(9, 30))
    t3 = _ride(muni, card, booker, purpose="checkup", pickup_earliest=at(10), pickup_latest=at(10, 30))
    t4 = _ride(muni, absent, booker, status=Status.NO_SHOW, pickup_earliest=at(11), pickup_latest=at(11, 30))
    t5 = _ride(muni, bed, booker, status=Status.DENIED, denial_reason="รถเต็ม")
    UnmetNeed.objects.create(municipality=muni, request=t5, reason=UnmetNeed.Reason.DENIED, detail="รถเต็ม")

    plan = Plan.objects.create(municipality=muni, service_date=DAY, state=Plan.State.PUBLISHED)
    van = VehicleFactory(municipality=muni, cost_per_km=Decimal("10"))
    run = Run.objects.create(
        plan=plan, vehicle=van, starts_at=at(7, 50), ends_at=at(11, 30), km=Decimal("20")
    )
    seq = iter(range(1, 20))

    def stop(
        ride: RideRequest,
        kind: str,
        planned: datetime,
        arrived: datetime | None,
        done: datetime,
        state: str = Stop.State.DONE,
    ) -> None:
        Stop.objects.create(
            run=run,
            sequence=next(seq),
            request=ride,
            kind=kind,
            planned_at=planned,
            state=state,
            arrived_at=arrived,
            done_at=done,
        )

    stop(t1, "pickup", at(8, 10), at(8, 10), at(8, 12))  # on time: in 08:00–08:30
    stop(t1, "dropoff", at(8, 24), at(8, 24), at(8, 24))  # ride 12 min
    stop(t2, "pickup", at(9), at(9, 20), at(9, 21))  # late: no pickup window, planned 09:00 ± 15
    stop(t2, "dropoff", at(9, 36), None, at(9, 36))  # ride 15 min
    stop(t3, "pickup", at(10), at(9, 50), at(10))  # early: before 10:00
    stop(t3, "dropoff", at(10, 40), at(10, 40), at(10, 40))  # ride 40 min: over 2 × direct + 15
    stop(t4, "pickup", at(11, 5), at(11, 5), at(11, 10), state=Stop.State.NO_SHOW)  # on time
    stop(t4, "dropoff", at(11, 20), None, at(11, 20), state=Stop.State.SKIPPED)
    return {"muni": muni, "user": member(muni, "executive"), "t": [t1, t2, t3, t4, t5]}


def _report(d: dict[str, Any]) -> reports.Report:
    actor = actor_for(d["user"])
    assert actor is not None
    with translation.override("en"):
        return reports.build_report(actor, DAY, DAY)


def test_every_figure_of_the_hand_made_day(day: dict[str, Any]) -> None:
    f = _report(day).figures
    assert (f["requests"], f["completed"], f["no_show"], f["denied"], f["cancelled"], f["unmet"]) == (
        5,
        3,
        1,
        1,
        0,
        1,
    )
    # Pickups made: 3 completed + 1 no-show; on time t1 and t4, t2 late, t3 early.
    assert (f["pickups"], f["on_time"], f["early"], f["late"]) == (4, 2, 1, 1)
    # Revenue hours: first pickup reached 08:10 to last drop-off 10:40 = 2.5 h; 3 passengers.
    assert f["revenue_hours"] == Decimal("2.5")
    assert f["passengers_per_hour"] == Decimal("1.2")
    assert f["km"] == Decimal("20.00")
    assert f["cost"] == Decimal("200.00")
    assert f["cost_per_trip"].quantize(Decimal("0.01")) == Decimal("66.67")
    assert f["private_hire_avoided"] == Decimal("2400")
    # Ride ÷ direct: 12/10.008 = 1.20, 15/10.008 = 1.50 (just under), 40/10.008 = 4.00.
    assert f["measured"] == 3
    assert f["bands"] == [1, 1, 0, 1]
    assert f["over_limit"] == 1
    assert f["mean_ratio"] == pytest.approx((12 + 15 + 40) / DIRECT / 3, rel=1e-6)


def test_tables_show_the_figures(day: dict[str, Any]) -> None:
    r = _report(day)
    summary = {row[0].text: row[1].text for row in r.table("summary").rows}
    assert summary["On-time pickups (%)"] == "50.0"
    assert summary["Passengers per revenue hour"] == "1.20"
    assert summary["Vehicle revenue hours"] == "2.50"
    assert summary["Cost per trip (baht)"] == "66.67"
    assert summary["Private-hire cost avoided (baht)"] == "2,400.00"
    assert summary["Distance driven (km)"] == "20.00"
    assert summary["Trips over the maximum ride time"] == "1"
    purpose = {row[0].text: [c.value for c in row[1:]] for row in r.table("purpose").rows}
    assert purpose["Hospital appointment"] == [3, 1, 1, 0, 1]  # t1, t4 (no-show), t5 (denied)
    assert purpose["Dialysis"] == [1, 1, 0, 0, 0]
    assert purpose["Check-up"] == [1, 1, 0, 0, 0]
    on_time = [[c.text for c in row] for row in r.table("on_time").rows]
    assert on_time == [["On time", "2", "50.0"], ["Early", "1", "25.0"], ["Late", "1", "25.0"]]
    ratio = [c.value for c in r.table("ride_ratio").total or []]
    assert ratio[1:] == [3, Decimal("100.0")]


def test_small_cells_are_hidden_by_community_and_group(day: dict[str, Any]) -> None:
    r = _report(day)
    for key in ("community", "group"):
        for row in r.table(key).rows:
            for cell in row[1:]:
                assert cell.value == 0 or cell.text == reports.SUPPRESSED
    groups = {row[0].text: row for row in r.table("group").rows}
    assert groups["Elderly (60 and over)"][2].suppressed  # 1 completed trip
    assert groups["Home- or bed-bound"][3].value == 1  # the denial, hidden
    assert r.table("group").total is not None and r.table("group").total[1].text == "5"  # totals shown


def test_complementary_suppression_in_a_partition() -> None:
    rows = [
        [reports.text_cell(n), reports.count_cell(v)] for n, v in (("a", 6), ("b", 2), ("c", 7), ("d", 0))
    ]
    reports.suppress(rows, [1], complementary=True)
    assert [row[1].text for row in rows] == ["<5", "<5", "7", "0"]
    rows = [[reports.text_cell(n), reports.count_cell(v)] for n, v in (("a", 6), ("b", 5))]
    reports.suppress(rows, [1], complementary=True)
    assert [row[1].text for row in rows] == ["6", "5"]


def test_larger_community_counts_are_shown() -> None:
    muni = MunicipalityFactory()
    booker = member(muni, "dispatcher")
    big, small = (
        CommunityFactory(municipality=muni, code="01"),
        CommunityFactory(municipality=muni, code="02"),
    )
    third = CommunityFactory(municipality=muni, code="03")
    for community, n in ((big, 6), (small, 2), (third, 9)):
        for _ in range(n):
            _ride(muni, ResidentFactory(municipality=muni, community=community), booker)
    actor = actor_for(member(muni, "welfare"))
    assert actor is not None
    rows = reports.build_report(actor, DAY, DAY).table("community").rows
    assert [row[1].text for row in rows] == ["<5", "<5", "9"]  # 2 hidden, and 6 so it cannot be derived
    assert [row[1].value for row in rows] == [6, 2, 9]


@pytest.mark.parametrize("role", ["dispatcher", "welfare", "executive", "admin"])
def test_report_roles_see_the_page(day: dict[str, Any], role: str) -> None:
    c = Client()
    c.force_login(member(day["muni"], role))
    response = c.get(reverse("rides:reports"), RANGE)
    assert response.status_code == 200
    assert "chart.umd.min.js" in response.content.decode()


@pytest.mark.parametrize("role", ["driver", "volunteer", "resident", "teacher", "funeral"])
def test_other_roles_get_404(day: dict[str, Any], role: str) -> None:
    c = Client()
    c.force_login(member(day["muni"], role))
    for name in ("rides:reports", "rides:reports-xlsx", "rides:reports-pdf"):
        assert c.get(reverse(name), RANGE).status_code == 404


def test_anonymous_is_sent_to_login() -> None:
    assert Client().get(reverse("rides:reports")).status_code == 302


def test_another_town_sees_none_of_it(day: dict[str, Any]) -> None:
    other = MunicipalityFactory()
    actor = actor_for(member(other, "executive"))
    assert actor is not None
    f = reports.build_report(actor, DAY, DAY).figures
    assert (f["requests"], f["completed"], f["pickups"], f["km"]) == (0, 0, 0, Decimal("0.00"))


def test_default_range_is_the_last_30_days() -> None:
    assert reports.default_range(date(2026, 12, 31)) == (date(2026, 12, 2), date(2026, 12, 31))


def test_bad_dates_get_a_message_and_the_default_range(day: dict[str, Any]) -> None:
    c = Client()
    c.force_login(day["user"])
    response = c.get(reverse("rides:reports"), {"start": "31/02/2569", "end": "x"})
    assert response.status_code == 200
    assert response.context["form"].errors


def test_page_excel_and_pdf_agree(day: dict[str, Any]) -> None:
    c = Client()
    c.force_login(day["user"])
    page = c.get(reverse("rides:reports"), RANGE)
    html = page.content.decode()
    r = page.context["report"]
    workbook = c.get(reverse("rides:reports-xlsx"), RANGE)
    assert workbook["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(workbook.content))
    assert len(book.worksheets) == len(r.tables)
    for table, sheet in zip(r.tables, book.worksheets, strict=True):
        values = [list(row) for row in sheet.iter_rows(min_row=3, values_only=True)]
        assert values[0] == table.columns  # the header row
        expected = table.rows + ([table.total] if table.total else [])
        for got, row in zip(values[1 : 1 + len(expected)], expected, strict=True):
            for cell_value, cell in zip(got, row, strict=True):
                if isinstance(cell.excel, float):
                    assert math.isclose(cell_value, cell.excel)
                else:
                    assert cell_value == cell.excel
                assert f">{escape(cell.text)}<" in html  # the page shows the same number
    pdf = c.get(reverse("rides:reports-pdf"), RANGE)
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")
