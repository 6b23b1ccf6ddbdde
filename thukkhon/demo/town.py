"""A Lamphun-like demo town.

``build_demo`` creates the municipality เทศบาลเมืองลำพูน with its 17 communities, about 5,500
households and 14,000 residents with vulnerability profiles, real public places at approximate
coordinates, and one demo account per role. Every resident is invented (Faker ``th_TH``): no real
person's data. The same seed gives the same names, IDs, coordinates and dates (ages are counted
back from ``as_of``, today by default).

Seed data is written with ``bulk_create_with_history`` so every row has its "created" history entry,
in one transaction, in batches, without per-row queries.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import transaction
from faker import Faker
from simple_history.utils import bulk_create_with_history

from thukkhon.core.models import Membership, Municipality, User
from thukkhon.core.roles import Role
from thukkhon.core.thai import national_id_check_digit
from thukkhon.people.models import (
    ChronicCondition,
    Community,
    CommunityScope,
    DisabilityType,
    Household,
    IdKind,
    Place,
    PlaceKind,
    Relation,
    Religion,
    Resident,
    ResidentStatus,
    Sex,
    Vulnerability,
    dependency_for,
)

DEMO_CODE = "lamphun"
DEMO_PASSWORD = "thukkhon-demo"  # demo accounts only exist in the demo database

DEMO_ACCOUNTS: list[tuple[str, str]] = [
    ("admin", "ผู้ดูแลระบบ / Administrator"),
    ("executive", "ผู้บริหาร / Executive"),
    ("welfare", "เจ้าหน้าที่สวัสดิการสังคม / Welfare officer"),
    ("dispatcher", "เจ้าหน้าที่จัดรถ / Dispatcher"),
    ("driver", "พนักงานขับรถ / Driver"),
    ("volunteer", "อาสาสมัครสาธารณสุข (อสม.) / Health volunteer"),
    ("teacher", "ครู / Teacher"),
    ("parent", "ผู้ปกครอง / Parent"),
    ("funeral", "เจ้าหน้าที่ฌาปนกิจ / Funeral officer"),
]
_ACCOUNT_ROLES: dict[str, Role] = {
    "admin": Role.ADMIN,
    "executive": Role.EXECUTIVE,
    "welfare": Role.WELFARE,
    "dispatcher": Role.DISPATCHER,
    "driver": Role.DRIVER,
    "volunteer": Role.VOLUNTEER,
    "teacher": Role.TEACHER,
    "parent": Role.PARENT,
    "funeral": Role.FUNERAL,
}
VOLUNTEER_COMMUNITIES = ("01", "02")  # จามเทวี, มหาวัน

BATCH = 2000
HOUSEHOLDS = 5500
TOWN_LAT = (Decimal("18.5600"), Decimal("18.6000"))
TOWN_LON = (Decimal("98.9900"), Decimal("99.0300"))


@dataclass(frozen=True)
class _CommunitySeed:
    code: str
    name_th: str
    name_en: str
    lat: float
    lon: float
    weight: float  # relative number of households
    tambon: str
    roads: tuple[str, ...]


# The 17 communities of Lamphun town. Sixteen names appear in the municipality's public news
# (community plan meetings 2563/2566, community committee elections 2565); "กู่ช้าง" (after the
# Ku Chang monument in the north-west of town) could not be confirmed and stands in for the
# seventeenth. Centres and tambon assignments are approximate, placed inside the town.
COMMUNITIES: tuple[_CommunitySeed, ...] = (
    _CommunitySeed("01", "จามเทวี", "Chamthewi", 18.5855, 99.0003, 1.2, "ในเมือง", ("จามเทวี", "รอบเมืองนอก")),
    _CommunitySeed("02", "มหาวัน", "Mahawan", 18.5768, 99.0045, 1.0, "ในเมือง", ("รอบเมืองใน", "มุกดา")),
    _CommunitySeed("03", "ประตูลี้", "Pratu Li", 18.5705, 99.0075, 1.1, "ในเมือง", ("ประตูลี้", "รอบเมืองใน")),
    _CommunitySeed("04", "หนองเส้ง", "Nong Seng", 18.5888, 99.0095, 1.0, "ในเมือง", ("หนองเส้ง", "ลำพูน-ลี้")),
    _CommunitySeed("05", "สวนดอก", "Suan Dok", 18.5826, 99.0068, 0.9, "ในเมือง", ("อินทยงยศ", "สวนดอก")),
    _CommunitySeed("06", "สันป่ายางหน่อม", "San Pa Yang Nom", 18.5662, 99.0040, 1.1, "ในเมือง", ("ลำพูน-ป่าซาง",)),
    _CommunitySeed("07", "ไก่แก้ว", "Kai Kaeo", 18.5790, 98.9975, 0.9, "ในเมือง", ("รอบเมืองนอก", "ไก่แก้ว")),
    _CommunitySeed("08", "ช่างฆ้อง", "Chang Khong", 18.5812, 99.0140, 0.9, "ในเมือง", ("วังขวา", "ช่างฆ้อง")),
    _CommunitySeed("09", "ศรีบุญเรือง", "Si Bun Rueang", 18.5745, 99.0002, 0.8, "ในเมือง", ("ศรีบุญเรือง",)),
    _CommunitySeed("10", "สันดอนรอม", "San Don Rom", 18.5938, 99.0052, 1.3, "เหมืองง่า", ("สันดอนรอม",)),
    _CommunitySeed("11", "ชัยมงคล", "Chai Mongkhon", 18.5682, 99.0148, 0.9, "ในเมือง", ("ชัยมงคล",)),
    _CommunitySeed("12", "สันป่ายางหลวง", "San Pa Yang Luang", 18.5622, 99.0102, 1.2, "ต้นธง", ("ลำพูน-ป่าซาง",)),
    _CommunitySeed(
        "13", "ท่าข่าม-บ้านฮ่อม", "Tha Kham-Ban Hom", 18.5740, 99.0152, 0.8, "ในเมือง", ("วังซ้าย", "ท่าข่าม")
    ),
    _CommunitySeed(
        "14", "บ้านท่า-ท่านาง", "Ban Tha-Tha Nang", 18.5772, 99.0128, 0.8, "ในเมือง", ("วังขวา", "ท่านาง")
    ),
    _CommunitySeed("15", "พระคงฤาษี", "Phra Khong Ruesi", 18.5714, 99.0012, 0.9, "ในเมือง", ("พระคง",)),
    _CommunitySeed(
        "16", "หน้าสถานีรถไฟ", "Na Sathani Rotfai", 18.5612, 99.0183, 1.0, "ต้นธง", ("สถานีรถไฟ", "เจริญราษฎร์")
    ),
    _CommunitySeed("17", "กู่ช้าง", "Ku Chang", 18.5892, 99.0012, 0.8, "ในเมือง", ("กู่ช้าง", "จามเทวี")),
)
_MOO_TAMBONS = {"เหมืองง่า": "3", "ต้นธง": "7"}  # communities outside Nai Mueang also carry a moo


@dataclass(frozen=True)
class _PlaceSeed:
    kind: str
    name_th: str
    name_en: str
    lat: float
    lon: float
    address: str = ""
    phone: str = ""


_TOWN_ADDRESS = "ต.ในเมือง อ.เมืองลำพูน จ.ลำพูน 51000"

# Real public places of Lamphun town at approximate coordinates.
PLACES: tuple[_PlaceSeed, ...] = (
    _PlaceSeed(
        PlaceKind.OFFICE,
        "สำนักงานเทศบาลเมืองลำพูน",
        "Lamphun Town Municipality office",
        18.5785,
        99.0087,
        f"27 ถ.เทศบาล 1 {_TOWN_ADDRESS}",
        "053511013",
    ),
    _PlaceSeed(
        PlaceKind.OFFICE,
        "ที่ว่าการอำเภอเมืองลำพูน",
        "Mueang Lamphun District Office",
        18.5762,
        99.0062,
        _TOWN_ADDRESS,
    ),
    _PlaceSeed(
        PlaceKind.HOSPITAL,
        "โรงพยาบาลลำพูน",
        "Lamphun Hospital",
        18.5797,
        99.0026,
        f"ถ.จามเทวี {_TOWN_ADDRESS}",
    ),
    _PlaceSeed(
        PlaceKind.DIALYSIS,
        "หน่วยไตเทียม โรงพยาบาลลำพูน",
        "Lamphun Hospital haemodialysis unit",
        18.5799,
        99.0030,
        f"ถ.จามเทวี {_TOWN_ADDRESS}",
    ),
    _PlaceSeed(
        PlaceKind.HEALTH_CENTRE,
        "ศูนย์บริการสาธารณสุขเทศบาลเมืองลำพูน",
        "Lamphun Town Municipality public health service centre",
        18.5781,
        99.0094,
        _TOWN_ADDRESS,
    ),
    _PlaceSeed(
        PlaceKind.CREMATORIUM, "ฌาปนสถานบ้านหลวย", "Ban Luai crematorium", 18.5628, 99.0030, _TOWN_ADDRESS
    ),
    # The 4 municipal schools (all four named in the municipality's school sports day news).
    _PlaceSeed(PlaceKind.SCHOOL, "โรงเรียนเทศบาลประตูลี้", "Pratu Li Municipal School", 18.5712, 99.0083),
    _PlaceSeed(
        PlaceKind.SCHOOL, "โรงเรียนเทศบาลสันป่ายางหน่อม", "San Pa Yang Nom Municipal School", 18.5668, 99.0050
    ),
    _PlaceSeed(
        PlaceKind.SCHOOL, "โรงเรียนเทศบาลสันป่ายางหลวง", "San Pa Yang Luang Municipal School", 18.5628, 99.0110
    ),
    _PlaceSeed(PlaceKind.SCHOOL, "โรงเรียนเทศบาลจามเทวี", "Chamthewi Municipal School", 18.5862, 99.0014),
    _PlaceSeed(PlaceKind.TEMPLE, "วัดพระธาตุหริภุญชัยวรมหาวิหาร", "Wat Phra That Hariphunchai", 18.5776, 99.0086),
    _PlaceSeed(PlaceKind.TEMPLE, "วัดจามเทวี", "Wat Chamthewi", 18.5858, 98.9997),
    _PlaceSeed(PlaceKind.TEMPLE, "วัดมหาวัน", "Wat Mahawan", 18.5767, 99.0040),
    _PlaceSeed(PlaceKind.TEMPLE, "วัดประตูลี้", "Wat Pratu Li", 18.5700, 99.0071),
    _PlaceSeed(PlaceKind.TEMPLE, "วัดพระคงฤาษี", "Wat Phra Khong Ruesi", 18.5711, 99.0008),
    _PlaceSeed(PlaceKind.TEMPLE, "วัดกู่ช้าง", "Wat Ku Chang", 18.5894, 99.0030),
    _PlaceSeed(PlaceKind.TEMPLE, "วัดพระยืน", "Wat Phra Yuen", 18.5818, 99.0185),
)


# Given names in Thai script for Tai Yai (Shan) and Myanmar migrant residents (who often have no
# surname). Invented combinations of common name parts.
_MIGRANT_NAMES_M = ("จายแสง", "จายคำ", "จายหลาว", "อ่องซอ", "จอวิน", "ส่างหาญ", "หม่องทุน", "จายเมือง")
_MIGRANT_NAMES_F = ("นางหอม", "ปานแก้ว", "มิ้นท์ซู", "เงินหอม", "ซูซู", "คำแสง", "นวลเงิน", "อ่อนหม่า")
_PROVINCE_CODES = ("51",) * 15 + ("50", "50", "10", "52", "57", "54", "56", "58")
_OTHER_CHRONIC = (
    (ChronicCondition.KIDNEY, 0.10),
    (ChronicCondition.HEART, 0.10),
    (ChronicCondition.STROKE, 0.05),
    (ChronicCondition.COPD, 0.06),
    (ChronicCondition.CANCER, 0.03),
    (ChronicCondition.PSYCHIATRIC, 0.02),
)
_DISABILITY_ADULT = (
    (DisabilityType.PHYSICAL, 55),
    (DisabilityType.HEARING, 15),
    (DisabilityType.VISUAL, 12),
    (DisabilityType.MENTAL, 9),
    (DisabilityType.INTELLECTUAL, 9),
)
_DISABILITY_CHILD = (
    (DisabilityType.INTELLECTUAL, 30),
    (DisabilityType.AUTISM, 25),
    (DisabilityType.LEARNING, 20),
    (DisabilityType.PHYSICAL, 15),
    (DisabilityType.HEARING, 10),
)


def demo_exists() -> bool:
    return Municipality.objects.filter(code=DEMO_CODE).exists()


# --- people ----------------------------------------------------------------------------------


@dataclass
class _Person:
    relation: str
    age: int
    sex: str
    partnered: bool = False  # has or had a spouse: a woman then chooses นาง
    migrant: bool = False
    lives_alone: bool = False
    # filled later
    first_name: str = ""
    last_name: str = ""
    extras: dict[str, object] = field(default_factory=dict)


def _elderly_age(rng: random.Random) -> int:
    band = rng.choices((60, 70, 80, 90), weights=(50, 32, 15, 3))[0]
    return band + rng.randrange(10) if band < 90 else 90 + int(rng.expovariate(0.35))


def _sex(rng: random.Random, age: int) -> str:
    female_share = 0.5 if age < 60 else (0.55 if age < 80 else 0.62)
    return Sex.FEMALE if rng.random() < female_share else Sex.MALE


def _fewer_toddlers(rng: random.Random, age: int) -> int:
    """Thai births have fallen fast: fewer children under 7 than older ones (about 4 % of residents)."""
    return age + rng.randint(7, 12) if 0 <= age <= 6 and rng.random() < 0.3 else age


def _children(rng: random.Random, mother_age: int, n: int, relation: str) -> list[_Person]:
    kids = []
    for _ in range(n):
        age = _fewer_toddlers(rng, mother_age - rng.randint(20, 40))
        if age < 0 or age > mother_age - 16:
            continue
        kids.append(_Person(relation, age, _sex(rng, age)))
    return kids


def _couple(rng: random.Random, owner_age: int, *, elderly: bool = False) -> list[_Person]:
    owner_sex = _sex(rng, owner_age)
    spouse_age = max(20, owner_age + rng.randint(-6, 6))
    if elderly:
        spouse_age = max(spouse_age, 58)
    spouse_sex = Sex.FEMALE if owner_sex == Sex.MALE else Sex.MALE
    return [
        _Person(Relation.OWNER, owner_age, owner_sex, partnered=True),
        _Person(Relation.SPOUSE, spouse_age, spouse_sex, partnered=True),
    ]


def _household(rng: random.Random) -> list[_Person]:
    kind = rng.choices(
        (
            "elderly_alone",
            "adult_alone",
            "elderly_couple",
            "couple",
            "nuclear",
            "single_parent",
            "three_generations",
            "skipped_generation",
            "with_parent",
            "migrants",
        ),
        weights=(9.5, 12, 14, 7, 19, 6, 17, 6, 7, 2),
    )[0]
    if kind == "elderly_alone":
        age = _elderly_age(rng)
        return [_Person(Relation.OWNER, age, _sex(rng, age), partnered=rng.random() < 0.8, lives_alone=True)]
    if kind == "adult_alone":
        age = rng.randint(22, 59)
        return [_Person(Relation.OWNER, age, _sex(rng, age), partnered=rng.random() < 0.3, lives_alone=True)]
    if kind == "elderly_couple":
        return _couple(rng, _elderly_age(rng), elderly=True)
    if kind == "couple":
        return _couple(rng, rng.randint(25, 59))
    if kind == "nuclear":
        members = _couple(rng, rng.randint(28, 58))
        mother = min(m.age for m in members)
        n = rng.choices((1, 2, 3), weights=(45, 42, 13))[0]
        return members + _children(rng, mother, n, Relation.CHILD)
    if kind == "single_parent":
        age = rng.randint(24, 55)
        parent = _Person(Relation.OWNER, age, Sex.FEMALE if rng.random() < 0.8 else Sex.MALE, partnered=True)
        return [parent, *_children(rng, age, rng.choice((1, 1, 2)), Relation.CHILD)]
    if kind == "three_generations":
        owner_age = rng.randint(55, 88)
        members = (
            _couple(rng, owner_age, elderly=owner_age >= 60)
            if rng.random() < 0.6
            else [_Person(Relation.OWNER, owner_age, _sex(rng, owner_age), partnered=True)]
        )
        child_age = max(20, owner_age - rng.randint(22, 36))
        child = _Person(Relation.CHILD, child_age, _sex(rng, child_age), partnered=rng.random() < 0.6)
        members.append(child)
        if child.partnered and rng.random() < 0.7:
            in_law_age = max(20, child_age + rng.randint(-5, 5))
            members.append(_Person(Relation.RELATIVE, in_law_age, _sex(rng, in_law_age), partnered=True))
        if rng.random() < 0.85:
            n = rng.choices((1, 2, 3), weights=(50, 40, 10))[0]
            members += _children(rng, child_age, n, Relation.GRANDCHILD)
        return members
    if kind == "skipped_generation":
        owner_age = rng.randint(56, 85)
        members = (
            _couple(rng, owner_age, elderly=owner_age >= 60)
            if rng.random() < 0.5
            else [_Person(Relation.OWNER, owner_age, _sex(rng, owner_age), partnered=True)]
        )
        for _ in range(rng.choice((1, 1, 2))):
            age = _fewer_toddlers(rng, rng.randint(0, 16))
            members.append(_Person(Relation.GRANDCHILD, age, _sex(rng, age)))
        return members
    if kind == "with_parent":
        owner_age = rng.randint(35, 62)
        members = (
            _couple(rng, owner_age)
            if rng.random() < 0.55
            else [_Person(Relation.OWNER, owner_age, _sex(rng, owner_age), partnered=rng.random() < 0.4)]
        )
        parent_age = min(100, max(60, owner_age + rng.randint(22, 34)))
        members.append(_Person(Relation.PARENT, parent_age, _sex(rng, parent_age + 10), partnered=True))
        if rng.random() < 0.35:
            members += _children(rng, owner_age, 1, Relation.CHILD)
        return members
    # migrant workers renting a house together
    members = []
    for i in range(rng.randint(2, 4)):
        age = rng.randint(18, 42)
        relation = Relation.OWNER if i == 0 else rng.choice((Relation.OTHER, Relation.OTHER, Relation.SPOUSE))
        members.append(_Person(relation, age, _sex(rng, age), partnered=rng.random() < 0.5, migrant=True))
    if rng.random() < 0.3:
        age = rng.randint(0, 6)
        members.append(_Person(Relation.CHILD, age, _sex(rng, age), migrant=True))
    return members


def _title(person: _Person, rng: random.Random) -> str:
    if person.age < 15:
        return "ด.ช." if person.sex == Sex.MALE else "ด.ญ."
    if person.sex == Sex.MALE:
        return "นาย"
    if person.partnered:
        return "นาง" if rng.random() < 0.85 else "นางสาว"
    return "นางสาว"


def _birth_date(rng: random.Random, age: int, as_of: date) -> tuple[date, bool]:
    if age >= 80 and rng.random() < 0.45:
        # the very old often only know their year: registered as 1 January of an estimated year
        return date(as_of.year - age - 1, 1, 1), True
    days_since_birthday = rng.randrange(365)
    born = as_of - timedelta(days=days_since_birthday)
    try:
        born = born.replace(year=born.year - age)
    except ValueError:  # 29 February
        born = born.replace(year=born.year - age, day=28)
    return born, False


def _phone(rng: random.Random) -> str:
    return rng.choice(("08", "09", "06")) + "".join(str(rng.randrange(10)) for _ in range(8))


def _offset(rng: random.Random, lat: float, lon: float, spread: float) -> tuple[Decimal, Decimal]:
    dlat = max(min(lat + rng.gauss(0, spread), float(TOWN_LAT[1])), float(TOWN_LAT[0]))
    dlon = max(min(lon + rng.gauss(0, spread), float(TOWN_LON[1])), float(TOWN_LON[0]))
    return Decimal(f"{dlat:.6f}"), Decimal(f"{dlon:.6f}")


class _Ids:
    """Unique identity numbers."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def _unique(self, make: Callable[[], str]) -> str:
        while True:
            value = make()
            if value not in self.used:
                self.used.add(value)
                return value

    def thai(self, birth_year: int) -> str:
        rng = self.rng

        def make() -> str:
            if birth_year >= 1984:
                kind = "1" if rng.random() < 0.97 else "2"
            else:
                kind = rng.choices("358", weights=(90, 7, 3))[0]
            province = rng.choice(_PROVINCE_CODES)
            district = "01" if province == "51" and rng.random() < 0.8 else f"{rng.randint(1, 9):02d}"
            body = kind + province + district + "".join(str(rng.randrange(10)) for _ in range(7))
            return body + str(national_id_check_digit(body))

        return self._unique(make)

    def non_thai(self) -> str:
        rng = self.rng

        def make() -> str:
            body = rng.choice("067") + "".join(str(rng.randrange(10)) for _ in range(11))
            return body + str(national_id_check_digit(body))

        return self._unique(make)

    def passport(self) -> str:
        rng = self.rng
        return self._unique(
            lambda: "M" + rng.choice("ABCD") + "".join(str(rng.randrange(10)) for _ in range(7))
        )


# --- build -------------------------------------------------------------------------------------


def build_demo(
    *,
    seed: int = 2566,
    progress: Callable[[str], None] | None = None,
    scale: float = 1.0,
    as_of: date | None = None,
) -> Municipality:
    """Create the demo town. ``scale`` shrinks the population (tests use 0.02–0.2)."""
    if demo_exists():
        raise ValueError(f"The demo municipality {DEMO_CODE!r} already exists.")
    say = progress or (lambda _msg: None)
    rng = random.Random(seed)
    fake = Faker(locale="th_TH")
    fake.seed_instance(seed)
    today = as_of or date.today()

    with transaction.atomic():
        town = Municipality.objects.create(
            code=DEMO_CODE,
            name_th="เทศบาลเมืองลำพูน",
            name_en="Lamphun Town Municipality",
            latitude=Decimal("18.578500"),
            longitude=Decimal("99.008700"),
            settings={"demo": True, "seed": seed},
        )
        communities = _build_communities(town)
        say(f"ชุมชน {len(communities)}")
        places = _build_places(town)
        say(f"สถานที่ {len(places)}")
        households, people = _plan_households(rng, town, communities, scale)
        bulk_create_with_history(households, Household, batch_size=BATCH, default_change_reason="demo")
        say(f"ครัวเรือน {len(households):,}")
        residents = _build_residents(rng, fake, town, households, people, today)
        say(f"ประชาชน {len(residents):,}")
        profiles = _build_vulnerabilities(rng, fake, residents, people, today)
        say(f"ข้อมูลความเปราะบาง {len(profiles):,}")
        accounts = _build_accounts(fake, town, communities)
        say(f"บัญชีสาธิต {accounts}")
    return town


def _build_communities(town: Municipality) -> list[Community]:
    communities = [
        Community(
            municipality=town,
            code=c.code,
            name_th=c.name_th,
            name_en=c.name_en,
            latitude=Decimal(f"{c.lat:.6f}"),
            longitude=Decimal(f"{c.lon:.6f}"),
        )
        for c in COMMUNITIES
    ]
    return bulk_create_with_history(communities, Community, default_change_reason="demo")


def _build_places(town: Municipality) -> list[Place]:
    places = [
        Place(
            municipality=town,
            kind=p.kind,
            name_th=p.name_th,
            name_en=p.name_en,
            address=p.address or _TOWN_ADDRESS,
            phone=p.phone,
            latitude=Decimal(f"{p.lat:.6f}"),
            longitude=Decimal(f"{p.lon:.6f}"),
        )
        for p in PLACES
    ]
    return bulk_create_with_history(places, Place, default_change_reason="demo")


def _plan_households(
    rng: random.Random, town: Municipality, communities: list[Community], scale: float
) -> tuple[list[Household], list[list[_Person]]]:
    total = max(len(COMMUNITIES), round(HOUSEHOLDS * scale))
    weights = [c.weight for c in COMMUNITIES]
    households: list[Household] = []
    people: list[list[_Person]] = []
    house_counter = [0] * len(COMMUNITIES)
    for serial in range(total):
        # every community gets at least one household, then by weight
        index = serial if serial < len(COMMUNITIES) else rng.choices(range(len(COMMUNITIES)), weights)[0]
        seed_c = COMMUNITIES[index]
        house_counter[index] += 1
        n = house_counter[index]
        house_no = str(n * 2 + rng.randint(0, 1)) if rng.random() < 0.8 else f"{n}/{rng.randint(1, 9)}"
        road = rng.choice(seed_c.roads)
        soi = str(rng.randint(1, 12)) if rng.random() < 0.35 else ""
        lat, lon = _offset(rng, seed_c.lat, seed_c.lon, 0.0018)
        body = f"5199{serial + 1:06d}"
        households.append(
            Household(
                municipality=town,
                community=communities[index],
                registration_no=body + str(national_id_check_digit(body + "00")),
                house_no=house_no,
                moo=_MOO_TAMBONS.get(seed_c.tambon, ""),
                soi=soi,
                road=road,
                tambon=seed_c.tambon,
                amphoe="เมืองลำพูน",
                changwat="ลำพูน",
                postcode="51000",
                latitude=lat,
                longitude=lon,
                access_notes=(
                    rng.choice(("ซอยแคบ รถตู้เข้าไม่ได้", "บ้านอยู่ท้ายซอย", "ตรงข้ามร้านค้า", "ใกล้วัด"))
                    if rng.random() < 0.1
                    else ""
                ),
            )
        )
        people.append(_household(rng))
    return households, people


def _build_residents(
    rng: random.Random,
    fake: Faker,
    town: Municipality,
    households: list[Household],
    people: list[list[_Person]],
    today: date,
) -> list[Resident]:
    ids = _Ids(rng)
    residents: list[Resident] = []
    for household, members in zip(households, people, strict=True):
        family_name = fake.last_name()
        for person in members:
            if person.migrant:
                names = _MIGRANT_NAMES_F if person.sex == Sex.FEMALE else _MIGRANT_NAMES_M
                person.first_name, person.last_name = rng.choice(names), ""
            else:
                person.first_name = (
                    fake.first_name_female() if person.sex == Sex.FEMALE else fake.first_name_male()
                )
                # spouses and in-laws often keep their own family name
                keeps_own = person.relation in (Relation.SPOUSE, Relation.RELATIVE) and rng.random() < 0.4
                person.last_name = fake.last_name() if keeps_own else family_name
            born, estimated = _birth_date(rng, person.age, today)
            if person.migrant:
                id_kind = rng.choices((IdKind.NON_THAI, IdKind.PASSPORT, IdKind.NONE), (60, 20, 20))[0]
                national_id = {
                    IdKind.NON_THAI: ids.non_thai,
                    IdKind.PASSPORT: ids.passport,
                    IdKind.NONE: lambda: "",
                }[id_kind]()
                religion = Religion.BUDDHISM if rng.random() < 0.9 else Religion.UNKNOWN
            else:
                id_kind = IdKind.THAI
                national_id = ids.thai(born.year)
                religion = rng.choices(
                    (Religion.BUDDHISM, Religion.CHRISTIANITY, Religion.ISLAM, Religion.UNKNOWN),
                    weights=(93, 2, 0.7, 4.3),
                )[0]
            has_phone = (15 <= person.age < 75 and rng.random() < 0.85) or (
                person.age >= 75 and rng.random() < 0.35
            )
            phone = _phone(rng) if has_phone else ""
            line_id = ""
            if phone and person.age < 65 and rng.random() < 0.3:
                line_id = fake.user_name()[:20] + str(rng.randint(1, 99))
            status, status_date = ResidentStatus.ALIVE, None
            roll = rng.random()
            if roll < (0.03 if person.age >= 75 else 0.002):
                status = ResidentStatus.DECEASED
                status_date = today - timedelta(days=rng.randint(3, 700))
            elif roll > 0.985 and 18 <= person.age < 60:
                status = ResidentStatus.MOVED
                status_date = today - timedelta(days=rng.randint(10, 700))
            nickname = ""
            if person.age < 60 and not person.migrant and rng.random() < 0.5:
                nickname = rng.choice(("แดง", "ต้น", "นก", "บี", "เอ", "ปุ๊ก", "ตาล", "ฝน", "ก้อย", "บอล", "เก่ง"))
            residents.append(
                Resident(
                    municipality=town,
                    community=household.community,
                    household=household,
                    relation_to_owner=person.relation,
                    id_kind=id_kind,
                    national_id=national_id,
                    title=_title(person, rng),
                    first_name=person.first_name,
                    last_name=person.last_name,
                    nickname=nickname,
                    sex=person.sex,
                    birth_date=born,
                    birth_date_estimated=estimated,
                    phone=phone,
                    line_id=line_id,
                    religion=religion,
                    status=status,
                    status_date=status_date,
                )
            )
    return bulk_create_with_history(residents, Resident, batch_size=BATCH, default_change_reason="demo")


def _build_vulnerabilities(
    rng: random.Random,
    fake: Faker,
    residents: list[Resident],
    people: list[list[_Person]],
    today: date,
) -> list[Vulnerability]:
    flat = [p for members in people for p in members]
    profiles: list[Vulnerability] = []
    start = 0
    for members in people:
        household = residents[start : start + len(members)]
        start += len(members)
        for resident, person in zip(household, members, strict=True):
            if resident.status != ResidentStatus.ALIVE:
                continue
            profile = _profile(rng, fake, resident, person, household, members, today)
            if profile is not None:
                profiles.append(profile)
    assert start == len(flat) == len(residents)
    return bulk_create_with_history(profiles, Vulnerability, batch_size=BATCH, default_change_reason="demo")


def _profile(
    rng: random.Random,
    fake: Faker,
    resident: Resident,
    person: _Person,
    household: list[Resident],
    members: list[_Person],
    today: date,
) -> Vulnerability | None:
    age = person.age
    disability = ""
    disability_p = 0.01 if age < 15 else 0.024 if age < 60 else 0.075 if age < 80 else 0.16
    if rng.random() < disability_p:
        table = _DISABILITY_CHILD if age < 18 else _DISABILITY_ADULT
        disability = rng.choices([t for t, _ in table], [w for _, w in table])[0]
    chronic: list[str] = []
    if age >= 60:
        if rng.random() < 0.5:
            chronic.append(ChronicCondition.HYPERTENSION)
        if rng.random() < 0.25:
            chronic.append(ChronicCondition.DIABETES)
        chronic += [c for c, p in _OTHER_CHRONIC if rng.random() < p]
        if rng.random() < (0.03 if age < 80 else 0.15):
            chronic.append(ChronicCondition.DEMENTIA)
    elif age >= 35:
        if rng.random() < 0.18:
            chronic.append(ChronicCondition.HYPERTENSION)
        if rng.random() < 0.08:
            chronic.append(ChronicCondition.DIABETES)
        if rng.random() < 0.02:
            chronic.append(ChronicCondition.KIDNEY)
    welfare = resident.id_kind == IdKind.THAI and age >= 18 and rng.random() < (0.21 if age < 60 else 0.36)
    barthel: int | None = None
    if age >= 60 and rng.random() < 0.88:
        weights = (90, 8, 2) if age < 70 else (80, 15, 5) if age < 80 else (58, 29, 13)
        group = rng.choices(("social", "home", "bed"), weights)[0]
        barthel = {"social": rng.randint(12, 20), "home": rng.randint(5, 11), "bed": rng.randint(0, 4)}[group]
        if group == "social" and rng.random() < 0.6:
            barthel = 20
    elif disability == DisabilityType.PHYSICAL:
        barthel = rng.randint(6, 20)
    if not (disability or chronic or welfare or barthel is not None or age >= 60):
        return None
    caregiver = None
    caregiver_name = caregiver_phone = ""
    if barthel is not None and barthel < 12:
        helpers = [
            r
            for r, p in zip(household, members, strict=True)
            if r is not resident and 18 <= p.age < 75 and r.status == ResidentStatus.ALIVE
        ]
        if helpers:
            caregiver = rng.choice(helpers)
        else:
            caregiver_name = f"{fake.first_name()} {fake.last_name()}"
            caregiver_phone = _phone(rng)
    notes = ""
    if ChronicCondition.KIDNEY in chronic and rng.random() < 0.3:
        notes = "ฟอกไตทางหลอดเลือด สัปดาห์ละ 3 ครั้ง"
    elif barthel is not None and barthel < 5:
        notes = "ผู้ป่วยติดเตียง ต้องใช้เปลหามหรือรถที่รับเตียงได้"
    return Vulnerability(
        resident=resident,
        disability_type=disability,
        disability_card_no=f"{resident.national_id}" if disability and resident.national_id else "",
        barthel_score=barthel,
        dependency=dependency_for(barthel),
        chronic_conditions=chronic,
        welfare_card=welfare,
        lives_alone=person.lives_alone,
        caregiver=caregiver,
        caregiver_name=caregiver_name,
        caregiver_phone=caregiver_phone,
        assessed_on=today - timedelta(days=rng.randint(0, 365)) if barthel is not None else None,
        notes=notes,
    )


def _build_accounts(fake: Faker, town: Municipality, communities: list[Community]) -> int:
    password = make_password(DEMO_PASSWORD)  # hashed once: the demo accounts share it
    existing = {u.username: u for u in User.objects.filter(username__in=[n for n, _ in DEMO_ACCOUNTS])}
    new_users = []
    for username, label in DEMO_ACCOUNTS:
        if username in existing:
            continue
        first, last = fake.first_name(), fake.last_name()
        new_users.append(
            User(
                username=username,
                password=password,
                first_name=first,
                last_name=last,
                display_name=f"{first} {last} ({label.split(' / ')[0]})",
                is_staff=username == "admin",
                is_superuser=username == "admin",
            )
        )
    for user in User.objects.bulk_create(new_users):
        existing[user.username] = user
    memberships = Membership.objects.bulk_create(
        [
            Membership(user=existing[username], municipality=town, role=_ACCOUNT_ROLES[username])
            for username, _ in DEMO_ACCOUNTS
        ]
    )
    volunteer = next(m for m in memberships if m.role == Role.VOLUNTEER)
    CommunityScope.objects.bulk_create(
        [
            CommunityScope(membership=volunteer, community=c)
            for c in communities
            if c.code in VOLUNTEER_COMMUNITIES
        ]
    )
    return len(memberships)
