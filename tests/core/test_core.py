from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.http import Http404
from django.utils import timezone, translation

from thukkhon.core import jobs
from thukkhon.core.access import access_job, log_sensitive_read, require_role
from thukkhon.core.actor import actor_for
from thukkhon.core.models import AccessLog, Consent, ConsentPurpose, Job, Membership, Municipality, User
from thukkhon.core.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def town():
    return Municipality.objects.create(code="lamphun", name_th="เทศบาลเมืองลำพูน", name_en="Lamphun")


@pytest.fixture
def other_town():
    return Municipality.objects.create(code="other", name_th="เทศบาลอื่น", name_en="Other")


def make_actor(town, role, username="u"):
    user = User.objects.create_user(username=username, password="a-long-passphrase-1")
    Membership.objects.create(user=user, municipality=town, role=role)
    actor = actor_for(user)
    assert actor is not None
    return actor


def test_actor_has_only_roles_of_its_municipality(town, other_town):
    user = User.objects.create_user(username="both", password="a-long-passphrase-1")
    Membership.objects.create(user=user, municipality=town, role=Role.WELFARE)
    Membership.objects.create(user=user, municipality=other_town, role=Role.ADMIN)
    actor = actor_for(user, municipality_id=town.pk)
    assert actor is not None
    assert actor.municipality == town
    assert actor.roles == frozenset({"welfare"})
    elsewhere = actor_for(user, municipality_id=other_town.pk)
    assert elsewhere is not None
    assert elsewhere.roles == frozenset({"admin"})


def test_user_without_membership_has_no_actor():
    user = User.objects.create_user(username="nobody", password="a-long-passphrase-1")
    assert actor_for(user) is None


def test_require_role_is_404_for_other_roles(town):
    actor = make_actor(town, Role.DRIVER)
    with pytest.raises(Http404):
        require_role(actor, {Role.WELFARE})
    assert require_role(actor, {Role.DRIVER, Role.WELFARE}) is actor


def test_sensitive_read_is_logged(town):
    actor = make_actor(town, Role.WELFARE)
    log_sensitive_read(actor, town, what="vulnerability", via="/registry/1/")
    entry = AccessLog.objects.get()
    assert (entry.user, entry.role, entry.object_id, entry.what, entry.via) == (
        actor.user,
        "welfare",
        str(town.pk),
        "vulnerability",
        "/registry/1/",
    )
    assert entry.content_type == ContentType.objects.get_for_model(Municipality)


def test_consent_is_active_until_withdrawn_or_expired(town):
    now = timezone.now()
    consent = Consent.objects.create(
        municipality=town,
        subject_type=ContentType.objects.get_for_model(Municipality),
        subject_id=town.pk,
        purpose=ConsentPurpose.PHOTO_PANEL,
        given_by_name="นางสมศรี ใจดี",
        given_by_relation="ยาย",
        given_at=now - timedelta(days=10),
        expires_at=now + timedelta(days=30),
    )
    assert consent.is_active(now) is True
    assert consent.is_active(now + timedelta(days=31)) is False
    consent.withdrawn_at = now - timedelta(days=1)
    assert consent.is_active(now) is False
    assert consent.is_active(now - timedelta(days=2)) is True


@jobs.job_kind("test.double")
def _double(job: Job) -> dict[str, int]:
    for i in range(3):
        jobs.job_progress(job, i + 1, total=3)
    return {"value": job.params["value"] * 2}


@jobs.job_kind("test.fail")
def _fail(job: Job) -> dict[str, int]:
    raise ValueError("ไฟล์เสีย")


def test_job_runs_after_commit_with_progress(town, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        job = jobs.enqueue(municipality=town, kind="test.double", params={"value": 21})
        assert Job.objects.get(pk=job.pk).status == "queued"
    assert len(callbacks) == 1
    job.refresh_from_db()
    assert (job.status, job.result, job.progress, job.total, job.percent) == (
        "done",
        {"value": 42},
        3,
        3,
        100,
    )
    jobs.run_job(job.pk)  # running it again changes nothing
    job.refresh_from_db()
    assert job.result == {"value": 42}


def test_failed_job_records_the_reason(town, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.enqueue(municipality=town, kind="test.fail", params={})
    job.refresh_from_db()
    assert (job.status, job.message) == ("failed", "ไฟล์เสีย")


def test_job_is_visible_to_its_owner_and_admins_only(town, other_town):
    owner = make_actor(town, Role.WELFARE, "owner")
    admin = make_actor(town, Role.ADMIN, "admin")
    stranger = make_actor(town, Role.WELFARE, "stranger")
    outsider = make_actor(other_town, Role.ADMIN, "outsider")
    job = Job.objects.create(municipality=town, kind="test.double", created_by=owner.user)
    assert access_job(owner, job.pk) == job
    assert access_job(admin, job.pk) == job
    for actor in (stranger, outsider, None):
        with pytest.raises(Http404):
            access_job(actor, job.pk)


def test_login_is_throttled_after_five_failures(client, town):
    make_actor(town, Role.WELFARE, "somchai")
    for _ in range(4):
        response = client.post("/login/", {"username": "somchai", "password": "wrong-password"})
        assert response.status_code == 200
    fifth = client.post("/login/", {"username": "somchai", "password": "wrong-password"})
    assert fifth.status_code == 429
    locked = client.post("/login/", {"username": "somchai", "password": "a-long-passphrase-1"})
    assert locked.status_code == 429
    assert "15" in locked.content.decode()


def test_login_with_the_right_password_goes_home(client, town):
    make_actor(town, Role.WELFARE, "somchai")
    response = client.post("/login/", {"username": "somchai", "password": "a-long-passphrase-1"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_password_policy_rejects_short_and_common_passwords():
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    for weak in ("short1", "password123", "1234567890"):
        with pytest.raises(ValidationError):
            validate_password(weak)
    validate_password("ลำพูนเมืองเก่า-2566")


def test_consent_give_withdraw_and_enforce(town, other_town):
    from django.core.exceptions import ValidationError

    from thukkhon.core.services import consent_active, consent_give, consent_withdraw

    actor = make_actor(town, Role.TEACHER)
    consent = consent_give(
        actor=actor,
        subject=town,
        purpose=ConsentPurpose.PHOTO_PANEL,
        given_by_name="  นางบัวคำ แสนดี ",
        given_by_relation="แม่",
    )
    assert consent.given_by_name == "นางบัวคำ แสนดี"
    assert consent_active(town, ConsentPurpose.PHOTO_PANEL) is True
    assert consent_active(town, ConsentPurpose.PHOTO_PUBLIC) is False
    with translation.override("en"), pytest.raises(ValidationError) as err:
        consent_withdraw(actor=actor, consent=consent, reason=" ")
    assert err.value.message_dict == {"withdrawn_reason": ["Give the reason for the withdrawal."]}
    consent_withdraw(actor=actor, consent=consent, reason="ไม่ประสงค์ให้ถ่ายรูป")
    assert consent_active(town, ConsentPurpose.PHOTO_PANEL) is False
    with pytest.raises(ValidationError) as err:
        consent_give(actor=actor, subject=town, purpose="marketing", given_by_name="")
    assert set(err.value.message_dict) == {"purpose", "given_by_name"}
    assert Consent.objects.count() == 1


def test_signed_in_user_gets_their_own_language_unless_the_browser_chose(client, town):
    actor = make_actor(town, Role.WELFARE, "mary")
    actor.user.language = "en"
    actor.user.save()
    client.force_login(actor.user)
    assert client.get("/").headers["Content-Language"] == "en"
    client.cookies["django_language"] = "th"
    assert client.get("/").headers["Content-Language"] == "th"


def test_user_without_membership_is_signed_in_but_sees_no_job(client, town):
    user = User.objects.create_user(username="nomember", password="a-long-passphrase-1")
    job = Job.objects.create(municipality=town, kind="test.double", created_by=user)
    client.force_login(user)
    assert client.get(f"/jobs/{job.pk}/").status_code == 404
