from __future__ import annotations

import pytest

from thukkhon.childhood.demo import build_childhood_demo
from thukkhon.childhood.models import Classroom, Enrolment, Guardianship, Observation, TeacherAssignment
from thukkhon.demo.town import build_demo


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.mark.django_db
def test_childhood_demo_builds_on_the_demo_town(client):
    town = build_demo(scale=0.1)
    counts = build_childhood_demo(town, seed=1, scale=0.2)
    assert counts["centres"] == 3 and counts["classrooms"] == 12 and counts["projects"] == 2
    assert Enrolment.objects.filter(municipality=town).count() == counts["children"] >= 12
    assignment = TeacherAssignment.objects.get(membership__user__username="teacher")
    assert Guardianship.objects.filter(membership__user__username="parent").count() == 1
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="teacher"))
    assert client.get(f"/childhood/classrooms/{assignment.classroom_id}/").status_code == 200
    assert Classroom.objects.filter(municipality=town).count() == 12
    assert Observation.objects.filter(municipality=town).exists() or counts["observations"] == 0
    # last term is rated indicator by indicator (29 of B.E. 2560), with evidence from that term, and
    # every child's twelve standards follow from them
    from thukkhon.childhood.models import Indicator, IndicatorRating
    from thukkhon.childhood.selectors import standard_scores
    from thukkhon.core.models import Job

    assert Indicator.objects.filter(standard__framework__is_current=True).count() == 29
    assert (
        counts["ratings"]
        == IndicatorRating.objects.filter(municipality=town).count()
        == 29 * counts["children"]
    )
    child = IndicatorRating.objects.filter(municipality=town).first().child  # type: ignore[union-attr]
    scores = standard_scores([child.pk])
    assert [s.standard.number for s in scores] == list(range(1, 13)) and all(s.derived for s in scores)
    rating = (
        IndicatorRating.objects.filter(municipality=town, evidence__isnull=False)
        .select_related("term")
        .first()
    )
    assert rating is not None
    assert all(rating.term.starts_on <= o.observed_on <= rating.term.ends_on for o in rating.evidence.all())
    assert Job.objects.get(pk=counts["reminders_job"]).kind == "childhood.dspm_reminders"
    term = rating.term
    page = client.get(f"/childhood/classrooms/{assignment.classroom_id}/ratings/?term={term.pk}")
    assert page.status_code == 200 and page.context["done"] == page.context["rows"].__len__() > 0
