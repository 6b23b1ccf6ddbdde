"""A classroom's documentation page on the demo town, and a 5 MB photo upload.

    uv run python -m thukkhon.childhood.bench [--rounds 30]

Builds the demo town and the early childhood demo in a throwaway SQLite database under var/, signs
in as the demo teacher and requests their classroom's documentation page (about 30 children, a
term of observations). Then posts an observation with a 5 MB photo and times the answer and the
background resize job separately.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import statistics
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=30)
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
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from PIL import Image

    from thukkhon.childhood.demo import build_childhood_demo
    from thukkhon.childhood.models import Media, Observation, TeacherAssignment
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
    client = Client()
    client.force_login(User.objects.get(username="teacher"))
    url = f"/childhood/classrooms/{room.pk}/"
    n_obs = Observation.objects.filter(classroom=room).count()
    print(f"classroom {room}: {room.enrolments.count()} children, {n_obs} observations")
    times = []
    for _ in range(args.rounds):
        start = time.perf_counter()
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    times.sort()
    p95 = times[max(0, round(0.95 * len(times)) - 1)]
    print(
        f"documentation page: p50 {statistics.median(times):.1f} ms, p95 {p95:.1f} ms, "
        f"max {times[-1]:.1f} ms, {len(ctx.captured_queries)} SQL, {len(response.content) // 1024} KiB"
    )
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


if __name__ == "__main__":
    main()
