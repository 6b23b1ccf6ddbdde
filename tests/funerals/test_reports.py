"""Reports: cases by month and cause, infectious share, death-to-cremation time, fees, by community."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from tests.funerals.conftest import bkk, case_data
from thukkhon.funerals.selectors import report
from thukkhon.funerals.services import case_create, case_mark_done

pytestmark = pytest.mark.django_db


def test_report_exact_values(officer, community):
    def make(died, done=None, **kw):
        case = case_create(
            actor=officer,
            data=case_data(**{"died_at": died, "community": community, **kw}),
            now=bkk(2025, 12, 31),
        )
        if done:
            case_mark_done(actor=officer, case=case, at=done, override_reason="ทดสอบ", now=done)
        return case

    make(bkk(2025, 3, 1, 8), bkk(2025, 3, 1, 20), cause="infectious", disease="covid19")  # 12 h
    make(bkk(2025, 3, 10, 8), bkk(2025, 3, 11, 14), cause="infectious", disease="covid19")  # 30 h
    make(bkk(2025, 4, 2, 8), bkk(2025, 4, 2, 14), welfare_card=True)  # 6 h, waived
    make(bkk(2025, 4, 3, 8), domicile_tambon="บ้านกลาง", community=None)  # 3,000, not yet cremated
    make(bkk(2024, 12, 31, 8))  # outside the period
    data = report(officer, start=date(2025, 1, 1), end=date(2025, 12, 31))
    total = data.total
    assert (total.cases, total.infectious, total.disposed, total.within_24h) == (4, 2, 3, 2)
    assert total.infectious_share == 0.5
    assert total.median_hours == 12.0 and total.mean_hours == 16.0
    assert (total.fees_charged, total.fees_waived, total.waivers) == (Decimal("4000"), Decimal("500"), 1)
    assert [(g.label, g.cases, g.infectious) for g in data.months] == [("2025-03", 2, 2), ("2025-04", 2, 0)]
    assert [(g.label, g.cases) for g in data.causes] == [("Natural causes", 2), ("Infectious disease", 2)]
    assert [(g.label, g.cases) for g in data.communities] == [("ชุมชนประตูลี้", 3), ("—", 1)]
