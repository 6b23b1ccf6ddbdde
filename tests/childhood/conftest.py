from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tests.factories import MunicipalityFactory, ResidentFactory, member
from thukkhon.childhood.models import Centre, Classroom, Enrolment, Guardianship, TeacherAssignment
from thukkhon.core.actor import actor_for
from thukkhon.core.models import Membership


def jpeg(size: tuple[int, int] = (800, 600), color: str = "orange") -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, "JPEG")
    return buf.getvalue()


def photo(name: str = "p.jpg", **kw: object) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, jpeg(**kw), content_type="image/jpeg")  # type: ignore[arg-type]


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


class School:
    """A town with one centre, two classrooms (A taught by `teacher`, B by `other_teacher`),
    three children in A, one in B, and a parent of child a1."""

    def __init__(self) -> None:
        today = date.today()
        year = today.year + 543 if today.month >= 5 else today.year + 542
        self.muni = MunicipalityFactory()
        self.centre = Centre.objects.create(municipality=self.muni, kind="cdc", name_th="ศพด.ทดสอบ")
        self.room_a = Classroom.objects.create(
            municipality=self.muni, centre=self.centre, academic_year=year, name="A"
        )
        self.room_b = Classroom.objects.create(
            municipality=self.muni, centre=self.centre, academic_year=year, name="B"
        )
        self.teacher = member(self.muni, "teacher")
        self.other_teacher = member(self.muni, "teacher")
        self.parent = member(self.muni, "parent")
        self.other_parent = member(self.muni, "parent")
        self.admin = member(self.muni, "admin")
        TeacherAssignment.objects.create(membership=self._m(self.teacher), classroom=self.room_a)
        TeacherAssignment.objects.create(membership=self._m(self.other_teacher), classroom=self.room_b)
        born = today - timedelta(days=4 * 365)
        self.a1, self.a2, self.a3 = (
            ResidentFactory(municipality=self.muni, birth_date=born, title="ด.ช.") for _ in range(3)
        )
        self.b1 = ResidentFactory(municipality=self.muni, birth_date=born, title="ด.ญ.")
        for child in (self.a1, self.a2, self.a3):
            Enrolment.objects.create(municipality=self.muni, classroom=self.room_a, child=child)
        Enrolment.objects.create(municipality=self.muni, classroom=self.room_b, child=self.b1)
        Guardianship.objects.create(
            municipality=self.muni, child=self.a1, membership=self._m(self.parent), relation="grandmother"
        )
        Guardianship.objects.create(
            municipality=self.muni, child=self.a2, membership=self._m(self.other_parent), relation="mother"
        )

    def _m(self, user: object) -> Membership:
        return Membership.objects.get(user=user, municipality=self.muni)

    def actor(self, user: object):  # type: ignore[no-untyped-def]
        return actor_for(user, self.muni.pk)  # type: ignore[arg-type]


@pytest.fixture
def school(db) -> School:
    return School()
