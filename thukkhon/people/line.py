"""Linking a resident to their LINE account, so that messages reach them by LINE.

A LINE user ID (``U`` and 32 hex digits) is learned only from the LINE Messaging API webhook, so:

1. staff issue a one-time **link code** on the resident's page (:func:`line_code_issue`: 6 digits,
   valid 24 hours; a new code replaces the resident's earlier unused one);
2. the resident (or whoever reads their messages) adds the municipality's LINE official account as a
   friend and sends the code;
3. LINE posts the message to ``POST /line/webhook``; :func:`handle_webhook` checks the
   ``X-Line-Signature`` (HMAC-SHA256 of the raw body with ``LINE_CHANNEL_SECRET``, through
   line-bot-sdk v3's ``SignatureValidator``), sets ``Resident.line_id`` to the sender's user ID, consumes
   the code and replies in Thai through the reply API at ``LINE_API_BASE_URL``.

``follow`` events get the instructions; ``unfollow`` (the user blocked the account) clears the
``line_id`` of the residents linked to that user. Each event is handled once by its
``webhookEventId`` (LINE redelivers; a replayed request changes nothing). After
``MAX_FAILED_CODES`` wrong codes in an hour a LINE user is refused until the hour has passed, so a
code cannot be guessed. Every link and unlink is recorded in :class:`ResidentLinkLog`, and the
resident's own history keeps the old ``line_id``.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from thukkhon.core.actor import Actor
from thukkhon.core.roles import REGISTRY_WRITE
from thukkhon.core.thai import arabic_digits
from thukkhon.people.models import (
    LineLinkCode,
    LineWebhookEvent,
    Resident,
    ResidentLinkAction,
    ResidentLinkLog,
    ResidentStatus,
)

log = logging.getLogger(__name__)

CODE_LIFETIME = timedelta(hours=24)
MAX_FAILED_CODES = 5  # wrong codes per LINE user per hour
FAILED_WINDOW = timedelta(hours=1)
HTTP_TIMEOUT = 10.0  # seconds
LINE_USER_ID = re.compile(r"^U[0-9a-f]{32}$")
CODE_TEXT = re.compile(r"^\d{6}$")

# Replies, in Thai: the residents of a Thai town read them.
HOW_TO_LINK = (
    "ขอบคุณที่เพิ่มเพื่อนกับ{town}\n"
    "หากต้องการรับข่าวสารรถช่วยเหลือประชาชนทาง LINE กรุณาส่งรหัส 6 หลัก"
    "ที่ได้รับจากเจ้าหน้าที่เทศบาลมาในแชตนี้ (รหัสใช้ได้ 24 ชั่วโมง)"
)
LINKED = "เชื่อมต่อ LINE กับข้อมูลของ{name}เรียบร้อยแล้ว\nท่านจะได้รับการแจ้งเตือนรถช่วยเหลือประชาชนจาก{town}ทาง LINE นี้"
BAD_CODE = "รหัส {code} ไม่ถูกต้องหรือหมดอายุแล้ว กรุณาตรวจสอบรหัส หรือขอรหัสใหม่จากเจ้าหน้าที่เทศบาล"
TOO_MANY = "ส่งรหัสไม่ถูกต้องหลายครั้งเกินไป กรุณารอ 1 ชั่วโมงแล้วลองใหม่ หรือติดต่อเจ้าหน้าที่เทศบาล"


class InvalidSignature(Exception):
    """The request did not come from LINE (or the channel secret is not set)."""


# --- Link codes (staff) --------------------------------------------------------------------------------


def can_manage_links(actor: Actor | None) -> bool:
    """Welfare officers and administrators link residents to their sign-in and LINE."""
    return actor is not None and actor.has_role(*REGISTRY_WRITE)


def _new_code() -> str:
    return f"{secrets.randbelow(1_000_000):06d}"


def line_code_issue(*, actor: Actor, resident: Resident, now: datetime | None = None) -> LineLinkCode:
    """A new one-time code for ``resident``, valid 24 hours; their earlier unused code stops working."""
    if not can_manage_links(actor):
        raise PermissionDenied(_("You may not link residents to LINE."))
    if resident.municipality_id != actor.municipality.pk:
        raise PermissionDenied(_("You may not link residents to LINE."))
    if resident.status != ResidentStatus.ALIVE:
        raise ValidationError(_("A link code is only for a living resident of the town."))
    moment = now or timezone.now()
    with transaction.atomic():
        LineLinkCode.objects.filter(resident=resident, used_at__isnull=True).delete()
        LineLinkCode.objects.filter(used_at__isnull=True, expires_at__lte=moment).delete()
        for _attempt in range(20):
            try:
                with transaction.atomic():
                    row = LineLinkCode.objects.create(
                        municipality=resident.municipality,
                        resident=resident,
                        code=_new_code(),
                        created_by=actor.user,
                        expires_at=moment + CODE_LIFETIME,
                    )
            except IntegrityError:  # that code is in use by another resident: draw again
                continue
            ResidentLinkLog.objects.create(
                municipality=resident.municipality,
                resident=resident,
                action=ResidentLinkAction.LINE_CODE_ISSUED,
                by=actor.user,
            )
            return row
    raise ValidationError(_("No free link code could be drawn. Please try again."))


def active_line_code(resident: Resident, *, now: datetime | None = None) -> LineLinkCode | None:
    """The resident's unused, unexpired code, if any."""
    return (
        LineLinkCode.objects.filter(
            resident=resident, used_at__isnull=True, expires_at__gt=now or timezone.now()
        )
        .order_by("-created_at")
        .first()
    )


def has_line_user_id(resident: Resident) -> bool:
    return bool(LINE_USER_ID.match(resident.line_id.strip()))


def link_log(resident: Resident, *, limit: int = 10) -> list[ResidentLinkLog]:
    return list(resident.link_log.select_related("user", "by").order_by("-at", "-id")[:limit])


# --- The webhook ---------------------------------------------------------------------------------------


@dataclass
class WebhookResult:
    """What one webhook request did: counts per outcome, and the replies to send after commit."""

    outcomes: list[str] = field(default_factory=list)
    replies: list[tuple[str, str]] = field(default_factory=list)  # (reply token, text)


def parse_events(body: bytes, signature: str) -> list[object]:
    """The events of a webhook body whose signature is right; :class:`InvalidSignature` otherwise.

    The signature is checked by line-bot-sdk's ``SignatureValidator`` (what its ``WebhookParser``
    uses); events are then read one by one, so that an event type this SDK does not know yet is
    skipped instead of failing the whole request (and with it a resident's link code)."""
    from linebot.v3.webhook import SignatureValidator
    from linebot.v3.webhooks import Event

    secret = settings.LINE_CHANNEL_SECRET
    if not secret or not signature:
        raise InvalidSignature("LINE_CHANNEL_SECRET is not set" if not secret else "no signature")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidSignature("body is not UTF-8") from exc
    if not SignatureValidator(secret).validate(text, signature):
        raise InvalidSignature("signature does not match")
    try:
        raw_events = json.loads(text)["events"]
        if not isinstance(raw_events, list):
            raise TypeError("events is not a list")
    except (ValueError, KeyError, TypeError) as exc:  # signed by LINE but not what LINE sends
        raise InvalidSignature(f"malformed body: {exc}") from exc
    events: list[object] = []
    for raw in raw_events:
        try:
            events.append(Event.from_dict(raw))
        except Exception as exc:  # an event type or field the SDK does not know
            log.info("LINE webhook: event skipped (%s): %s", exc, str(raw)[:200])
    return events


def handle_webhook(body: bytes, signature: str, *, now: datetime | None = None) -> WebhookResult:
    """Verify and handle one webhook request; replies are sent after the changes are committed."""
    events = parse_events(body, signature)
    result = WebhookResult()
    for event in events:
        outcome, reply = _handle_event(event, now=now or timezone.now())
        result.outcomes.append(outcome)
        token = getattr(event, "reply_token", None)
        if reply and token:
            result.replies.append((token, reply))
    for token, text in result.replies:
        send_reply(token, text)
    return result


def _town_name(resident: Resident | None = None) -> str:
    if resident is not None:
        return resident.municipality.name_th
    return "เทศบาล"


def _handle_event(event: object, *, now: datetime) -> tuple[str, str]:
    """(outcome, reply text or ""). Each webhookEventId is handled once."""
    from linebot.v3.webhooks import FollowEvent, MessageEvent, TextMessageContent, UnfollowEvent

    event_id = str(getattr(event, "webhook_event_id", "") or "")
    source = getattr(event, "source", None)
    user_id = str(getattr(source, "user_id", "") or "")
    if not event_id:
        return "ignored", ""
    kind = str(getattr(event, "type", "") or type(event).__name__)[:30]
    try:
        with transaction.atomic():
            record = LineWebhookEvent.objects.create(
                webhook_event_id=event_id[:64], kind=kind, line_user_id=user_id[:33]
            )
            if isinstance(event, MessageEvent) and isinstance(event.message, TextMessageContent):
                outcome, reply = _on_text(user_id, event.message.text, now=now)
            elif isinstance(event, FollowEvent):
                outcome, reply = "follow", HOW_TO_LINK.format(town=_town_name())
            elif isinstance(event, UnfollowEvent):
                outcome, reply = _on_unfollow(user_id), ""
            else:
                outcome, reply = "ignored", ""
            record.outcome = outcome
            record.save(update_fields=["outcome"])
    except IntegrityError:  # handled before: a redelivery or a replay
        return "duplicate", ""
    return outcome, reply


def _on_text(user_id: str, text: str, *, now: datetime) -> tuple[str, str]:
    code = arabic_digits(text).replace(" ", "").strip()
    if not CODE_TEXT.match(code):
        return "ignored", ""  # ordinary chat with the official account is not ours to answer
    if not LINE_USER_ID.match(user_id):
        return "ignored", ""
    failed = LineWebhookEvent.objects.filter(
        line_user_id=user_id, outcome="bad_code", received_at__gte=now - FAILED_WINDOW
    ).count()
    if failed >= MAX_FAILED_CODES:
        return "refused", TOO_MANY
    row = (
        LineLinkCode.objects.select_for_update()
        .select_related("resident__municipality")
        .filter(code=code, used_at__isnull=True, expires_at__gt=now)
        .first()
    )
    if row is None or row.resident.status != ResidentStatus.ALIVE:
        return "bad_code", BAD_CODE.format(code=code)
    resident = row.resident
    resident.line_id = user_id
    resident.save(update_fields=["line_id", "updated_at"])
    row.used_at, row.line_user_id = now, user_id
    row.save(update_fields=["used_at", "line_user_id"])
    ResidentLinkLog.objects.create(
        municipality=resident.municipality,
        resident=resident,
        action=ResidentLinkAction.LINE_LINKED,
        line_user_id=user_id,
    )
    name = f"คุณ{resident.first_name} {resident.last_name}".strip()
    return "linked", LINKED.format(name=name, town=_town_name(resident))


def _on_unfollow(user_id: str) -> str:
    if not LINE_USER_ID.match(user_id):
        return "ignored"
    residents = list(Resident.objects.filter(line_id=user_id))
    for resident in residents:
        resident.line_id = ""
        resident.save(update_fields=["line_id", "updated_at"])
        ResidentLinkLog.objects.create(
            municipality_id=resident.municipality_id,
            resident=resident,
            action=ResidentLinkAction.LINE_UNLINKED,
            line_user_id=user_id,
        )
    return "unlinked" if residents else "ignored"


def send_reply(reply_token: str, text: str) -> bool:
    """Reply through the Messaging API (``POST {LINE_API_BASE_URL}/v2/bot/message/reply``). A failure
    is logged, never raised: the link itself is already saved."""
    from linebot.v3.messaging import ApiClient, Configuration, MessagingApi, ReplyMessageRequest, TextMessage

    token = settings.LINE_CHANNEL_ACCESS_TOKEN
    if not token:
        log.info("LINE reply not sent (LINE_CHANNEL_ACCESS_TOKEN is not set): %s", text)
        return False
    configuration = Configuration(host=settings.LINE_API_BASE_URL.rstrip("/"), access_token=token)
    request = ReplyMessageRequest(reply_token=reply_token, messages=[TextMessage(text=text[:5000])])  # type: ignore[call-arg]
    try:
        with ApiClient(configuration) as client:
            MessagingApi(client).reply_message(request, _request_timeout=HTTP_TIMEOUT)
    except Exception as exc:  # LINE errors, connection refused, timeout …
        log.warning("LINE reply failed: %s", exc)
        return False
    return True
