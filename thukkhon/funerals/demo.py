"""Demo data for funeral assistance: the Ban Luai crematorium (ฌาปนสถานบ้านหลวย) with one
double-chamber cremator, the MoPH COVID-19 protocol, and synthetic cases from the 2021 wave.

Everything goes through the services, as staff would do it: cases, slot bookings, signed protocol
steps (a few overridden, with a reason), cremation, ashes handover, receipts. The same seed gives
the same cases. Nobody real: the deceased are the demo town's invented elderly residents.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction

from thukkhon.core.actor import Actor, actor_for
from thukkhon.core.models import Membership, Municipality, User
from thukkhon.core.roles import Role
from thukkhon.funerals import services
from thukkhon.funerals.models import Cremator, Crematorium, FuneralCase
from thukkhon.funerals.protocol import protocol_template_seed
from thukkhon.people.models import Place, PlaceKind, Resident, ResidentStatus

BKK = ZoneInfo("Asia/Bangkok")
BAN_LUAI = "ฌาปนสถานบ้านหลวย"
BAN_LUAI_LAT, BAN_LUAI_LON = Decimal("18.566400"), Decimal("99.027300")
WAVE_START, WAVE_END = date(2021, 7, 1), date(2021, 9, 30)
HOSPITALS = ("โรงพยาบาลลำพูน", "โรงพยาบาลสนามจังหวัดลำพูน", "บ้านพัก")
HANDLERS = ("นายประเสริฐ ใจมั่น", "นายสมบัติ คำแก้ว", "นางสาวพรทิพย์ อินต๊ะ", "นายวิชัย ปัญญา")


def _officer(municipality: Municipality) -> Actor:
    membership = (
        Membership.objects.filter(municipality=municipality, role=Role.FUNERAL, is_active=True)
        .select_related("user")
        .order_by("id")
        .first()
    )
    if membership is None:
        user, _created = User.objects.get_or_create(
            username=f"funeral-demo-{municipality.code}"[:150],
            defaults={"display_name": "เจ้าหน้าที่ฌาปนกิจ (ตัวอย่าง)", "language": "th"},
        )
        if _created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        membership = Membership.objects.create(user=user, municipality=municipality, role=Role.FUNERAL)
    actor = actor_for(membership.user, municipality.pk)
    assert actor is not None
    return actor


def build_ban_luai(municipality: Municipality) -> Cremator:
    """The Ban Luai crematorium with its coffin rail and one double-chamber cremator (idempotent)."""
    place = Place.objects.filter(
        municipality=municipality, kind=PlaceKind.CREMATORIUM, name_th=BAN_LUAI
    ).first()
    if place is None:
        place = Place.objects.create(
            municipality=municipality,
            kind=PlaceKind.CREMATORIUM,
            name_th=BAN_LUAI,
            name_en="Ban Luai crematorium",
            latitude=BAN_LUAI_LAT,
            longitude=BAN_LUAI_LON,
        )
    crematorium, _created = Crematorium.objects.get_or_create(
        municipality=municipality,
        name_th=BAN_LUAI,
        defaults={
            "name_en": "Ban Luai crematorium",
            "place": place,
            "day_starts": time(8, 0),
            "day_ends": time(18, 0),
            "has_coffin_rail": True,
        },
    )
    cremator, _created = Cremator.objects.get_or_create(
        municipality=municipality,
        crematorium=crematorium,
        name="เตาเผาสองห้องเผา",
        defaults={"chambers": 2, "capacity_per_day": 3, "slot_minutes": 120, "cooldown_minutes": 60},
    )
    return cremator


def _first_free_slot(cremator: Cremator, after: datetime) -> datetime:
    day = after.astimezone(BKK).date()
    for _ in range(30):
        for slot in services.free_slots(cremator, day):
            if slot >= after:
                return slot
        day += timedelta(days=1)
    raise RuntimeError("no free slot in 30 days")


@transaction.atomic
def build_funeral_demo(municipality: Municipality, seed: int = 2564, cases: int = 36) -> dict[str, Any]:
    """Ban Luai crematorium and ``cases`` synthetic deaths of the 2021 wave (about three in four of
    COVID-19), each carried through booking, protocol, cremation, ashes and fees. Idempotent: a
    municipality that already has funeral cases gets only the crematorium."""
    rng = random.Random(seed)
    cremator = build_ban_luai(municipality)
    protocol_template_seed(municipality)
    services.settings_for(municipality.pk)
    if FuneralCase.objects.filter(municipality=municipality).exists():
        return {"crematorium": cremator.crematorium_id, "cases": 0}
    actor = _officer(municipality)
    elderly = list(
        Resident.objects.filter(
            municipality=municipality, status=ResidentStatus.ALIVE, birth_date__lt=date(1961, 7, 1)
        ).order_by("id")
    )
    chosen = rng.sample(elderly, min(cases, len(elderly)))
    span = (WAVE_END - WAVE_START).days
    deaths = sorted(
        (
            datetime.combine(
                WAVE_START + timedelta(days=rng.randrange(span)), time(rng.randrange(0, 12)), tzinfo=BKK
            )
            + timedelta(minutes=rng.choice((0, 15, 30, 45))),
            resident,
        )
        for resident in chosen
    )
    made = 0
    for died_at, resident in deaths:
        covid = rng.random() < 0.75
        relatives = (
            [
                r
                for r in Resident.objects.filter(household_id=resident.household_id).exclude(pk=resident.pk)[
                    :2
                ]
            ]
            if resident.household_id
            else []
        )
        informant = relatives[0].full_name if relatives else "ญาติผู้เสียชีวิต"
        data = services.CaseData(
            deceased=resident,
            deceased_name="",
            died_at=died_at,
            place_of_death=rng.choice(HOSPITALS),
            cause="infectious" if covid else rng.choice(("natural", "natural", "accident")),
            disease="covid19" if covid else "",
            certificate_no=f"{rng.randrange(1000, 9999)}/2564",
            certificate_issuer="โรงพยาบาลลำพูน",
            registration_no=f"ล{rng.randrange(100, 999)}/2564",
            registered_at=died_at + timedelta(hours=rng.choice((3, 5, 8, 20))),
            informant_name=informant,
            informant_relation="ญาติ",
            informant_phone=relatives[0].phone if relatives else "",
            basic_needs_poor=rng.random() < 0.15,
            relatives=[services.RelativeData(name=r.full_name, phone=r.phone) for r in relatives[1:]],
        )
        case = services.case_create(actor=actor, data=data, now=died_at + timedelta(hours=24))
        if case.disposition != "cremation":
            continue
        slot = _first_free_slot(cremator, died_at + timedelta(hours=3))
        services.cremation_book(actor=actor, case=case, cremator=cremator, starts_at=slot)
        override = ""
        for step in case.protocol_steps.order_by("order"):
            if rng.random() < 0.04:
                override = "ทีมปฏิบัติงานครบทุกขั้นตอน ลงนามไม่ทันก่อนเผา บันทึกย้อนหลังไม่ได้"
                continue
            services.protocol_step_sign(
                actor=actor,
                step=step,
                handler_name=rng.choice(HANDLERS),
                at=min(died_at + timedelta(minutes=30 * step.order), slot + timedelta(minutes=90)),
            )
        done_at = slot + timedelta(minutes=90)
        services.case_mark_done(actor=actor, case=case, at=done_at, override_reason=override, now=done_at)
        handed = datetime.combine(done_at.astimezone(BKK).date() + timedelta(days=1), time(9), tzinfo=BKK)
        if relatives and relatives[0].national_id:
            services.ashes_handover(
                actor=actor,
                case=case,
                to_name=relatives[0].full_name,
                to_id_number=relatives[0].national_id,
                relation="ญาติ",
                signature_name=relatives[0].full_name,
                handed_at=handed,
                now=handed,
            )
        case.refresh_from_db()
        if case.fee > 0 and not case.fee_waived:
            services.receipt_issue(actor=actor, case=case, payer_name=case.informant_name, at=done_at)
        made += 1
    return {"crematorium": cremator.crematorium_id, "cremator": cremator.pk, "cases": made}
