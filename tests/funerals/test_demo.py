from __future__ import annotations

from datetime import date

import pytest

from tests.factories import HouseholdFactory, MunicipalityFactory, ResidentFactory
from thukkhon.funerals.demo import BAN_LUAI, build_funeral_demo
from thukkhon.funerals.models import Cremator, FuneralCase
from thukkhon.people.models import ResidentStatus

pytestmark = pytest.mark.django_db


def test_build_funeral_demo():
    muni = MunicipalityFactory()
    for i in range(8):
        household = HouseholdFactory(municipality=muni)
        ResidentFactory(
            municipality=muni,
            household=household,
            community=household.community,
            birth_date=date(1940 + i, 2, 1),
        )
        ResidentFactory(
            municipality=muni, household=household, community=household.community, birth_date=date(1990, 1, 1)
        )
    summary = build_funeral_demo(muni, seed=7, cases=6)
    cremator = Cremator.objects.get(municipality=muni)
    assert (cremator.crematorium.name_th, cremator.chambers, cremator.crematorium.has_coffin_rail) == (
        BAN_LUAI,
        2,
        True,
    )
    cases = FuneralCase.objects.filter(municipality=muni)
    assert cases.count() == 6 == summary["cases"]
    assert all(
        c.status == "closed" and date(2021, 7, 1) <= c.died_at.date() <= date(2021, 10, 1) for c in cases
    )
    assert all(c.deceased.status == ResidentStatus.DECEASED for c in cases)
    assert build_funeral_demo(muni, seed=7, cases=6)["cases"] == 0  # idempotent
    assert Cremator.objects.filter(municipality=muni).count() == 1
