from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest

from tests.factories import CommunityFactory, HouseholdFactory, MunicipalityFactory, ResidentFactory, member
from thukkhon.core.actor import Actor, actor_for
from thukkhon.funerals.models import Cremator, Crematorium
from thukkhon.funerals.services import CaseData

BKK = ZoneInfo("Asia/Bangkok")
DIED = datetime(2025, 3, 5, 6, 30, tzinfo=BKK)  # Wednesday 5 March 2568, 06:30


def bkk(*args: int) -> datetime:
    return datetime(*args, tzinfo=BKK)  # type: ignore[misc]


def actor_of(muni, role: str, **kwargs) -> Actor:
    actor = actor_for(member(muni, role, **kwargs))
    assert actor is not None
    return actor


@pytest.fixture
def muni():
    return MunicipalityFactory(code="lamphun", name_th="เทศบาลเมืองลำพูน")


@pytest.fixture
def officer(muni) -> Actor:
    return actor_of(muni, "funeral")


@pytest.fixture
def community(muni):
    return CommunityFactory(municipality=muni, name_th="ชุมชนประตูลี้")


@pytest.fixture
def deceased(muni, community):
    household = HouseholdFactory(municipality=muni, community=community, tambon="ในเมือง")
    return ResidentFactory(
        municipality=muni,
        community=community,
        household=household,
        title="นาง",
        first_name="บัวคำ",
        last_name="ใจดี",
        birth_date=datetime(1950, 1, 10).date(),
    )


@pytest.fixture
def crematorium(muni):
    return Crematorium.objects.create(
        municipality=muni,
        name_th="ฌาปนสถานบ้านหลวย",
        day_starts=time(8, 0),
        day_ends=time(17, 0),
        closed_weekdays=[6],
        has_coffin_rail=True,
    )


@pytest.fixture
def cremator(muni, crematorium):
    return Cremator.objects.create(
        municipality=muni,
        crematorium=crematorium,
        name="เตา 1",
        chambers=2,
        capacity_per_day=3,
        slot_minutes=120,
        cooldown_minutes=60,
    )


def case_data(**overrides) -> CaseData:
    values = {
        "deceased_name": "นายสมชาย ทดสอบ",
        "died_at": DIED,
        "place_of_death": "โรงพยาบาลลำพูน",
        "cause": "natural",
        "informant_name": "นางสมศรี ทดสอบ",
        "informant_relation": "ภรรยา",
        "informant_phone": "0812345678",
        "domicile_tambon": "ในเมือง",
    }
    values.update(overrides)
    return CaseData(**values)


@pytest.fixture(autouse=True)
def _english_messages():
    """Messages are asserted by their English msgids; the Thai catalogue is compiled separately."""
    from django.utils import translation

    with translation.override("en"):
        yield
