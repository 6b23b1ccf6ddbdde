"""Notifications through pluggable channels, with an outbox.

:func:`notify` writes a :class:`~thukkhon.core.models.Notification` row keyed by a dedupe key (the
same key again returns the first row and queues nothing) and, after the transaction commits,
enqueues the ``core.send_notifications`` job. The job sends every queued row of the municipality
through its channel, with a few retries and a pause between them; the attempts and the last error
are recorded, and a row that keeps failing ends ``failed`` — a failure never raises.

Channels (``Notification.channel``):

``outbox``
    The default: the message is logged and kept; nothing leaves the server.
``line``
    LINE Messaging API push (LINE Notify closed on 31 March 2025) through line-bot-sdk v3:
    ``POST {LINE_API_BASE_URL}/v2/bot/message/push`` with ``Authorization: Bearer
    {LINE_CHANNEL_ACCESS_TOKEN}`` and an ``X-Line-Retry-Key`` derived from the dedupe key, so a
    retried push is delivered once (LINE answers 409 to a key it has already accepted).
    The recipient is the resident's LINE user ID (``U`` and 32 hex digits), which the official
    account learns when the resident adds it.
``sms``
    A generic HTTP SMS gateway: ``POST {SMS_GATEWAY_URL}`` with ``Authorization: Bearer
    {SMS_API_KEY}`` and the JSON body ``{"to": …, "message": …, "reference": dedupe key}``.
"""

from __future__ import annotations

import json
import logging
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from typing import Any, Protocol

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from thukkhon.core.jobs import enqueue, job_kind, job_progress
from thukkhon.core.models import Job, Municipality, Notification

log = logging.getLogger(__name__)

SEND_JOB = "core.send_notifications"
OUTBOX, LINE, SMS = "outbox", "line", "sms"
#: Pauses (seconds) before the 2nd, 3rd … attempt within one run of the job; one attempt more
#: than pauses. Tests set them to zero.
RETRY_DELAYS: tuple[float, ...] = (2.0, 10.0)
HTTP_TIMEOUT = 10.0  # seconds
LINE_RETRY_NAMESPACE = uuid.UUID("6f1c1d2e-5b7a-4c1e-9a51-7a3b2f0e8d41")


class SendError(Exception):
    """A channel could not deliver the message (the text is recorded on the row)."""


class NotificationChannel(Protocol):
    name: str

    def send(self, *, to: str, body: str, key: str) -> None: ...


class OutboxChannel:
    """Stores only: the message is logged; the row itself is the record."""

    name = OUTBOX

    def send(self, *, to: str, body: str, key: str) -> None:
        log.info("outbox → %s: %s", to, body)


class LineChannel:
    """LINE Messaging API push message (line-bot-sdk v3)."""

    name = LINE

    def __init__(self, *, token: str | None = None, base_url: str | None = None) -> None:
        self.token = token if token is not None else settings.LINE_CHANNEL_ACCESS_TOKEN
        self.base_url = (base_url if base_url is not None else settings.LINE_API_BASE_URL).rstrip("/")

    def send(self, *, to: str, body: str, key: str) -> None:
        from linebot.v3.messaging import (
            ApiClient,
            ApiException,
            Configuration,
            MessagingApi,
            PushMessageRequest,
            TextMessage,
        )

        if not self.token:
            raise SendError("LINE_CHANNEL_ACCESS_TOKEN is not set")
        configuration = Configuration(host=self.base_url, access_token=self.token)
        retry_key = str(uuid.uuid5(LINE_RETRY_NAMESPACE, key))
        request = PushMessageRequest(to=to, messages=[TextMessage(text=body[:5000])])  # type: ignore[call-arg]
        try:
            with ApiClient(configuration) as client:
                MessagingApi(client).push_message(
                    request, x_line_retry_key=retry_key, _request_timeout=HTTP_TIMEOUT
                )
        except ApiException as exc:
            if exc.status == 409:  # this retry key was accepted before: delivered once already
                return
            raise SendError(f"LINE {exc.status}: {_short(exc.body)}") from exc
        except Exception as exc:  # connection refused, timeout, TLS …
            raise SendError(f"LINE: {exc}") from exc


class SmsChannel:
    """A generic HTTP SMS gateway: JSON POST with a bearer key."""

    name = SMS

    def __init__(self, *, url: str | None = None, api_key: str | None = None) -> None:
        self.url = url if url is not None else settings.SMS_GATEWAY_URL
        self.api_key = api_key if api_key is not None else settings.SMS_API_KEY

    def send(self, *, to: str, body: str, key: str) -> None:
        if not self.url:
            raise SendError("SMS_GATEWAY_URL is not set")
        data = json.dumps({"to": to, "message": body, "reference": key}, ensure_ascii=False).encode()
        request = urllib.request.Request(
            self.url,
            data=data,
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Authorization": f"Bearer {self.api_key}",
                "Idempotency-Key": key,
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT) as response:
                response.read()
        except urllib.error.HTTPError as exc:
            raise SendError(f"SMS {exc.code}: {_short(exc.read())}") from exc
        except (urllib.error.URLError, OSError) as exc:
            raise SendError(f"SMS: {exc}") from exc


def _short(body: object) -> str:
    text = body.decode(errors="replace") if isinstance(body, bytes) else str(body or "")
    return text[:200]


_FACTORIES: dict[str, Callable[[], NotificationChannel]] = {
    OUTBOX: OutboxChannel,
    LINE: LineChannel,
    SMS: SmsChannel,
}


def register_channel(name: str, factory: Callable[[], NotificationChannel]) -> None:
    """Plug in another channel (e.g. e-mail) under ``name``."""
    _FACTORIES[name] = factory


def get_channel(name: str) -> NotificationChannel:
    return _FACTORIES[name]()


def channel_configured(name: str) -> bool:
    """Whether messages on ``name`` can actually leave the server."""
    if name == LINE:
        return bool(settings.LINE_CHANNEL_ACCESS_TOKEN)
    if name == SMS:
        return bool(settings.SMS_GATEWAY_URL)
    return name in _FACTORIES


def notify(
    *,
    municipality: Municipality,
    channel: str,
    to: str,
    template: str,
    body: str,
    dedupe_key: str,
    send: bool = True,
) -> tuple[Notification, bool]:
    """Queue one message; ``(row, created)``. The same dedupe key again returns the first row and
    queues nothing, so a reminder asked for twice is sent once. With ``send`` the sending job is
    enqueued after the transaction commits."""
    if channel not in _FACTORIES:
        raise ValueError(f"unknown notification channel {channel!r}")
    key = dedupe_key[:120]
    existing = Notification.objects.filter(dedupe_key=key).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            row = Notification.objects.create(
                municipality=municipality,
                channel=channel,
                to=to[:100],
                template=template[:60],
                body=body,
                dedupe_key=key,
            )
    except IntegrityError:  # a concurrent call with the same key won
        return Notification.objects.get(dedupe_key=key), False
    if send:
        send_later(municipality)
    return row, True


def send_later(municipality: Municipality) -> Job:
    """Enqueue the sending job (it runs after the transaction commits). Callers that queue many
    messages pass ``send=False`` to :func:`notify` and call this once."""
    return enqueue(municipality=municipality, kind=SEND_JOB, params={})


def _attempt(row: Notification) -> bool:
    """One try: claim the row (attempts + 1, only if nobody else did), send, record. Never raises."""
    claimed = Notification.objects.filter(
        pk=row.pk, state=Notification.State.QUEUED, attempts=row.attempts
    ).update(attempts=F("attempts") + 1)
    if not claimed:
        row.refresh_from_db()
        return row.state == Notification.State.SENT
    row.attempts += 1
    try:
        get_channel(row.channel).send(to=row.to, body=row.body, key=row.dedupe_key)
    except Exception as exc:  # any failure of a channel is recorded, never raised
        row.error = str(exc)[:300]
        Notification.objects.filter(pk=row.pk).update(error=row.error)
        log.warning("notification %s via %s failed (attempt %s): %s", row.pk, row.channel, row.attempts, exc)
        return False
    row.state, row.sent_at, row.error = Notification.State.SENT, timezone.now(), ""
    Notification.objects.filter(pk=row.pk).update(state=row.state, sent_at=row.sent_at, error="")
    return True


def send_notification(row: Notification, *, sleep: Callable[[float], None] = time.sleep) -> bool:
    """Send one queued row with retries (``RETRY_DELAYS``); after the last failure it is ``failed``."""
    delays = (0.0, *RETRY_DELAYS)
    for n, delay in enumerate(delays):
        if row.state != Notification.State.QUEUED:
            return row.state == Notification.State.SENT
        if n and delay:
            sleep(delay)
        if _attempt(row):
            return True
    Notification.objects.filter(pk=row.pk, state=Notification.State.QUEUED).update(
        state=Notification.State.FAILED
    )
    row.state = Notification.State.FAILED
    return False


def send_queued(municipality: Municipality, *, job: Job | None = None, limit: int = 500) -> dict[str, Any]:
    """Send the municipality's queued notifications (oldest first, at most ``limit``)."""
    rows = list(
        Notification.objects.filter(municipality=municipality, state=Notification.State.QUEUED).order_by(
            "created_at", "id"
        )[:limit]
    )
    sent = failed = 0
    for n, row in enumerate(rows, start=1):
        if send_notification(row):
            sent += 1
        else:
            failed += 1
        if job is not None:
            job_progress(job, n, len(rows))
    return {"sent": sent, "failed": failed}


@job_kind(SEND_JOB)
def send_notifications_job(job: Job) -> dict[str, Any]:
    return send_queued(job.municipality, job=job)
