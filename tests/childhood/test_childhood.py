from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.childhood.conftest import photo
from tests.factories import MunicipalityFactory, member
from thukkhon.childhood import pdf, services
from thukkhon.childhood.models import (
    Attendance,
    CaseStage,
    DevelopmentCase,
    Indicator,
    Media,
    MediaState,
    Observation,
    Standard,
)
from thukkhon.childhood.selectors import attendance_summary, family_feed
from thukkhon.core.models import ConsentPurpose, Notification
from thukkhon.core.services import consent_give

pytestmark = pytest.mark.django_db


def login(client, user):  # type: ignore[no-untyped-def]
    client.force_login(user)
    return client


def observe(school, children, *, visibility="family", files=(), quotes=None):  # type: ignore[no-untyped-def]
    quotes = quotes or {}
    return services.observation_create(
        actor=school.actor(school.teacher),
        classroom=school.room_a,
        data=services.ObservationData(
            observed_on=date.today(),
            title="เงาของฉัน",
            children={c.pk: quotes.get(c.pk, "") for c in children},
            visibility=visibility,
        ),
        files=list(files),
    )


def test_curriculum_2560_is_seeded():
    assert Standard.objects.filter(framework__code="2560").count() == 12
    assert Indicator.objects.filter(standard__framework__code="2560").count() == 29
    assert set(Standard.objects.filter(domain__code="physical").values_list("number", flat=True)) == {1, 2}


def test_teacher_sees_only_their_classrooms(client, school):
    login(client, school.teacher)
    assert client.get(reverse("childhood:classroom", args=[school.room_a.pk])).status_code == 200
    assert client.get(reverse("childhood:classroom", args=[school.room_b.pk])).status_code == 404
    assert client.get(reverse("childhood:attendance", args=[school.room_b.pk])).status_code == 404
    assert client.get(reverse("childhood:child", args=[school.b1.pk])).status_code == 404
    assert client.get(reverse("childhood:child", args=[school.a1.pk])).status_code == 200
    home = client.get(reverse("childhood:home")).content.decode()
    assert f"/childhood/classrooms/{school.room_a.pk}/" in home
    assert f"/childhood/classrooms/{school.room_b.pk}/" not in home


def test_guardian_sees_only_their_own_child(client, school):
    login(client, school.parent)
    assert client.get(reverse("childhood:family-child", args=[school.a1.pk])).status_code == 200
    assert client.get(reverse("childhood:family-child", args=[school.a2.pk])).status_code == 404
    assert client.get(reverse("childhood:child", args=[school.a1.pk])).status_code == 302
    assert client.get(reverse("childhood:classroom", args=[school.room_a.pk])).status_code == 404
    team_only = observe(school, [school.a1], visibility="team")
    assert client.get(reverse("childhood:observation", args=[team_only.pk])).status_code == 404
    other = observe(school, [school.a2])
    assert client.get(reverse("childhood:observation", args=[other.pk])).status_code == 404


def test_photo_without_consent_never_reaches_another_family(client, school):
    consent_give(
        actor=school.actor(school.parent),
        subject=school.a1,
        purpose=ConsentPurpose.PHOTO_PORTFOLIO,
        given_by_name="ยาย",
    )
    obs = observe(school, [school.a1, school.a2], files=[photo()], quotes={school.a2.pk: "ความลับของเอ"})
    media = obs.media.get()
    login(client, school.parent)
    page = client.get(reverse("childhood:family-child", args=[school.a1.pk])).content.decode()
    assert f"/childhood/media/{media.pk}/" not in page
    assert "ความลับของเอ" not in page  # another child's words never reach this family
    assert client.get(reverse("childhood:media", args=[media.pk, "web"])).status_code == 404
    assert client.get(reverse("childhood:media", args=[media.pk, "thumb"])).status_code == 404
    # once a2's family consents to group use, a1's family may see the shared photo
    consent_give(
        actor=school.actor(school.other_parent),
        subject=school.a2,
        purpose=ConsentPurpose.PHOTO_PANEL,
        given_by_name="แม่",
    )
    page = client.get(reverse("childhood:family-child", args=[school.a1.pk])).content.decode()
    assert f"/childhood/media/{media.pk}/web/" in page
    assert client.get(reverse("childhood:media", args=[media.pk, "web"])).status_code == 200
    # without PHOTO_PORTFOLIO for their own child, a family sees no photo either
    feed = family_feed(school.actor(school.other_parent), school.a2)
    assert feed[0].media == [] and feed[0].withheld == 1


def test_group_panel_blurs_a_child_without_consent(school):
    consent_give(
        actor=school.actor(school.parent),
        subject=school.a1,
        purpose=ConsentPurpose.PHOTO_PANEL,
        given_by_name="ยาย",
    )
    project = services.project_create(
        actor=school.actor(school.teacher),
        classroom=school.room_a,
        title="เงา",
        provocation="เงาไปไหนตอนกลางคืน",
        started_on=date.today(),
    )
    ok = observe(school, [school.a1], files=[photo(color="red")])
    mixed = observe(
        school, [school.a1, school.a2], files=[photo(color="blue")], quotes={school.a2.pk: "เงาหลับ"}
    )
    Observation.objects.filter(pk__in=[ok.pk, mixed.pk]).update(project=project)
    observations = list(project.observations.order_by("id").prefetch_related("children__child", "media"))
    items, blurred = pdf.panel_items(observations)
    assert blurred == 1
    assert [p.blurred for p in items[0].photos] == [False]
    assert [p.blurred for p in items[1].photos] == [True]
    assert school.a2.first_name not in " ".join(items[1].names)
    assert items[1].quotes == [("เด็กคนหนึ่ง", "เงาหลับ")] or items[1].quotes[0][0] != school.a2.first_name
    data, n = pdf.project_panel_pdf(project, size="A4", media_url="https://example.test/p/1")
    assert data.startswith(b"%PDF") and n == 1


def test_photo_is_accepted_then_resized_in_the_background(school, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        obs = observe(school, [school.a1], files=[photo(size=(3000, 2000))])
    media = Media.objects.get(observation=obs)
    assert media.state == MediaState.READY  # jobs run inline in tests, after commit
    assert media.web and media.thumb and (media.width, media.height) == (3000, 2000)


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (
            SimpleUploadedFile("virus.jpg", b"MZ\x90\x00 not a picture at all"),
            "ไม่ใช่รูปภาพ วิดีโอ เสียง หรือ PDF ที่เปิดได้",
        ),
        (SimpleUploadedFile("big.jpg", b"\xff\xd8" + b"0" * (20 * 1024 * 1024 + 1)), "ไฟล์ต้องไม่เกิน 20 MB"),
    ],
)
def test_bad_uploads_get_a_clear_message_and_nothing_half_saved(client, school, upload, message, settings):
    settings.LANGUAGE_CODE = "en"
    login(client, school.teacher)
    response = client.post(
        reverse("childhood:observation-create", args=[school.room_a.pk]),
        {
            "observed_on": f"{date.today().day:02d}/{date.today().month:02d}/{date.today().year + 543}",
            "title": "ทดลอง",
            "children": [str(school.a1.pk)],
            "visibility": "team",
            "attachments": [photo(), upload],
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert message in response.content.decode(), response.context["form"].errors
    assert Observation.objects.count() == 0 and Media.objects.count() == 0
    with pytest.raises(ValidationError):
        observe(school, [school.a1], files=[photo(), SimpleUploadedFile("x.png", b"\x89PNG broken")])
    assert Observation.objects.count() == 0 and Media.objects.count() == 0


def test_attendance_register_is_idempotent_and_flags_chronic_absence(client, school):
    actor = school.actor(school.teacher)
    start = date.today() - timedelta(days=9)
    for i in range(10):
        marks = {c.pk: services.Mark("present") for c in (school.a1, school.a2, school.a3)}
        if i == 0:
            marks[school.a2.pk] = services.Mark("absent", "sick")
        services.attendance_record(
            actor=actor, classroom=school.room_a, day=start + timedelta(days=i), marks=marks
        )
    services.attendance_record(
        actor=actor, classroom=school.room_a, day=start, marks={school.a2.pk: services.Mark("absent", "sick")}
    )
    assert Attendance.objects.count() == 30
    rows = {r.child.pk: r for r in attendance_summary(school.room_a, start, date.today())}
    assert (
        rows[school.a2.pk].chronic and rows[school.a2.pk].absent == 1 and rows[school.a2.pk].school_days == 10
    )
    assert not rows[school.a1.pk].chronic
    with pytest.raises(ValidationError):
        services.attendance_record(
            actor=actor,
            classroom=school.room_a,
            day=date.today(),
            marks={school.b1.pk: services.Mark("present")},
        )
    login(client, school.teacher)
    r = client.post(
        reverse("childhood:attendance", args=[school.room_a.pk]),
        {"day": date.today().isoformat(), f"s{school.a3.pk}": "absent", f"r{school.a3.pk}": "travel"},
    )
    assert r.status_code == 302
    assert Attendance.objects.get(child=school.a3, day=date.today()).reason == "travel"


def test_dspm_loop_schedules_and_escalates(school):
    actor = school.actor(school.teacher)
    child = school.a1
    child.birth_date = date.today() - timedelta(days=int(42 * 30.5))
    child.save()
    assert services.dspm_band_due(child.birth_date, date.today()) == 42
    counts = services.dspm_reminders(municipality=school.muni)
    assert counts["dspm_due"] == 2  # the grandmother's account and the teacher
    assert services.dspm_reminders(municipality=school.muni)["dspm_due"] == 0  # sent once
    day0 = date.today() - timedelta(days=40)
    fail = services.DspmResult(gm=True, fm=True, rl=False, el=False, ps=True)
    services.screening_record(actor=actor, child=child, screened_on=day0, result=fail, age_band=42)
    case = DevelopmentCase.objects.get(child=child)
    assert case.stage == CaseStage.STIMULATION and case.rescreen_due_on == day0 + timedelta(days=30)
    assert case.domains == ["rl", "el"]
    counts = services.dspm_reminders(municipality=school.muni)
    assert counts["dspm_due"] == 0 and counts["dspm_rescreen"] == 2
    assert counts["dspm_overdue"] == 2  # teacher + administrator: 10 days late
    assert Notification.objects.filter(template="dspm_overdue", to=f"user:{school.admin.pk}").exists()
    services.screening_record(
        actor=actor, child=child, screened_on=date.today() - timedelta(days=2), result=fail
    )
    case.refresh_from_db()
    assert case.stage == CaseStage.REFERRED and case.reassess_due_on == date.today() - timedelta(
        days=2
    ) + timedelta(days=90)
    services.case_close(actor=actor, case=case, outcome="ติดตามโดยโรงพยาบาล")
    case.refresh_from_db()
    assert case.stage == CaseStage.CLOSED
    # a re-screen that passes closes the case as age-appropriate
    other = school.a3
    services.screening_record(actor=actor, child=other, screened_on=day0, result=fail, age_band=42)
    services.screening_record(
        actor=actor,
        child=other,
        screened_on=day0 + timedelta(days=30),
        result=services.DspmResult(True, True, True, True, True),
    )
    assert DevelopmentCase.objects.get(child=other).stage == CaseStage.CLOSED
    from thukkhon.childhood.selectors import age_appropriate_share

    share = age_appropriate_share({child.pk, other.pk}, school.muni)
    assert (share.screened, share.age_appropriate) == (2, 1)


def test_transition_summary_needs_consent(school):
    actor = school.actor(school.teacher)
    summary = services.transition_summary_write(actor=actor, child=school.a1, text="ชอบวาดรูป")
    with pytest.raises(ValidationError):
        services.transition_summary_share(actor=actor, summary=summary)
    consent_give(
        actor=school.actor(school.parent),
        subject=school.a1,
        purpose=ConsentPurpose.TRANSITION_SUMMARY,
        given_by_name="ยาย",
    )
    assert services.transition_summary_share(actor=actor, summary=summary).shared_at is not None


def test_family_adds_home_observation_and_comment(client, school):
    login(client, school.parent)
    r = client.post(
        reverse("childhood:family-child", args=[school.a1.pk]), {"text": "ปั้นดินที่บ้าน", "attachments": [photo()]}
    )
    assert r.status_code == 302
    obs = Observation.objects.get(source="home")
    assert obs.visibility == "family" and obs.media.count() == 1
    r = client.post(
        reverse("childhood:observation", args=[obs.pk]), {"text": "ขอบคุณครู", "child": school.a1.pk}
    )
    assert r.status_code == 302 and obs.comments.count() == 1
    r = client.post(
        reverse("childhood:family-consent", args=[school.a1.pk]), {"purpose": "photo_panel", "give": "on"}
    )
    from thukkhon.core.services import consent_active

    assert consent_active(school.a1, "photo_panel")
    client.post(reverse("childhood:family-consent", args=[school.a1.pk]), {"purpose": "photo_panel"})
    assert not consent_active(school.a1, "photo_panel")


def test_tenant_isolation(client, school):
    elsewhere = MunicipalityFactory()
    stranger = member(elsewhere, "admin")
    obs = observe(school, [school.a1], files=[photo()])
    login(client, stranger)
    for url in (
        reverse("childhood:classroom", args=[school.room_a.pk]),
        reverse("childhood:observation", args=[obs.pk]),
        reverse("childhood:media", args=[obs.media.get().pk, "original"]),
        reverse("childhood:child", args=[school.a1.pk]),
    ):
        assert client.get(url).status_code == 404, url
    from thukkhon.childhood.selectors import equity_report

    report = equity_report(elsewhere, None, date.today() - timedelta(days=100), date.today())
    assert report.n_children == 0


def test_pages_render(client, school):
    observe(school, [school.a1, school.a2], quotes={school.a1.pk: "ดูสิ"}, files=[photo()])
    login(client, school.teacher)
    for url in (
        reverse("childhood:home"),
        reverse("childhood:attendance", args=[school.room_a.pk]),
        reverse("childhood:observation-create", args=[school.room_a.pk]),
        reverse("childhood:screening", args=[school.room_a.pk]),
        reverse("childhood:equity") + f"?classroom={school.room_a.pk}",
        reverse("childhood:child-pdf", args=[school.a1.pk]),
    ):
        assert client.get(url).status_code == 200, url
