"""The transition summary PDF for the primary school: who may download it, and what it says."""

from __future__ import annotations

import contextlib
import re
import zlib
from datetime import date, timedelta

import pytest
from django.urls import reverse

from tests.factories import member
from thukkhon.childhood import pdf, services
from thukkhon.childhood.models import Centre, Classroom, Enrolment, Standard, TeacherAssignment
from thukkhon.core.models import Consent, ConsentPurpose, Membership
from thukkhon.core.services import consent_give, consent_withdraw

pytestmark = pytest.mark.django_db


def pdf_text_strings(data: bytes) -> bytes:
    """The PDF's bytes with every Flate stream inflated (objects such as the document info sit in
    compressed object streams)."""
    chunks = [data]
    for m in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        with contextlib.suppress(zlib.error):
            chunks.append(zlib.decompress(m.group(1)))
    return b"".join(chunks)


def pdf_has_text(data: bytes, text: str) -> bool:
    """Whether a PDF string (literal or UTF-16BE hex, as WeasyPrint writes the /Title) holds ``text``."""
    inflated = pdf_text_strings(data)
    utf16 = text.encode("utf-16-be").hex().encode()
    return utf16 in inflated.lower() or text.encode() in inflated


@pytest.fixture
def summary(school):  # type: ignore[no-untyped-def]
    teacher = school.actor(school.teacher)
    return services.transition_summary_write(
        actor=teacher,
        child=school.a1,
        text="ชอบสร้างสะพานจากไม้ไอศกรีม\nทำงานกับเพื่อนได้ดี",
        strengths="ต่อบล็อก\n- ร้องเพลง",
        family_words="ที่บ้านชอบช่วยยายรดน้ำต้นไม้",
        receiving_school="โรงเรียนเทศบาล ๑",
    )


def give_transition(school) -> Consent:  # type: ignore[no-untyped-def]
    return consent_give(
        actor=school.actor(school.parent),
        subject=school.a1,
        purpose=ConsentPurpose.TRANSITION_SUMMARY,
        given_by_name="ยาย",
    )


def test_teacher_of_another_centre_gets_404(client, school, summary):
    give_transition(school)
    centre = Centre.objects.create(municipality=school.muni, kind="school", name_th="โรงเรียนอื่น")
    room = Classroom.objects.create(municipality=school.muni, centre=centre, academic_year=2569, name="C")
    stranger = member(school.muni, "teacher")
    TeacherAssignment.objects.create(
        membership=Membership.objects.get(user=stranger, municipality=school.muni), classroom=room
    )
    url = reverse("childhood:transition-pdf", args=[summary.pk])
    client.force_login(stranger)
    assert client.get(url).status_code == 404
    # another family, too
    client.force_login(school.other_parent)
    assert client.get(url).status_code == 404
    # a teacher of another classroom of the same centre is staff of the centre
    client.force_login(school.other_teacher)
    assert client.get(url).status_code == 200


def test_guardian_without_consent_is_refused_with_a_thai_message(client, school, summary):
    url = reverse("childhood:transition-pdf", args=[summary.pk])
    client.force_login(school.parent)
    r = client.get(url)
    assert r.status_code == 403 and r["Content-Type"].startswith("text/html")
    page = r.content.decode()
    assert "ดาวน์โหลดสรุปนี้ไม่ได้ เพราะผู้ปกครองยังไม่ได้ยินยอม" in page
    assert reverse("childhood:family-child", args=[school.a1.pk]) in page
    client.force_login(school.teacher)
    assert client.get(url).status_code == 403


def test_with_consent_the_pdf_names_the_child_and_stops_when_consent_is_withdrawn(client, school, summary):
    consent = give_transition(school)
    url = reverse("childhood:transition-pdf", args=[summary.pk])
    client.force_login(school.parent)
    r = client.get(url)
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert r.content.startswith(b"%PDF-")
    assert pdf_has_text(r.content, school.a1.full_name)
    assert not pdf_has_text(r.content, school.a2.full_name)
    page = client.get(reverse("childhood:family-child", args=[school.a1.pk])).content.decode()
    assert url in page
    consent_withdraw(actor=school.actor(school.parent), consent=consent, reason="เปลี่ยนใจ")
    assert client.get(url).status_code == 403
    page = client.get(reverse("childhood:family-child", args=[school.a1.pk])).content.decode()
    assert url not in page


def test_what_the_summary_says(school, summary):
    teacher = school.actor(school.teacher)
    consent = give_transition(school)
    # a year in the room before this one, at the same centre
    earlier = Classroom.objects.create(
        municipality=school.muni,
        centre=school.centre,
        academic_year=school.room_a.academic_year - 1,
        name="A เดิม",
    )
    Enrolment.objects.create(municipality=school.muni, classroom=earlier, child=school.a1)
    obs = services.observation_create(
        actor=teacher,
        classroom=school.room_a,
        data=services.ObservationData(
            observed_on=date.today() - timedelta(days=3),
            title="สะพานไม้ไอศกรีม",
            children={school.a1.pk: "ต้องมีเสาเยอะ ๆ", school.a2.pk: "ของเราสูงกว่า"},
            interpretation="เอทดลองวางเสาหลายแบบจนสะพานรับน้ำหนักได้. ครูจะชวนวัดความยาว",
        ),
    )
    term = services.term_for(school.muni, date.today())
    standard_1 = Standard.objects.get(framework__is_current=True, number=1)
    standard_9 = Standard.objects.get(framework__is_current=True, number=9)
    services.rating_set(
        actor=teacher,
        classroom=school.room_a,
        child=school.a1,
        term=term,
        standard=standard_9,
        score=3,
        evidence_ids=[obs.pk],
    )
    services.rating_set(
        actor=teacher, classroom=school.room_a, child=school.a1, term=term, standard=standard_1, score=2
    )
    services.screening_record(
        actor=teacher,
        child=school.a1,
        screened_on=date.today(),
        age_band=42,
        result=services.DspmResult(True, True, True, True, True),
    )
    ctx = pdf.transition_context(summary, consent)
    assert ctx["centre"] == school.centre
    assert ctx["years"] == [school.room_a.academic_year - 1, school.room_a.academic_year]
    assert ctx["strengths"] == ["ต่อบล็อก", "ร้องเพลง"]
    lines = ctx["lines"]
    assert [line.number for line in lines] == list(range(1, 13))
    assert (lines[0].score, lines[0].score_label, lines[0].evidence) == (2, "พอใช้", "")
    assert (lines[8].score, lines[8].score_label, lines[8].term) == (3, "ดี", str(term))
    day = pdf.be_date(obs.observed_on, "short")
    assert lines[8].evidence == (
        f"สะพานไม้ไอศกรีม ({day}): เอทดลองวางเสาหลายแบบจนสะพานรับน้ำหนักได้. “ต้องมีเสาเยอะ ๆ”"
    )
    assert "ของเราสูงกว่า" not in lines[8].evidence  # another child's words stay out
    assert [line.score for line in lines[1:8] + lines[9:]] == [None] * 10
    assert ctx["screening"] == "pass"
    assert (
        ctx["screening_text"]
        == f"ผ่าน: พัฒนาการสมวัย (DSPM ช่วงอายุ 42 เดือน, {pdf.be_date(date.today(), 'short')})"
    )
    data = pdf.transition_summary_pdf(summary, consent)
    assert data.startswith(b"%PDF-") and pdf_has_text(data, school.a1.full_name)


def test_a_followed_up_screening_says_so(school, summary):
    teacher = school.actor(school.teacher)
    consent = give_transition(school)
    services.screening_record(
        actor=teacher,
        child=school.a1,
        screened_on=date.today(),
        age_band=42,
        result=services.DspmResult(True, True, True, False, True),
        plan="อ่านนิทานด้วยกันทุกคืน",
    )
    ctx = pdf.transition_context(summary, consent)
    assert ctx["screening"] == "followed_up"
    assert ctx["screening_text"] == "ติดตามแล้ว: การใช้ภาษา; กระตุ้นพัฒนาการที่บ้าน (30 วัน)"


def test_no_screening_and_no_enrolment_elsewhere_are_said_plainly(school, summary):
    consent = give_transition(school)
    ctx = pdf.transition_context(summary, consent)
    assert (ctx["screening"], ctx["screening_text"]) == ("", "ยังไม่มีบันทึกการคัดกรองพัฒนาการ")
    assert ctx["years"] == [school.room_a.academic_year]


def test_first_sentence():
    assert pdf.first_sentence("ก. ข") == "ก."
    assert pdf.first_sentence("\n\nบรรทัดแรก\nบรรทัดสอง") == "บรรทัดแรก"
    long = " ".join(["คำ"] * 100)
    assert pdf.first_sentence(long, limit=20) == "คำ คำ คำ คำ คำ คำ คำ…"
    assert pdf.first_sentence(long, limit=21) == "คำ คำ คำ คำ คำ คำ คำ…"
    assert pdf.first_sentence(long, limit=19) == "คำ คำ คำ คำ คำ คำ…"
