"""Ratings, enrolments, guardians, small groups and transition summaries: screens and services."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from tests.factories import ResidentFactory
from thukkhon.childhood import services
from thukkhon.childhood.models import (
    Enrolment,
    Guardianship,
    IndicatorRating,
    Observation,
    Rating,
    SmallGroup,
    Standard,
    TransitionSummary,
)
from thukkhon.childhood.selectors import standard_scores, terms_of
from thukkhon.core.models import ConsentPurpose
from thukkhon.core.services import consent_give

pytestmark = pytest.mark.django_db


def observe(school, children, standard=None):  # type: ignore[no-untyped-def]
    obs = services.observation_create(
        actor=school.actor(school.teacher),
        classroom=school.room_a,
        data=services.ObservationData(
            observed_on=date.today(),
            title="ปั้นดิน",
            children={c.pk: "" for c in children},
            standard_ids=[standard.pk] if standard else [],
        ),
    )
    return obs


def current_term(school):  # type: ignore[no-untyped-def]
    today = date.today()
    terms = terms_of(school.room_a)
    return next((t for t in reversed(terms) if t.starts_on <= today), terms[0])


def test_class_grid_saves_a_standard_for_every_child_and_moves_on(client, school):
    client.force_login(school.teacher)
    std1, std2 = Standard.objects.filter(framework__is_current=True).order_by("number")[:2]
    i11, i12, i13 = std1.indicators.order_by("id")
    url = reverse("childhood:ratings", args=[school.room_a.pk])
    page = client.get(f"{url}?standard={std1.pk}")
    assert page.status_code == 200
    assert "มาตรฐานที่ 1" in page.content.decode()
    term = page.context["term"]
    post = {
        "term": term.pk,
        "standard": std1.pk,
        **{f"i{school.a1.pk}_{i.pk}": v for i, v in ((i11, "3"), (i12, "3"), (i13, "1"))},
        **{f"i{school.a2.pk}_{i.pk}": v for i, v in ((i11, "2"), (i12, "1"), (i13, ""))},
    }
    response = client.post(url, post)
    assert response.status_code == 302 and f"standard={std2.pk}" in response["Location"]
    assert sorted(
        IndicatorRating.objects.filter(term=term).values_list("child_id", "indicator__code", "score")
    ) == sorted(
        [
            (school.a1.pk, "1.1", 3),
            (school.a1.pk, "1.2", 3),
            (school.a1.pk, "1.3", 1),
            (school.a2.pk, "1.1", 2),
            (school.a2.pk, "1.2", 1),
        ]
    )
    # the standard follows: a1 3, 3, 1 → mode 3; a2 2, 1 → tie, mean 1.5 rounded half up → 2
    derived = {
        (s.child_id, s.standard.number): (s.score, s.derived)
        for s in standard_scores([school.a1.pk, school.a2.pk])
    }
    assert derived == {(school.a1.pk, 1): (3, True), (school.a2.pk, 1): (2, True)}
    assert Rating.objects.count() == 0
    # sent again (a phone retrying): nothing new
    client.post(url, post)
    assert IndicatorRating.objects.filter(term=term).count() == 5
    # the grid's queries do not grow with the children
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(10):
        services.enrol(
            actor=school.actor(school.teacher),
            classroom=school.room_a,
            child=ResidentFactory(municipality=school.muni, birth_date=date.today() - timedelta(days=1500)),
        )
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)
    assert client.get(reverse("childhood:ratings", args=[school.room_b.pk])).status_code == 404


def test_per_child_ratings_with_evidence(client, school):
    client.force_login(school.teacher)
    std = Standard.objects.get(framework__is_current=True, number=11)
    mine = observe(school, [school.a1], std)
    other_child = observe(school, [school.a2])
    url = reverse("childhood:child-ratings", args=[school.room_a.pk, school.a1.pk])
    page = client.get(url)
    assert page.status_code == 200 and mine.title in page.content.decode()
    term = page.context["term"]
    with translation.override("th"):
        bad = client.post(url, {"term": term.pk, f"s{std.pk}": "2", f"e{std.pk}": [str(other_child.pk)]})
    assert bad.status_code == 400 and not Rating.objects.exists()
    assert "หลักฐาน" in bad.content.decode()  # the message, in Thai
    client.post(url, {"term": term.pk, f"s{std.pk}": "2", f"e{std.pk}": [str(mine.pk)]})
    rating = Rating.objects.get(child=school.a1, standard=std, term=term)
    assert rating.score == 2 and list(rating.evidence.all()) == [mine]
    portfolio = client.get(reverse("childhood:child", args=[school.a1.pk])).content.decode()
    assert reverse("childhood:observation", args=[mine.pk]) in portfolio
    # another teacher's child
    assert (
        client.get(reverse("childhood:child-ratings", args=[school.room_a.pk, school.b1.pk])).status_code
        == 404
    )


def test_ratings_service_validates_everything_first(school):
    term = current_term(school)
    std = Standard.objects.filter(framework__is_current=True).first()
    with pytest.raises(ValidationError), translation.override("en"):
        services.ratings_record(
            actor=school.actor(school.teacher),
            classroom=school.room_a,
            term=term,
            entries=[
                services.RatingEntry(child_id=school.a1.pk, standard_id=std.pk, score=3),
                services.RatingEntry(child_id=school.b1.pk, standard_id=std.pk, score=3),
            ],
        )
    assert not Rating.objects.exists()
    with pytest.raises(ValidationError):
        services.ratings_record(
            actor=school.actor(school.teacher),
            classroom=school.room_a,
            term=term,
            entries=[services.RatingEntry(child_id=school.a1.pk, standard_id=std.pk, score=4)],
        )
    with pytest.raises(ValidationError):
        services.ratings_record(
            actor=school.actor(school.parent),
            classroom=school.room_a,
            term=term,
            entries=[services.RatingEntry(child_id=school.a1.pk, standard_id=std.pk, score=3)],
        )


def test_enrol_and_withdraw(client, school):
    client.force_login(school.teacher)
    newcomer = ResidentFactory(
        municipality=school.muni, first_name="ข้าวหอม", birth_date=date.today() - timedelta(days=1200)
    )
    ResidentFactory(municipality=school.muni, first_name="ข้าวหอมใหญ่", birth_date=date(1980, 1, 1))
    url = reverse("childhood:children", args=[school.room_a.pk])
    page = client.get(url, {"q": "ข้าวหอม"}).content.decode()
    assert newcomer.full_name in page and "ข้าวหอมใหญ่" not in page
    client.post(url, {"what": "enrol", "child": newcomer.pk})
    enrolment = Enrolment.objects.get(classroom=school.room_a, child=newcomer)
    assert enrolment.left_on is None
    # already in room A this year: cannot be enrolled in room B too
    with pytest.raises(ValidationError) as exc, translation.override("th"):
        services.enrol(actor=school.actor(school.admin), classroom=school.room_b, child=newcomer)
    assert "อยู่ในห้อง A ปีนี้แล้ว" in " ".join(exc.value.messages)
    client.post(url, {"what": "withdraw", "enrolment": enrolment.pk, "left_on": date.today().isoformat()})
    enrolment.refresh_from_db()
    assert enrolment.left_on == date.today()
    register = client.get(reverse("childhood:attendance", args=[school.room_a.pk])).context["register"]
    assert newcomer.pk not in [c.pk for c, _mark in register]
    # back again: the same row
    client.post(url, {"what": "enrol", "child": newcomer.pk})
    enrolment.refresh_from_db()
    assert enrolment.left_on is None
    # another room's enrolment is not reachable
    b = Enrolment.objects.get(child=school.b1)
    assert client.post(url, {"what": "withdraw", "enrolment": b.pk}).status_code == 404
    assert Enrolment.objects.get(pk=b.pk).left_on is None
    adult = ResidentFactory(municipality=school.muni, birth_date=date(1990, 1, 1))
    with pytest.raises(ValidationError):
        services.enrol(actor=school.actor(school.teacher), classroom=school.room_a, child=adult)


def test_link_a_grandparent_from_the_registry(client, school):
    client.force_login(school.teacher)
    grandma = ResidentFactory(municipality=school.muni, first_name="บัวคำ", birth_date=date(1958, 3, 1))
    url = reverse("childhood:guardians", args=[school.a3.pk])
    assert grandma.full_name in client.get(url, {"q": "บัวคำ"}).content.decode()
    response = client.post(
        url,
        {"guardian": grandma.pk, "relation": "grandmother", "lives_with_child": "on", "is_primary": "on"},
    )
    assert response.status_code == 302
    g = Guardianship.objects.get(child=school.a3, guardian=grandma)
    assert g.relation == "grandmother" and g.is_primary and g.lives_with_child
    # twice: a clear message, nothing new
    with translation.override("th"):
        again = client.post(url, {"guardian": grandma.pk, "relation": "grandmother"})
    assert again.status_code == 400 and "ผู้ปกครอง" in again.content.decode()
    assert Guardianship.objects.filter(child=school.a3).count() == 1
    # a name only (not in the registry)
    client.post(url, {"guardian": "", "relation": "aunt_uncle", "name": "น้าแดง"})
    assert Guardianship.objects.filter(child=school.a3, name="น้าแดง").exists()
    client.post(url, {"what": "remove", "guardianship": g.pk})
    assert not Guardianship.objects.filter(pk=g.pk).exists()
    # another teacher's child, another child's guardian
    assert client.get(reverse("childhood:guardians", args=[school.b1.pk])).status_code == 404
    other = Guardianship.objects.create(
        municipality=school.muni, child=school.b1, name="x", relation="father"
    )
    assert client.post(url, {"what": "remove", "guardianship": other.pk}).status_code == 404


def test_small_groups(client, school):
    client.force_login(school.teacher)
    project = services.project_create(
        actor=school.actor(school.teacher),
        classroom=school.room_a,
        title="เงา",
        provocation="เงาไปไหน",
        started_on=date.today(),
    )
    url = reverse("childhood:project", args=[project.pk])
    client.post(url, {"what": "group", "name": "กลุ่มแสง", "children": [school.a1.pk, school.a2.pk]})
    group = SmallGroup.objects.get(project=project)
    assert set(group.children.values_list("id", flat=True)) == {school.a1.pk, school.a2.pk}
    client.post(url, {"what": "group", "name": "กลุ่มผิด", "children": [school.b1.pk]})
    assert SmallGroup.objects.filter(project=project).count() == 1
    client.post(url, {"what": "group-edit", "group": group.pk, "name": "กลุ่มเงา", "children": [school.a3.pk]})
    group.refresh_from_db()
    assert group.name == "กลุ่มเงา" and list(group.children.values_list("id", flat=True)) == [school.a3.pk]
    client.post(
        url,
        {"what": "session", "materials": "ไฟฉาย", "starts_on": date.today().isoformat(), "group": group.pk},
    )
    assert project.sessions.get().group == group
    assert "กลุ่มเงา" in client.get(url).content.decode()
    client.post(url, {"what": "group-delete", "group": group.pk})
    assert not SmallGroup.objects.filter(pk=group.pk).exists()


def test_transition_summary_write_edit_and_share_only_with_consent(client, school):
    client.force_login(school.teacher)
    url = reverse("childhood:transition", args=[school.a1.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"text": " "}).status_code == 400
    client.post(url, {"text": "ชอบทดลองกับแสงและเงา", "receiving_school": "โรงเรียนเทศบาล 1"})
    summary = TransitionSummary.objects.get(child=school.a1)
    client.post(url, {"summary": summary.pk, "text": "ชอบทดลอง", "receiving_school": "โรงเรียนเทศบาล 1"})
    summary.refresh_from_db()
    assert summary.text == "ชอบทดลอง"
    page = client.get(reverse("childhood:child", args=[school.a1.pk])).content.decode()
    assert reverse("childhood:transition-share", args=[summary.pk]) not in page
    client.post(reverse("childhood:transition-share", args=[summary.pk]))
    summary.refresh_from_db()
    assert summary.shared_at is None
    consent_give(
        actor=school.actor(school.parent),
        subject=school.a1,
        purpose=ConsentPurpose.TRANSITION_SUMMARY,
        given_by_name="ยาย",
        given_by_relation="ยาย",
    )
    page = client.get(reverse("childhood:child", args=[school.a1.pk])).content.decode()
    assert reverse("childhood:transition-share", args=[summary.pk]) in page
    client.post(reverse("childhood:transition-share", args=[summary.pk]))
    summary.refresh_from_db()
    assert summary.shared_at is not None
    with pytest.raises(ValidationError):
        services.transition_summary_update(actor=school.actor(school.teacher), summary=summary, text="แก้")
    assert client.get(reverse("childhood:transition", args=[school.b1.pk])).status_code == 404
    assert Observation.objects.count() == 0


def test_admin_lists_the_childhood_models(admin_client, school):
    for name in (
        "classroom",
        "enrolment",
        "guardianship",
        "observation",
        "rating",
        "screening",
        "developmentcase",
    ):
        assert admin_client.get(f"/django-admin/childhood/{name}/").status_code == 200


def test_dspm_reminders_job_uses_the_day_it_is_run_for(school, django_capture_on_commit_callbacks):
    from thukkhon.core.daily import run_daily
    from thukkhon.core.models import Job, Notification

    child = school.a1
    child.birth_date = date(2023, 1, 10)  # 42 months on 2026-07-10
    child.save()
    with django_capture_on_commit_callbacks(execute=True):
        run_daily(on=date(2026, 7, 20), municipalities=[school.muni])
    job = Job.objects.get(kind="childhood.dspm_reminders")
    assert job.status == Job.Status.DONE
    assert job.result["dspm_due"] == Notification.objects.filter(template="dspm_due").count()
    assert (
        Notification.objects.filter(
            template="dspm_due", dedupe_key__startswith=f"dspm-due:{child.pk}:42"
        ).count()
        == 2
    )
