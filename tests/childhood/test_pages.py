"""The child and project pages do not grow their queries with the data; a day that is not a date
is refused with a message, never silently replaced by today."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import translation

from thukkhon.childhood import services
from thukkhon.childhood.models import (
    Attendance,
    Media,
    Observation,
    ObservationChild,
    Project,
    ProjectPhase,
    Rating,
    SmallGroup,
    Standard,
)
from thukkhon.childhood.selectors import terms_of

pytestmark = pytest.mark.django_db


def _observations(school, n, *, project=None, start=0):  # type: ignore[no-untyped-def]
    """``n`` observations of a1 (with a2 and a3 in every other one), each tagged, quoted and with a
    photo row, as a term of documentation looks."""
    std = Standard.objects.filter(framework__is_current=True).order_by("number")
    out = []
    for k in range(start, start + n):
        obs = Observation.objects.create(
            municipality=school.muni,
            classroom=school.room_a,
            project=project,
            observed_on=date.today() - timedelta(days=k % 60),
            author=school.teacher,
            title=f"บันทึก {k}",
            visibility="family" if k % 2 else "team",
        )
        ObservationChild.objects.create(observation=obs, child=school.a1, quote="ต้องมีเสาเยอะ ๆ")
        if k % 2:
            ObservationChild.objects.create(observation=obs, child=school.a2)
            ObservationChild.objects.create(observation=obs, child=school.a3, quote="น้ำไหล")
        obs.standards.set([std[k % 12]])
        obs.indicators.set([std[k % 12].indicators.first()])
        Media.objects.create(
            municipality=school.muni,
            observation=obs,
            kind="photo",
            content_type="image/jpeg",
            original=f"childhood/original/p{k}.jpg",
            state="ready",
        )
        out.append(obs)
    return out


def _rate(school, observations):  # type: ignore[no-untyped-def]
    """Ratings of a1 in every term with evidence: standards 1–6 by their indicators, 7–12 directly."""
    actor = school.actor(school.teacher)
    for term in terms_of(school.room_a):
        stds = list(Standard.objects.filter(framework__is_current=True).order_by("number"))
        services.indicator_ratings_record(
            actor=actor,
            classroom=school.room_a,
            term=term,
            entries=[
                services.IndicatorEntry(
                    child_id=school.a1.pk, indicator_id=i.pk, score=2, evidence_ids=(observations[0].pk,)
                )
                for s in stds[:6]
                for i in s.indicators.all()
            ],
        )
        services.ratings_record(
            actor=actor,
            classroom=school.room_a,
            term=term,
            entries=[
                services.RatingEntry(
                    child_id=school.a1.pk, standard_id=s.pk, score=3, evidence_ids=(observations[-1].pk,)
                )
                for s in stds[6:]
            ],
        )


def _queries(client, url, django_assert_max_num_queries):  # type: ignore[no-untyped-def]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # the session's first request reads more than the next ones
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx), response


def test_child_page_queries_do_not_grow_with_observations(client, school, django_assert_num_queries):
    client.force_login(school.teacher)
    url = reverse("childhood:child", args=[school.a1.pk])
    first = _observations(school, 5)
    _rate(school, first)
    n5, page = _queries(client, url, None)
    assert page.content.decode().count('class="card obs"') == 5
    assert len(page.context["ratings"]) == 2 * 12  # two terms × twelve standards
    _observations(school, 20, start=5)
    with django_assert_num_queries(n5):
        page = client.get(url)
    assert page.content.decode().count('class="card obs"') == 25
    assert n5 <= 20, n5


def test_project_page_queries_do_not_grow_with_observations(client, school, django_assert_num_queries):
    client.force_login(school.teacher)
    project = Project.objects.create(
        municipality=school.muni,
        classroom=school.room_a,
        title="สะพาน",
        provocation="ข้ามแม่น้ำได้อย่างไร",
        started_on=date.today() - timedelta(days=30),
        created_by=school.teacher,
    )
    ProjectPhase.objects.create(project=project, title="สำรวจ", starts_on=date.today() - timedelta(days=30))
    for name in ("กลุ่มช้าง", "กลุ่มม้า"):
        group = SmallGroup.objects.create(project=project, name=name)
        group.children.set([school.a1, school.a2])
    url = reverse("childhood:project", args=[project.pk])
    _observations(school, 5, project=project)
    n5, page = _queries(client, url, None)
    assert page.content.decode().count('class="card obs"') == 5
    _observations(school, 20, project=project, start=5)
    with django_assert_num_queries(n5):
        page = client.get(url)
    assert page.content.decode().count('class="card obs"') == 25
    assert n5 <= 20, n5


# --- a day that is not a date --------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["classroom", "attendance"])
def test_a_bad_day_in_the_address_is_a_400_with_the_value_not_today(client, school, name):
    client.force_login(school.teacher)
    url = reverse(f"childhood:{name}", args=[school.room_a.pk])
    with translation.override("th"):
        page = client.get(url, {"day": "31/02/2569"}, HTTP_ACCEPT_LANGUAGE="th")
        nonsense = client.get(url, {"day": "พรุ่งนี้"}, HTTP_ACCEPT_LANGUAGE="th")
    assert page.status_code == 400
    text = page.content.decode()
    assert "วันที่ไม่ถูกต้อง: “31/02/2569”" in text
    assert "ไม่มีวันที่ 31" in text  # why, from the B.E. parser
    assert f'href="{url}"' in text  # the way back to today
    assert nonsense.status_code == 400 and "วันที่ไม่ถูกต้อง: “พรุ่งนี้”" in nonsense.content.decode()


def test_the_equity_page_refuses_a_bad_day_too(client, school):
    client.force_login(school.teacher)
    with translation.override("th"):
        page = client.get(reverse("childhood:equity"), {"day": "2569-13-01"}, HTTP_ACCEPT_LANGUAGE="th")
    assert page.status_code == 400 and "วันที่ไม่ถูกต้อง: “2569-13-01”" in page.content.decode()


def test_be_and_iso_days_keep_working(client, school):
    client.force_login(school.teacher)
    url = reverse("childhood:classroom", args=[school.room_a.pk])
    be = client.get(url, {"day": "16/05/2569"})
    thai_digits = client.get(url, {"day": "๑๖/๐๕/๒๕๖๙"})
    iso = client.get(url, {"day": "2026-05-16"})
    plain = client.get(url)
    for page in (be, thai_digits, iso):
        assert page.status_code == 200
        assert (page.context["term"].academic_year, page.context["term"].number) == (2569, 1)
    assert plain.status_code == 200  # nothing typed: today's term


def test_attendance_posted_for_a_bad_day_saves_nothing(client, school):
    client.force_login(school.teacher)
    url = reverse("childhood:attendance", args=[school.room_a.pk])
    with translation.override("th"):
        response = client.post(
            f"{url}?day=32/05/2569", {f"s{school.a1.pk}": "absent"}, HTTP_ACCEPT_LANGUAGE="th"
        )
    assert response.status_code == 400 and "วันที่ไม่ถูกต้อง" in response.content.decode()
    assert not Attendance.objects.exists()


def test_a_bad_date_typed_in_a_form_is_a_message_and_saves_nothing(client, school):
    client.force_login(school.teacher)
    project = Project.objects.create(
        municipality=school.muni,
        classroom=school.room_a,
        title="สะพาน",
        provocation="?",
        started_on=date.today(),
        created_by=school.teacher,
    )
    url = reverse("childhood:project", args=[project.pk])
    with translation.override("th"):
        response = client.post(
            url,
            {"what": "phase", "title": "ทดลอง", "starts_on": "1/1/2025"},
            HTTP_ACCEPT_LANGUAGE="th",
            follow=True,
        )
    assert "วันที่ไม่ถูกต้อง: “1/1/2025”" in response.content.decode()
    assert "2568" in response.content.decode()  # 2025 C.E. is 2568 B.E.
    assert not ProjectPhase.objects.exists()
    client.post(url, {"what": "phase", "title": "ทดลอง", "starts_on": "01/01/2568"})
    assert list(ProjectPhase.objects.values_list("title", "starts_on")) == [("ทดลอง", date(2025, 1, 1))]
    # enrolling with a bad date: message, nobody enrolled
    from tests.factories import ResidentFactory

    kid = ResidentFactory(municipality=school.muni, birth_date=date.today() - timedelta(days=1400))
    with translation.override("th"):
        response = client.post(
            reverse("childhood:children", args=[school.room_a.pk]),
            {"what": "enrol", "child": kid.pk, "enrolled_on": "xx"},
            HTTP_ACCEPT_LANGUAGE="th",
            follow=True,
        )
    assert "วันที่ไม่ถูกต้อง: “xx”" in response.content.decode()
    assert not school.room_a.enrolments.filter(child=kid).exists()
    assert not Rating.objects.exists()
