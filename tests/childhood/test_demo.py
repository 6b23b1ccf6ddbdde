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
    # last term is rated: twelve standards per child, with evidence from that term
    from thukkhon.childhood.models import Rating
    from thukkhon.core.models import Job

    assert counts["ratings"] == Rating.objects.filter(municipality=town).count() == 12 * counts["children"]
    rating = Rating.objects.filter(municipality=town, evidence__isnull=False).select_related("term").first()
    assert rating is not None
    assert all(rating.term.starts_on <= o.observed_on <= rating.term.ends_on for o in rating.evidence.all())
    assert Job.objects.get(pk=counts["reminders_job"]).kind == "childhood.dspm_reminders"
    term = rating.term
    page = client.get(f"/childhood/classrooms/{assignment.classroom_id}/ratings/?term={term.pk}")
    assert page.status_code == 200 and page.context["done"] == page.context["rows"].__len__() > 0
