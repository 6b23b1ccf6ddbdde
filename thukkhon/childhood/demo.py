"""Early childhood demo data on the demo town: 3 schools/centres, ~12 classrooms, ~300 children
(registry residents aged 2–6), a term of attendance and documentation with generated drawings
(never real children), 2 projects, consents and DSPM screening records.

    from thukkhon.childhood.demo import build_childhood_demo
    build_childhood_demo(town, seed=2566)

The demo accounts ``teacher`` and ``parent`` get the first classroom and a child in it.
"""

from __future__ import annotations

import io
import random
from datetime import date, timedelta
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw

from thukkhon.childhood.media import resized_versions
from thukkhon.childhood.models import (
    AtelierSession,
    Attendance,
    Centre,
    Classroom,
    DevelopmentCase,
    Enrolment,
    Guardianship,
    Indicator,
    IndicatorRating,
    Language,
    Media,
    Observation,
    ObservationChild,
    Project,
    ProjectPhase,
    Screening,
    SmallGroup,
    Standard,
    TeacherAssignment,
    Term,
)
from thukkhon.childhood.services import (
    STIMULATION_DAYS,
    academic_year_of,
    age_in_months,
    media_tag_all,
    term_for,
    terms_ensure,
)
from thukkhon.core.jobs import enqueue
from thukkhon.core.models import Consent, ConsentPurpose, Membership, Municipality, User
from thukkhon.core.roles import Role
from thukkhon.people.models import IdKind, Resident

CENTRES = [
    ("cdc", "ศูนย์พัฒนาเด็กเล็กเทศบาลเมืองลำพูน", "Lamphun Town Child Development Centre"),
    ("cdc", "ศูนย์พัฒนาเด็กเล็กวัดพระยืน", "Wat Phra Yuen Child Development Centre"),
    ("school", "โรงเรียนอนุบาลเทศบาลจามเทวี", "Chamadevi Municipal Kindergarten"),
]
ROOMS = [("เตรียมอนุบาล", "ห้องผีเสื้อ"), ("อนุบาล 1", "ห้องนกฮูก"), ("อนุบาล 2", "ห้องกระต่าย"), ("อนุบาล 3", "ห้องช้าง")]
TITLES = [
    ("เงาของเราไปไหน", "เงาตามเรามา", "light", "เงาหลับตอนกลางคืน"),
    ("ดินเหนียวกลายเป็นบ้าน", "ปั้นบ้านให้มด", "clay", "มดต้องมีประตูใหญ่"),
    ("ใบไม้หลายสี", "เก็บใบไม้ในสวน", "nature", "ใบนี้เหมือนมือเลย"),
    ("เสียงฝน", "ฟังเสียงฝนบนหลังคา", "music", "ฝนร้องเพลง"),
    ("สะพานบล็อก", "สร้างสะพานข้ามแม่น้ำ", "construction", "ต้องมีเสาเยอะ ๆ"),
    ("วาดครอบครัว", "วาดรูปคนที่บ้าน", "drawing", "นี่ยายหนู"),
    ("ระบายสีน้ำ", "สีผสมกันเป็นสีใหม่", "painting", "เหลืองกับฟ้าเป็นเขียว"),
    ("เต้นตามจังหวะกลอง", "เคลื่อนไหวเป็นสัตว์", "movement", "หนูเป็นช้าง"),
]
PALETTE = ["#f4a261", "#2a9d8f", "#e9c46a", "#e76f51", "#264653", "#8ab17d", "#b5838d", "#6d597a"]


def _drawing(rng: random.Random, n: int) -> bytes:
    """A child-like drawing made of shapes: suns, houses, trees, shadows. Never a photo of a person."""
    img = Image.new("RGB", (1600, 1200), rng.choice(["#fdf6e3", "#f1faee", "#fff8e7"]))
    d = ImageDraw.Draw(img)
    for _ in range(rng.randint(6, 14)):
        x, y = rng.randint(0, 1500), rng.randint(0, 1100)
        r = rng.randint(40, 260)
        color = rng.choice(PALETTE)
        kind = rng.random()
        if kind < 0.35:
            d.ellipse((x, y, x + r, y + r), fill=color)
        elif kind < 0.65:
            d.rectangle((x, y, x + r, y + r * 0.7), fill=color)
            d.polygon([(x - 10, y), (x + r / 2, y - r / 2), (x + r + 10, y)], fill=rng.choice(PALETTE))
        else:
            d.line(
                [(x, y), (x + rng.randint(-300, 300), y + rng.randint(-300, 300))],
                fill=color,
                width=rng.randint(8, 30),
            )
    d.ellipse((1300, 60, 1500, 260), fill="#ffd166")  # the sun every child draws
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=85)
    return buf.getvalue()


def _months_between(d: date, months: int) -> date:
    y, m = divmod(d.month - 1 + months, 12)
    return date(d.year + y, m + 1, min(d.day, 28))


@transaction.atomic
def build_childhood_demo(municipality: Municipality, seed: int = 2566, scale: float = 1.0) -> dict[str, Any]:
    """Build the early childhood demo on a town whose registry exists (see
    :func:`thukkhon.demo.town.build_demo`). Returns counts."""
    rng = random.Random(seed)
    today = timezone.localdate()
    term = term_for(municipality, today)
    if term.starts_on > today:  # before the term starts, document the one before
        term = term_for(municipality, term.starts_on - timedelta(days=60))
    year = term.academic_year
    terms_ensure(municipality=municipality, academic_year=academic_year_of(today))
    admin = User.objects.filter(memberships__municipality=municipality, memberships__role=Role.ADMIN).first()
    teacher_user = User.objects.filter(username="teacher").first()
    parent_user = User.objects.filter(username="parent").first()
    author = teacher_user or admin or User.objects.first()
    assert author is not None

    centres = [
        Centre.objects.create(municipality=municipality, kind=k, name_th=th, name_en=en)
        for k, th, en in CENTRES
    ]
    rooms = [
        Classroom.objects.create(
            municipality=municipality, centre=c, academic_year=year, name=name, level=level
        )
        for c in centres
        for level, name in ROOMS
    ]
    # children aged 2–6 on the first day of the term, by level
    lo, hi = _months_between(term.starts_on, -7 * 12), _months_between(term.starts_on, -2 * 12)
    pool = list(
        Resident.objects.filter(
            municipality=municipality, status="alive", birth_date__gt=lo, birth_date__lte=hi
        ).order_by("id")
    )
    rng.shuffle(pool)
    pool = pool[: max(12, round(300 * scale))]
    pool.sort(key=lambda r: r.birth_date or today, reverse=True)  # youngest first
    per_room: dict[int, list[Resident]] = {r.pk: [] for r in rooms}
    levels = [[r for r in rooms if r.level == level] for level, _ in ROOMS]
    for i, child in enumerate(pool):
        level_rooms = levels[min(3, i * 4 // len(pool))]
        per_room[level_rooms[i % len(level_rooms)].pk].append(child)
    Enrolment.objects.bulk_create(
        [
            Enrolment(municipality=municipality, classroom_id=room_id, child=c, enrolled_on=term.starts_on)
            for room_id, kids in per_room.items()
            for c in kids
        ]
    )
    # guardians from the household: parents, or grandparents when the child lives with them
    guardianships: list[Guardianship] = []
    household_ids = {c.household_id for c in pool if c.household_id}
    adults: dict[int, list[Resident]] = {}
    for r in Resident.objects.filter(
        household_id__in=household_ids, birth_date__lt=_months_between(today, -18 * 12)
    ):
        adults.setdefault(r.household_id or 0, []).append(r)
    for child in pool:
        for adult in adults.get(child.household_id or 0, [])[:2]:
            age = adult.age_on(today) or 40
            grand = age >= 50
            relation = (
                ("grandmother" if adult.sex == "female" else "grandfather")
                if grand
                else ("mother" if adult.sex == "female" else "father")
            )
            guardianships.append(
                Guardianship(
                    municipality=municipality,
                    child=child,
                    guardian=adult,
                    relation=relation,
                    phone=adult.phone,
                    is_primary=not guardianships or guardianships[-1].child_id != child.pk,
                )
            )
    Guardianship.objects.bulk_create(guardianships)
    first_room = rooms[5]  # อนุบาล 1 of the second centre: 3–4-year-olds
    if teacher_user:
        m = Membership.objects.filter(user=teacher_user, municipality=municipality, role=Role.TEACHER).first()
        if m:
            TeacherAssignment.objects.create(membership=m, classroom=first_room)
    if parent_user and per_room[first_room.pk]:
        m = Membership.objects.filter(user=parent_user, municipality=municipality, role=Role.PARENT).first()
        if m:
            Guardianship.objects.create(
                municipality=municipality,
                child=per_room[first_room.pk][0],
                membership=m,
                relation="mother",
                is_primary=True,
            )
    # consents: most families agree to portfolio photos, fewer to panels
    ct = ContentType.objects.get_for_model(Resident)
    consents = []
    for child in pool:
        for purpose, share in (
            (ConsentPurpose.PHOTO_PORTFOLIO, 0.85),
            (ConsentPurpose.PHOTO_PANEL, 0.7),
            (ConsentPurpose.PHOTO_PUBLIC, 0.3),
            (ConsentPurpose.TRANSITION_SUMMARY, 0.5),
        ):
            if rng.random() < share:
                consents.append(
                    Consent(
                        municipality=municipality,
                        subject_type=ct,
                        subject_id=child.pk,
                        purpose=purpose,
                        given_by_name="ผู้ปกครอง",
                        given_by_relation="ผู้ปกครอง",
                        given_at=timezone.now() - timedelta(days=rng.randint(30, 90)),
                        recorded_by=author,
                    )
                )
    Consent.objects.bulk_create(consents)
    # school days of the term so far (weekdays)
    end = min(today, term.ends_on)
    days = [term.starts_on + timedelta(days=i) for i in range((end - term.starts_on).days + 1)]
    days = [d for d in days if d.weekday() < 5]
    # attendance: a few children are often away
    attendance = []
    for room in rooms:
        for child in per_room[room.pk]:
            p_absent = rng.choice([0.03, 0.04, 0.05, 0.06, 0.15])
            for d in days:
                absent = rng.random() < p_absent
                attendance.append(
                    Attendance(
                        municipality=municipality,
                        classroom=room,
                        child=child,
                        day=d,
                        status="absent" if absent else ("late" if rng.random() < 0.03 else "present"),
                        reason=rng.choice(["sick", "family", "transport", "unknown"]) if absent else "",
                        recorded_by=author,
                    )
                )
    Attendance.objects.bulk_create(attendance, batch_size=5000)
    # drawings, stored once and shared by many media rows
    images = []
    for n in range(16):
        data = _drawing(rng, n)
        web, thumb, size = resized_versions(data)
        images.append(
            (
                default_storage.save(f"childhood/demo/{seed}-{n}.jpg", ContentFile(data)),
                default_storage.save(f"childhood/demo/{seed}-{n}-web.jpg", web),
                default_storage.save(f"childhood/demo/{seed}-{n}-thumb.jpg", thumb),
                size,
            )
        )
    standards = list(Standard.objects.filter(framework__code="2560"))
    observations, links, media_rows, obs_standards = [], [], [], []
    projects = []
    for k, room in enumerate([first_room, rooms[1]]):
        title, _desc, _lang, quote = TITLES[k]
        project = Project.objects.create(
            municipality=municipality,
            classroom=room,
            title=title,
            provocation=f"เด็ก ๆ ถามว่า “{quote}” จริงไหม" if k else "เด็ก ๆ ถามว่า “เงาไปไหนตอนกลางคืน”",
            hypotheses="เงาหลับอยู่ใต้เตียง · เงากลัวความมืด · ดวงอาทิตย์พาเงาไป" if not k else "มดชอบบ้านที่มีหลังคา",
            materials="ไฟฉาย โปรเจกเตอร์ ผ้าขาว กระดาษแก้ว" if not k else "ดินเหนียว กิ่งไม้ ใบไม้",
            started_on=term.starts_on + timedelta(days=14),
            created_by=author,
        )
        for j, phase in enumerate(["คำถามของเด็ก", "ทดลองกับแสง", "สร้างโรงละครเงา", "เล่าให้ครอบครัวฟัง"]):
            ProjectPhase.objects.create(
                project=project, title=phase, starts_on=project.started_on + timedelta(days=14 * j)
            )
        kids = per_room[room.pk]
        groups = []
        for g in range(3):
            grp = SmallGroup.objects.create(project=project, name=f"กลุ่ม {g + 1}")
            grp.children.set(kids[g::3][:6])
            groups.append(grp)
        for j in range(6):
            AtelierSession.objects.create(
                project=project,
                group=groups[j % 3],
                day=project.started_on + timedelta(days=7 * j),
                materials=project.materials.split(" ")[j % 3],
                is_revisit=j % 3 == 2,
            )
        projects.append(project)
    project_of_room = {p.classroom_id: p for p in projects}
    for room in rooms:
        kids = per_room[room.pk]
        if not kids:
            continue
        often = set(rng.sample([c.pk for c in kids], max(1, len(kids) * 2 // 3)))
        for d in days:
            for _ in range(rng.choice([1, 1, 2])):
                t = rng.choice(TITLES)
                weights = [3 if c.pk in often else 1 for c in kids]
                chosen = {c.pk for c in rng.choices(kids, weights=weights, k=rng.randint(1, 4))}
                obs = Observation(
                    municipality=municipality,
                    classroom=room,
                    observed_on=d,
                    author=author,
                    title=t[0],
                    description=t[1],
                    interpretation="เด็กสร้างทฤษฎีของตัวเองและทดลองซ้ำ ครูจะนำภาพกลับมาให้เด็กดูอีกครั้ง",
                    languages=[t[2], rng.choice(Language.values)],
                    visibility="family" if rng.random() < 0.6 else "team",
                    project=project_of_room.get(room.pk) if rng.random() < 0.3 else None,
                )
                observations.append((obs, chosen, t[3]))
    Observation.objects.bulk_create([o for o, _c, _q in observations], batch_size=2000)
    for obs, chosen, quote in observations:
        for cid in chosen:
            links.append(
                ObservationChild(observation=obs, child_id=cid, quote=quote if rng.random() < 0.4 else "")
            )
        if rng.random() < 0.7:
            media_rows.append(_photo(municipality, obs, rng.choice(images)))
        obs_standards.append(
            Observation.standards.through(observation_id=obs.pk, standard_id=rng.choice(standards).pk)
        )
    ObservationChild.objects.bulk_create(links, batch_size=5000)
    Media.objects.bulk_create(media_rows, batch_size=5000)
    media_tag_all(m.pk for m in media_rows)
    Observation.standards.through.objects.bulk_create(obs_standards, batch_size=5000)
    ratings = _last_term_ratings(rng, municipality, term, rooms, per_room, author, standards, images)
    # DSPM: first screens at the last age band reached, some suspected delays and their loop
    screened = 0
    for child in pool:
        if child.birth_date is None or rng.random() < 0.2:
            continue
        months = age_in_months(child.birth_date, today)
        bands = [b for b in (9, 18, 30, 42, 60) if b <= months]
        if not bands:
            continue
        band = bands[-1]
        on = min(today - timedelta(days=45), _months_between(child.birth_date, band) + timedelta(days=10))
        fail = rng.random() < 0.18
        result = {d: not (fail and rng.random() < 0.5) for d in ("gm", "fm", "rl", "el", "ps")}
        if fail and all(result.values()):
            result["el"] = False
        s = Screening.objects.create(
            municipality=municipality,
            child=child,
            age_band=band,
            screened_on=on,
            screened_by=author,
            **result,
        )
        screened += 1
        if not s.passed:
            case = DevelopmentCase.objects.create(
                municipality=municipality,
                child=child,
                screening=s,
                domains=s.failed_domains(),
                plan="ฝึกกิจกรรมตามคู่มือ DSPM ที่บ้านทุกวัน",
                opened_on=on,
                rescreen_due_on=on + timedelta(days=STIMULATION_DAYS),
            )
            if rng.random() < 0.7:
                again = rng.random() < 0.7
                rs = Screening.objects.create(
                    municipality=municipality,
                    child=child,
                    age_band=band,
                    is_rescreen=True,
                    screened_on=case.rescreen_due_on,
                    screened_by=author,
                    gm=True,
                    fm=True,
                    rl=again or result["rl"],
                    el=again,
                    ps=True,
                )
                case.rescreen = rs
                if rs.passed:
                    case.stage, case.closed_on, case.outcome = "closed", rs.screened_on, "ผ่านหลังการกระตุ้น"
                else:
                    case.stage, case.referred_on = "referred", rs.screened_on
                    case.referred_to = "โรงพยาบาลลำพูน (TEDA4I)"
                    case.reassess_due_on = rs.screened_on + timedelta(days=90)
                case.save()
    # the day's DSPM reminders, through the job (written after the demo commits)
    reminders = enqueue(
        municipality=municipality,
        kind="childhood.dspm_reminders",
        params={"day": today.isoformat()},
        user=author,
    )
    return {
        "centres": len(centres),
        "ratings": ratings,
        "reminders_job": reminders.pk,
        "classrooms": len(rooms),
        "children": len(pool),
        "observations": len(observations),
        "media": len(media_rows),
        "attendance": len(attendance),
        "screenings": screened,
        "projects": len(projects),
        "migrant_children": sum(c.id_kind != IdKind.THAI for c in pool),
    }


def _previous_term(municipality: Municipality, term: Term) -> Term:
    if term.number == 2:
        return terms_ensure(municipality=municipality, academic_year=term.academic_year)[0]
    return terms_ensure(municipality=municipality, academic_year=term.academic_year - 1)[1]


def _photo(
    municipality: Municipality, obs: Observation, image: tuple[str, str, str, tuple[int, int]]
) -> Media:
    """A ready demo photo of ``obs`` from one of the generated drawings."""
    original, web, thumb, (width, height) = image
    return Media(
        municipality=municipality,
        observation=obs,
        kind="photo",
        content_type="image/jpeg",
        original=original,
        web=web,
        thumb=thumb,
        name="drawing.jpg",
        size=0,
        width=width,
        height=height,
        state="ready",
    )


def _last_term_ratings(
    rng: random.Random,
    municipality: Municipality,
    term: Term,
    rooms: list[Classroom],
    per_room: dict[int, list[Resident]],
    author: User,
    standards: list[Standard],
    images: list[tuple[str, str, str, tuple[int, int]]],
) -> int:
    """Last term: a lighter documentation (one observation a school day per room) and the
    end-of-term ratings of every indicator of the twelve standards (the standards' ratings follow
    from them), each with an observation as evidence."""
    last = _previous_term(municipality, term)
    days = [
        last.starts_on + timedelta(days=i)
        for i in range((last.ends_on - last.starts_on).days + 1)
        if (last.starts_on + timedelta(days=i)).weekday() < 5
    ]
    planned: list[tuple[Observation, set[int], Standard]] = []
    for room in rooms:
        kids = per_room[room.pk]
        if not kids:
            continue
        for d in days:
            t = rng.choice(TITLES)
            std = rng.choice(standards)
            obs = Observation(
                municipality=municipality,
                classroom=room,
                observed_on=d,
                author=author,
                title=t[0],
                description=t[1],
                languages=[t[2]],
                visibility="family" if rng.random() < 0.6 else "team",
            )
            planned.append((obs, {c.pk for c in rng.sample(kids, min(len(kids), rng.randint(1, 4)))}, std))
    Observation.objects.bulk_create([o for o, _c, _s in planned], batch_size=2000)
    indicators: dict[int, list[Indicator]] = {}
    for ind in Indicator.objects.filter(standard__in=standards).order_by("id"):
        indicators.setdefault(ind.standard_id, []).append(ind)
    links, tags, indicator_tags, media = [], [], [], []
    evidence_pool: dict[tuple[int, int], list[int]] = {}
    any_of_child: dict[int, list[int]] = {}
    for obs, chosen, std in planned:
        tags.append(Observation.standards.through(observation_id=obs.pk, standard_id=std.pk))
        if indicators.get(std.pk):
            indicator_tags.append(
                Observation.indicators.through(
                    observation_id=obs.pk, indicator_id=rng.choice(indicators[std.pk]).pk
                )
            )
        for cid in chosen:
            links.append(ObservationChild(observation=obs, child_id=cid))
            evidence_pool.setdefault((cid, std.pk), []).append(obs.pk)
            any_of_child.setdefault(cid, []).append(obs.pk)
        if rng.random() < 0.5:
            media.append(_photo(municipality, obs, rng.choice(images)))
    ObservationChild.objects.bulk_create(links, batch_size=5000)
    Observation.standards.through.objects.bulk_create(tags, batch_size=5000)
    Observation.indicators.through.objects.bulk_create(indicator_tags, batch_size=5000)
    Media.objects.bulk_create(media, batch_size=5000)
    media_tag_all(m.pk for m in media)
    ratings: list[IndicatorRating] = []
    evidence: list[list[int]] = []
    for room in rooms:
        for child in per_room[room.pk]:
            lean = rng.choice([0.0, 0.0, 0.1, 0.25])  # a few children need more support
            for std in standards:
                pool = evidence_pool.get((child.pk, std.pk)) or any_of_child.get(child.pk, [])
                for ind in indicators.get(std.pk, []):
                    r = rng.random()
                    score = 1 if r < 0.08 + lean else (2 if r < 0.45 + lean else 3)
                    ratings.append(
                        IndicatorRating(
                            municipality=municipality,
                            child=child,
                            classroom=room,
                            term=last,
                            indicator=ind,
                            score=score,
                            rated_by=author,
                        )
                    )
                    evidence.append(rng.sample(pool, min(1, len(pool))))
    IndicatorRating.objects.bulk_create(ratings, batch_size=5000)
    through = IndicatorRating.evidence.through
    through.objects.bulk_create(
        [
            through(indicatorrating_id=r.pk, observation_id=o)
            for r, ids in zip(ratings, evidence, strict=True)
            for o in ids
        ],
        batch_size=5000,
    )
    return len(ratings)
