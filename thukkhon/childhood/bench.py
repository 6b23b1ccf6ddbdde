"""A classroom's documentation page, a child's page and a project's page at the target size, and a
5 MB photo upload.

    uv run python -m thukkhon.childhood.bench [--rounds 30] [--children 30] [--weeks 18] [--per-week 5]

Builds the demo town and the early childhood demo in a throwaway SQLite database under var/, then
brings the demo teacher's classroom to the target size: 30 children, and last term (a whole term)
documented with at least 18 weeks × 5 observations (1–4 children each, 70 % with a photo, own
words; a third of them in one project; each tagged with a standard and one of its indicators),
with the register taken every school day and every indicator rated for every child. Signs in as
the teacher and requests the classroom's documentation page for that term, the page of the child
seen most that term, and the project's page. Then posts an observation with a 5 MB photo and
times the answer and the background resize job separately.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import statistics
import time
from pathlib import Path
from typing import Any


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--children", type=int, default=30)
    parser.add_argument("--weeks", type=int, default=18)
    parser.add_argument("--per-week", type=int, default=5)
    args = parser.parse_args()
    db = Path("var/bench-childhood.sqlite3")
    db.parent.mkdir(exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{db.resolve()}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "thukkhon.settings")
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ["MEDIA_ROOT"] = str(Path("var/bench-media").resolve())
    import django

    django.setup()
    from django.conf import settings
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.db.models import Count
    from django.test import Client
    from PIL import Image

    from thukkhon.childhood.demo import build_childhood_demo
    from thukkhon.childhood.models import Media, Observation, ObservationChild, Project, TeacherAssignment
    from thukkhon.core.jobs import run_job
    from thukkhon.core.models import Job, User
    from thukkhon.demo.town import build_demo

    call_command("migrate", verbosity=0)
    t0 = time.perf_counter()
    town = build_demo()
    t1 = time.perf_counter()
    counts = build_childhood_demo(town, seed=2566)
    print(f"demo town {t1 - t0:.1f} s, childhood demo {time.perf_counter() - t1:.1f} s: {counts}")
    room = TeacherAssignment.objects.get(membership__user__username="teacher").classroom
    term = _fill_classroom(room, children=args.children, weeks=args.weeks, per_week=args.per_week)
    client = Client()
    client.force_login(User.objects.get(username="teacher"))
    url = f"/childhood/classrooms/{room.pk}/?day={term.starts_on.isoformat()}"
    n_obs = Observation.objects.filter(
        classroom=room, observed_on__range=(term.starts_on, term.ends_on)
    ).count()
    n_media = Media.objects.filter(
        observation__classroom=room, observation__observed_on__range=(term.starts_on, term.ends_on)
    ).count()
    print(
        f"classroom {room}: {room.enrolments.filter(left_on__isnull=True).count()} children; "
        f"term {term}: {n_obs} observations, {n_media} photos"
    )
    _report("documentation page", client, url, args.rounds)
    child_id, n_child = (
        ObservationChild.objects.filter(
            observation__classroom=room, observation__observed_on__range=(term.starts_on, term.ends_on)
        )
        .values_list("child_id")
        .annotate(n=Count("id"))
        .order_by("-n", "child_id")
        .first()
    ) or (None, 0)
    print(f"child {child_id}: {n_child} observations this term")
    _report("child page", client, f"/childhood/children/{child_id}/", args.rounds)
    project = Project.objects.filter(classroom=room).annotate(n=Count("observations")).order_by("-n").first()
    assert project is not None
    print(f"project {project.pk}: {project.n} observations")  # type: ignore[attr-defined]
    _report("project page", client, f"/childhood/projects/{project.pk}/", args.rounds)
    # a 5 MB phone photo: accepted at once, resized by the job afterwards
    rng = random.Random(1)
    img = Image.frombytes("RGB", (4000, 3000), rng.randbytes(4000 * 3000 * 3))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=40)
    data = buf.getvalue()
    settings.THUKKHON_JOBS_INLINE = False
    from unittest import mock

    child = room.enrolments.first().child  # type: ignore[union-attr]
    with mock.patch("thukkhon.core.jobs._dispatch"):  # time the answer alone, run the job below
        start = time.perf_counter()
        response = client.post(
            f"/childhood/classrooms/{room.pk}/observations/new/",
            {
                "observed_on": "01/06/2568",
                "title": "bench",
                "children": [str(child.pk)],
                "visibility": "team",
                "attachments": [SimpleUploadedFile("phone.jpg", data, "image/jpeg")],
            },
        )
        answer = (time.perf_counter() - start) * 1000
    assert response.status_code == 302, response.status_code
    job = Job.objects.filter(kind="childhood.resize_media").latest("id")
    start = time.perf_counter()
    run_job(job.pk)
    resize = (time.perf_counter() - start) * 1000
    media = Media.objects.latest("id")
    print(
        f"5 MB photo ({len(data) / 1e6:.1f} MB, 4000×3000): answered in {answer:.0f} ms; "
        f"resize job {resize:.0f} ms → {media.state}, "
        f"web {media.web.size // 1024} KiB, thumb {media.thumb.size // 1024} KiB"
    )


def _report(label: str, client: Any, url: str, rounds: int) -> None:
    """GET ``url`` ``rounds`` times after one warm-up request; print p50 / p95 / max, queries, size."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm up (templates, translations)
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    times.sort()
    p95 = times[max(0, round(0.95 * len(times)) - 1)]
    print(
        f"{label}: p50 {statistics.median(times):.1f} ms, p95 {p95:.1f} ms, "
        f"max {times[-1]:.1f} ms, {len(ctx.captured_queries)} SQL, {len(response.content) // 1024} KiB"
    )


def _fill_classroom(room: Any, *, children: int, weeks: int, per_week: int) -> Any:
    """Bring ``room`` to the target: ``children`` enrolled, last term documented with at least
    ``weeks × per_week`` observations and the register taken every school day."""
    from datetime import timedelta

    from django.utils import timezone

    from thukkhon.childhood.demo import _previous_term
    from thukkhon.childhood.models import (
        Attendance,
        Enrolment,
        Indicator,
        IndicatorRating,
        Media,
        Observation,
        ObservationChild,
        Project,
        Standard,
    )
    from thukkhon.childhood.services import media_tag_all, term_for
    from thukkhon.people.models import Resident

    rng = random.Random(7)
    muni = room.municipality
    term = _previous_term(muni, term_for(muni, timezone.localdate()))
    enrolled = set(room.enrolments.filter(left_on__isnull=True).values_list("child_id", flat=True))
    if len(enrolled) < children:
        born = room.enrolments.select_related("child").first().child.birth_date
        extra = (
            Resident.objects.filter(
                municipality=muni,
                status="alive",
                birth_date__range=(born - timedelta(days=200), born + timedelta(days=200)),
            )
            .exclude(enrolments__isnull=False)
            .order_by("id")[: children - len(enrolled)]
        )
        Enrolment.objects.bulk_create(
            [Enrolment(municipality=muni, classroom=room, child=c, enrolled_on=term.starts_on) for c in extra]
        )
    kids = list(room.enrolments.filter(left_on__isnull=True).values_list("child_id", flat=True))
    author = Observation.objects.filter(classroom=room).first().author  # type: ignore[union-attr]
    days = [
        term.starts_on + timedelta(days=i)
        for i in range((term.ends_on - term.starts_on).days + 1)
        if (term.starts_on + timedelta(days=i)).weekday() < 5
    ]
    Attendance.objects.filter(classroom=room, day__range=(term.starts_on, term.ends_on)).delete()
    Attendance.objects.bulk_create(
        [
            Attendance(
                municipality=muni,
                classroom=room,
                child_id=c,
                day=d,
                status="absent" if rng.random() < 0.06 else "present",
                reason="sick",
                recorded_by=author,
            )
            for d in days
            for c in kids
        ],
        batch_size=5000,
    )
    have = Observation.objects.filter(
        classroom=room, observed_on__range=(term.starts_on, term.ends_on)
    ).count()
    need = max(0, weeks * per_week - have)
    sample = Media.objects.filter(kind="photo").first()
    standards = list(Standard.objects.filter(framework__is_current=True))
    indicators = list(Indicator.objects.filter(standard__framework__is_current=True))
    project = Project.objects.create(
        municipality=muni,
        classroom=room,
        title="สะพานข้ามแม่ปิง",
        provocation="รถข้ามแม่น้ำได้อย่างไร",
        started_on=term.starts_on,
        created_by=author,
    )
    new = [
        Observation(
            municipality=muni,
            classroom=room,
            observed_on=rng.choice(days[: weeks * 5]),
            author=author,
            title="สะพานบล็อก",
            description="สร้างสะพานข้ามแม่น้ำ",
            languages=["construction"],
            visibility="family",
        )
        for _ in range(need)
    ]
    Observation.objects.bulk_create(new)
    links, media, tags, indicator_tags = [], [], [], []
    for obs in new:
        for c in rng.sample(kids, rng.randint(1, 4)):
            links.append(
                ObservationChild(
                    observation=obs, child_id=c, quote="ต้องมีเสาเยอะ ๆ" if rng.random() < 0.4 else ""
                )
            )
        std = rng.choice(standards)
        tags.append(Observation.standards.through(observation_id=obs.pk, standard_id=std.pk))
        indicator_tags.append(
            Observation.indicators.through(
                observation_id=obs.pk,
                indicator_id=rng.choice([i for i in indicators if i.standard_id == std.pk]).pk,
            )
        )
        if sample is not None and rng.random() < 0.7:
            media.append(
                Media(
                    municipality=muni,
                    observation=obs,
                    kind="photo",
                    content_type="image/jpeg",
                    original=sample.original.name,
                    web=sample.web.name,
                    thumb=sample.thumb.name,
                    state="ready",
                )
            )
    ObservationChild.objects.bulk_create(links)
    Media.objects.bulk_create(media)
    media_tag_all(m.pk for m in media)
    Observation.standards.through.objects.bulk_create(tags)
    Observation.indicators.through.objects.bulk_create(indicator_tags)
    # a third of the term's observations belong to the project; each observation shows one
    # indicator of a standard it is tagged with
    of_term = Observation.objects.filter(classroom=room, observed_on__range=(term.starts_on, term.ends_on))
    ids = list(of_term.order_by("id").values_list("id", flat=True))
    Observation.objects.filter(pk__in=ids[::3]).update(project=project)
    more_tags = []
    for obs in of_term.filter(indicators__isnull=True).prefetch_related("standards"):
        std_id = next((s.pk for s in obs.standards.all()), rng.choice(standards).pk)
        choice = rng.choice([i for i in indicators if i.standard_id == std_id])
        more_tags.append(Observation.indicators.through(observation_id=obs.pk, indicator_id=choice.pk))
    Observation.indicators.through.objects.bulk_create(more_tags)
    IndicatorRating.objects.filter(classroom=room, term=term).delete()
    IndicatorRating.objects.bulk_create(
        [
            IndicatorRating(
                municipality=muni,
                child_id=c,
                classroom=room,
                term=term,
                indicator=i,
                score=rng.choice((1, 2, 2, 3, 3, 3)),
                rated_by=author,
            )
            for c in kids
            for i in indicators
        ],
        batch_size=5000,
    )
    return term


if __name__ == "__main__":
    main()
