"""Linking a resident's LINE: link codes issued by staff, and the signed webhook against a fake LINE
server on 127.0.0.1 (signature, code, expiry, replay, follow/unfollow, the Thai replies)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tests.core.test_notify import FakeServer
from tests.factories import CommunityFactory, MunicipalityFactory, ResidentFactory, member
from thukkhon.core.actor import actor_for
from thukkhon.people import line
from thukkhon.people.models import LineLinkCode, LineWebhookEvent, Resident, ResidentLinkLog

pytestmark = pytest.mark.django_db

BKK = ZoneInfo("Asia/Bangkok")
SECRET = "line-channel-secret"
SOMSRI_LINE = "U" + "0123456789abcdef" * 2
OTHER_LINE = "U" + "fedcba9876543210" * 2
NOW = datetime(2025, 3, 5, 9, 0, tzinfo=BKK)


@pytest.fixture
def server() -> Iterator[FakeServer]:
    fake = FakeServer()
    fake.thread.start()
    yield fake
    fake.httpd.shutdown()
    fake.httpd.server_close()


@pytest.fixture
def fake_line(settings: Any, server: FakeServer) -> FakeServer:
    settings.LINE_CHANNEL_SECRET = SECRET
    settings.LINE_CHANNEL_ACCESS_TOKEN = "line-test-token"
    settings.LINE_API_BASE_URL = server.url
    return server


@pytest.fixture
def town():
    muni = MunicipalityFactory(code="lamphun", name_th="เทศบาลเมืองลำพูน")
    community = CommunityFactory(municipality=muni, name_th="ชุมชนประตูลี้")
    somsri = ResidentFactory(municipality=muni, community=community, first_name="สมศรี", last_name="ใจดี")
    welfare = member(muni, "welfare", username="welfare")
    return muni, community, somsri, welfare


def _issue(resident: Resident, user: Any, now: datetime = NOW) -> LineLinkCode:
    actor = actor_for(user)
    assert actor is not None
    return line.line_code_issue(actor=actor, resident=resident, now=now)


def _sign(body: bytes, secret: str = SECRET) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def _event(kind: str, event_id: str, user_id: str = SOMSRI_LINE, **extra: Any) -> dict[str, Any]:
    event = {
        "type": kind,
        "mode": "active",
        "timestamp": 1741140000000,
        "source": {"type": "user", "userId": user_id},
        "webhookEventId": event_id,
        "deliveryContext": {"isRedelivery": False},
    }
    if kind != "unfollow":
        event["replyToken"] = f"reply-{event_id}"
    event.update(extra)
    return event


def _text(event_id: str, text: str, user_id: str = SOMSRI_LINE) -> dict[str, Any]:
    message = {"type": "text", "id": "468789577898262530", "text": text, "quoteToken": "q"}
    return _event("message", event_id, user_id, message=message)


def _post(client: Any, *events: dict[str, Any], signature: str | None = None) -> Any:
    body = json.dumps({"destination": "Uxxxxxxxx", "events": list(events)}, ensure_ascii=False).encode()
    return client.post(
        "/line/webhook",
        data=body,
        content_type="application/json",
        headers={"X-Line-Signature": signature if signature is not None else _sign(body)},
    )


def _replies(server: FakeServer) -> list[tuple[str, str, str]]:
    out = []
    for request in server.requests:
        body = json.loads(request["body"])
        out.append((request["path"], body["replyToken"], body["messages"][0]["text"]))
    return out


# --- Codes -------------------------------------------------------------------------------------------


def test_code_is_six_digits_valid_24_hours_and_replaces_the_earlier_one(town):
    _, _, somsri, welfare = town
    first = _issue(somsri, welfare)
    assert len(first.code) == 6 and first.code.isdigit()
    assert first.expires_at == NOW + timedelta(hours=24)
    second = _issue(somsri, welfare, NOW + timedelta(minutes=5))
    assert list(LineLinkCode.objects.values_list("pk", flat=True)) == [second.pk]
    assert line.active_line_code(somsri, now=NOW + timedelta(hours=24)) == second
    assert line.active_line_code(somsri, now=NOW + timedelta(hours=24, minutes=5)) is None
    assert list(ResidentLinkLog.objects.values_list("action", flat=True)) == ["line_code_issued"] * 2


@pytest.mark.parametrize("role", ["volunteer", "teacher", "dispatcher"])
def test_only_welfare_and_admin_issue_codes(town, role):
    muni, community, somsri, _ = town
    user = member(muni, role, communities=[community] if role == "volunteer" else [])
    with pytest.raises(PermissionDenied):
        _issue(somsri, user)
    assert LineLinkCode.objects.count() == 0


def test_no_code_for_a_resident_who_died(town):
    _, _, somsri, welfare = town
    somsri.status, somsri.status_date = "deceased", NOW.date()
    somsri.save()
    with pytest.raises(ValidationError) as info:
        _issue(somsri, welfare)
    assert info.value.messages == ["รหัสเชื่อม LINE ออกได้เฉพาะผู้อยู่อาศัยที่ยังมีชีวิตอยู่"]


def test_profile_shows_the_code_with_the_thai_instruction(client, town):
    muni, _, somsri, welfare = town
    muni.settings = {"line_official_account": "@lamphuncity"}
    muni.save()
    client.force_login(welfare)
    response = client.post(f"/registry/residents/{somsri.pk}/line-code/")
    assert response.status_code == 302
    assert response["Location"] == f"/registry/residents/{somsri.pk}/#h-links"
    code = LineLinkCode.objects.get()
    assert code.created_by == welfare
    body = client.get(f"/registry/residents/{somsri.pk}/").content.decode()
    assert f'<strong class="stat-value" id="line-code">{code.code}</strong>' in body
    assert "บอกผู้อยู่อาศัย: เพิ่มเพื่อนบัญชี LINE ทางการของเทศบาล @lamphuncity แล้วส่งรหัสนี้ในแชต" in body
    until = timezone.localtime(code.expires_at)
    assert f"ใช้ได้ครั้งเดียว ภายใน {until.day} " in body


def test_profile_hides_the_code_and_the_button_from_a_dispatcher(client, town):
    muni, _, somsri, welfare = town
    code = _issue(somsri, welfare, timezone.now())
    client.force_login(member(muni, "dispatcher"))
    body = client.get(f"/registry/residents/{somsri.pk}/").content.decode()
    assert code.code not in body
    assert "/line-code/" not in body
    assert client.post(f"/registry/residents/{somsri.pk}/line-code/").status_code == 404


# --- The webhook -------------------------------------------------------------------------------------


def test_a_valid_code_links_the_resident_and_replies_in_thai(client, town, fake_line):
    _, _, somsri, welfare = town
    code = _issue(somsri, welfare, timezone.now())
    response = _post(client, _text("01HEVENT1", code.code))
    assert response.status_code == 200
    somsri.refresh_from_db()
    assert somsri.line_id == SOMSRI_LINE
    code.refresh_from_db()
    assert code.used_at is not None and code.line_user_id == SOMSRI_LINE
    assert _replies(fake_line) == [
        (
            "/v2/bot/message/reply",
            "reply-01HEVENT1",
            "เชื่อมต่อ LINE กับข้อมูลของคุณสมศรี ใจดีเรียบร้อยแล้ว\n"
            "ท่านจะได้รับการแจ้งเตือนรถช่วยเหลือประชาชนจากเทศบาลเมืองลำพูนทาง LINE นี้",
        )
    ]
    assert fake_line.requests[0]["headers"]["Authorization"] == "Bearer line-test-token"
    log = ResidentLinkLog.objects.filter(action="line_linked").get()
    assert (log.resident, log.line_user_id, log.by) == (somsri, SOMSRI_LINE, None)
    # the old value is kept in the resident's history
    assert [h.line_id for h in somsri.history.order_by("history_date")] == ["", SOMSRI_LINE]


def test_thai_digits_and_spaces_are_accepted(client, town, fake_line):
    _, _, somsri, welfare = town
    code = _issue(somsri, welfare, timezone.now())
    thai = code.code.translate(str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙"))
    _post(client, _text("01HEVENT1", f" {thai[:3]} {thai[3:]} "))
    somsri.refresh_from_db()
    assert somsri.line_id == SOMSRI_LINE


def test_a_code_is_used_once(client, town, fake_line):
    _, _, somsri, welfare = town
    code = _issue(somsri, welfare, timezone.now())
    _post(client, _text("01HEVENT1", code.code))
    _post(client, _text("01HEVENT2", code.code, user_id=OTHER_LINE))
    somsri.refresh_from_db()
    assert somsri.line_id == SOMSRI_LINE
    assert _replies(fake_line)[1] == (
        "/v2/bot/message/reply",
        "reply-01HEVENT2",
        f"รหัส {code.code} ไม่ถูกต้องหรือหมดอายุแล้ว กรุณาตรวจสอบรหัส หรือขอรหัสใหม่จากเจ้าหน้าที่เทศบาล",
    )


def test_an_expired_code_changes_nothing(client, town, fake_line):
    _, _, somsri, welfare = town
    code = _issue(somsri, welfare, timezone.now() - timedelta(hours=24, seconds=1))
    _post(client, _text("01HEVENT1", code.code))
    somsri.refresh_from_db()
    code.refresh_from_db()
    assert (somsri.line_id, code.used_at) == ("", None)
    assert _replies(fake_line) == [
        (
            "/v2/bot/message/reply",
            "reply-01HEVENT1",
            f"รหัส {code.code} ไม่ถูกต้องหรือหมดอายุแล้ว กรุณาตรวจสอบรหัส หรือขอรหัสใหม่จากเจ้าหน้าที่เทศบาล",
        )
    ]
    assert not ResidentLinkLog.objects.filter(action="line_linked").exists()


def test_an_unknown_code_changes_nothing(client, town, fake_line):
    _, _, somsri, welfare = town
    code = _issue(somsri, welfare, timezone.now())
    wrong = f"{(int(code.code) + 1) % 1_000_000:06d}"
    _post(client, _text("01HEVENT1", wrong))
    somsri.refresh_from_db()
    assert somsri.line_id == ""
    assert _replies(fake_line)[0][2].startswith(f"รหัส {wrong} ไม่ถูกต้องหรือหมดอายุแล้ว")


def test_ordinary_chat_gets_no_reply(client, town, fake_line):
    response = _post(client, _text("01HEVENT1", "สวัสดีค่ะ"))
    assert response.status_code == 200
    assert fake_line.requests == []
    assert LineWebhookEvent.objects.get().outcome == "ignored"


def test_five_wrong_codes_in_an_hour_then_refused(client, town, fake_line):
    _, _, somsri, welfare = town
    code = _issue(somsri, welfare, timezone.now())
    wrong = f"{(int(code.code) + 1) % 1_000_000:06d}"
    for n in range(5):
        _post(client, _text(f"01HBAD{n}", wrong, user_id=OTHER_LINE))
    _post(client, _text("01HRIGHT", code.code, user_id=OTHER_LINE))
    somsri.refresh_from_db()
    assert somsri.line_id == ""
    assert _replies(fake_line)[-1][2] == (
        "ส่งรหัสไม่ถูกต้องหลายครั้งเกินไป กรุณารอ 1 ชั่วโมงแล้วลองใหม่ หรือติดต่อเจ้าหน้าที่เทศบาล"
    )
    # another LINE user is not held back by them
    _post(client, _text("01HSOMSRI", code.code))
    somsri.refresh_from_db()
    assert somsri.line_id == SOMSRI_LINE


def test_a_replayed_event_is_handled_once(client, town, fake_line):
    _, _, somsri, welfare = town
    code = _issue(somsri, welfare, timezone.now())
    event = _text("01HEVENT1", code.code)
    assert _post(client, event).status_code == 200
    somsri.line_id = ""  # staff cleared it meanwhile
    somsri.save()
    assert _post(client, event).status_code == 200
    somsri.refresh_from_db()
    assert somsri.line_id == ""
    assert len(fake_line.requests) == 1
    assert LineWebhookEvent.objects.count() == 1
    assert ResidentLinkLog.objects.filter(action="line_linked").count() == 1


@pytest.mark.parametrize("signature", ["", "bm90IHRoZSBzaWduYXR1cmU=", "wrong"])
def test_a_bad_signature_is_refused_and_changes_nothing(client, town, fake_line, signature):
    _, _, somsri, welfare = town
    code = _issue(somsri, welfare, timezone.now())
    response = _post(client, _text("01HEVENT1", code.code), signature=signature)
    assert response.status_code == 400
    somsri.refresh_from_db()
    assert somsri.line_id == ""
    assert LineLinkCode.objects.get().used_at is None
    assert LineWebhookEvent.objects.count() == 0
    assert fake_line.requests == []


def test_a_body_signed_with_another_secret_is_refused(client, town, fake_line):
    _, _, somsri, welfare = town
    code = _issue(somsri, welfare, timezone.now())
    body = json.dumps({"events": [_text("01HEVENT1", code.code)]}).encode()
    response = client.post(
        "/line/webhook",
        data=body,
        content_type="application/json",
        headers={"X-Line-Signature": _sign(body, "x")},
    )
    assert response.status_code == 400
    somsri.refresh_from_db()
    assert somsri.line_id == ""


def test_without_a_channel_secret_everything_is_refused(client, town, fake_line, settings):
    settings.LINE_CHANNEL_SECRET = ""
    body = json.dumps({"events": []}).encode()
    response = client.post(
        "/line/webhook",
        data=body,
        content_type="application/json",
        headers={"X-Line-Signature": _sign(body, "")},
    )
    assert response.status_code == 400


def test_the_webhook_needs_no_csrf_token_but_only_post(town, fake_line):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert _post(strict).status_code == 200  # LINE's verify request: no events
    assert strict.get("/line/webhook").status_code == 405


def test_follow_replies_how_to_link(client, town, fake_line):
    _post(client, _event("follow", "01HFOLLOW", follow={"isUnblocked": False}))
    assert _replies(fake_line) == [
        (
            "/v2/bot/message/reply",
            "reply-01HFOLLOW",
            "ขอบคุณที่เพิ่มเพื่อนกับเทศบาล\n"
            "หากต้องการรับข่าวสารรถช่วยเหลือประชาชนทาง LINE กรุณาส่งรหัส 6 หลัก"
            "ที่ได้รับจากเจ้าหน้าที่เทศบาลมาในแชตนี้ (รหัสใช้ได้ 24 ชั่วโมง)",
        )
    ]


def test_unfollow_clears_the_line_id(client, town, fake_line):
    muni, community, somsri, _ = town
    somsri.line_id = SOMSRI_LINE
    somsri.save()
    other = ResidentFactory(municipality=muni, community=community, line_id=OTHER_LINE)
    _post(client, _event("unfollow", "01HUNFOLLOW"))
    somsri.refresh_from_db()
    other.refresh_from_db()
    assert (somsri.line_id, other.line_id) == ("", OTHER_LINE)
    assert fake_line.requests == []
    log = ResidentLinkLog.objects.get()
    assert (log.action, log.resident, log.line_user_id) == ("line_unlinked", somsri, SOMSRI_LINE)


def test_a_reply_that_fails_does_not_undo_the_link(client, town, fake_line):
    _, _, somsri, welfare = town
    fake_line.statuses = [500]
    code = _issue(somsri, welfare, timezone.now())
    assert _post(client, _text("01HEVENT1", code.code)).status_code == 200
    somsri.refresh_from_db()
    assert somsri.line_id == SOMSRI_LINE


def test_several_events_in_one_request(client, town, fake_line):
    _, _, somsri, welfare = town
    code = _issue(somsri, welfare, timezone.now())
    _post(
        client,
        _event("follow", "01HA", follow={"isUnblocked": False}),
        _text("01HB", code.code),
        {"type": "somethingNew", "mode": "active", "timestamp": 1, "webhookEventId": "01HC"},
    )
    somsri.refresh_from_db()
    assert somsri.line_id == SOMSRI_LINE
    assert [r[1] for r in _replies(fake_line)] == ["reply-01HA", "reply-01HB"]
    assert sorted(LineWebhookEvent.objects.values_list("webhook_event_id", "outcome")) == [
        ("01HA", "follow"),
        ("01HB", "linked"),
    ]


def test_profile_says_whether_line_is_linked_and_whether_consent_is_missing(client, town):
    muni, _, somsri, _ = town
    client.force_login(member(muni, "dispatcher"))
    body = client.get(f"/registry/residents/{somsri.pk}/").content.decode()
    assert '<span class="muted">ยังไม่ได้เชื่อม</span>' in body
    somsri.line_id = SOMSRI_LINE
    somsri.save()
    body = client.get(f"/registry/residents/{somsri.pk}/").content.decode()
    assert 'เชื่อม LINE แล้ว <span class="badge badge-warn">ยังไม่ได้รับความยินยอมให้ส่งข้อความ</span>' in body


def test_without_an_access_token_the_link_is_made_and_no_reply_is_sent(client, town, fake_line, settings):
    _, _, somsri, welfare = town
    settings.LINE_CHANNEL_ACCESS_TOKEN = ""
    code = _issue(somsri, welfare, timezone.now())
    assert _post(client, _text("01HEVENT1", code.code)).status_code == 200
    somsri.refresh_from_db()
    assert somsri.line_id == SOMSRI_LINE
    assert fake_line.requests == []
