"""Notification channels against a fake HTTP server on 127.0.0.1 (LINE Messaging API and an SMS
gateway): exact path, headers and body; retries with the attempts and the error recorded; dedupe."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tests.factories import MunicipalityFactory
from thukkhon.core import notify
from thukkhon.core.jobs import run_job
from thukkhon.core.models import Job, Notification

pytestmark = pytest.mark.django_db

LINE_USER = "U" + "0123456789abcdef" * 2


class FakeServer:
    """Records every request; answers with the next status of ``statuses`` (the last one repeats)."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.statuses: list[int] = [200]
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                raw = self.rfile.read(length)
                fake.requests.append(
                    {"method": "POST", "path": self.path, "headers": dict(self.headers), "body": raw}
                )
                status = fake.statuses.pop(0) if len(fake.statuses) > 1 else fake.statuses[0]
                payload = (
                    b'{"sentMessages":[{"id":"1","quoteToken":"q"}]}'
                    if status == 200
                    else b'{"message":"boom"}'
                )
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def json(self, i: int = -1) -> Any:
        return json.loads(self.requests[i]["body"])


@pytest.fixture
def server() -> Iterator[FakeServer]:
    fake = FakeServer()
    fake.thread.start()
    yield fake
    fake.httpd.shutdown()
    fake.httpd.server_close()


@pytest.fixture(autouse=True)
def _no_pauses(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(notify, "RETRY_DELAYS", (0.0, 0.0))


@pytest.fixture
def line(settings: Any, server: FakeServer) -> FakeServer:
    settings.LINE_CHANNEL_ACCESS_TOKEN = "line-test-token"
    settings.LINE_API_BASE_URL = server.url
    return server


@pytest.fixture
def sms(settings: Any, server: FakeServer) -> FakeServer:
    settings.SMS_GATEWAY_URL = server.url + "/api/sms/send"
    settings.SMS_API_KEY = "sms-test-key"
    return server


def _queue(channel: str, to: str, key: str = "ride:1:ride_reminder") -> Notification:
    row, created = notify.notify(
        municipality=MunicipalityFactory(),
        channel=channel,
        to=to,
        template="ride_reminder",
        body="เรียน คุณสมศรี ใจดี",
        dedupe_key=key,
        send=False,
    )
    assert created
    return row


def test_line_push_exact_request(line: FakeServer) -> None:
    row = _queue(notify.LINE, LINE_USER)
    assert notify.send_queued(row.municipality) == {"sent": 1, "failed": 0}
    assert len(line.requests) == 1
    request = line.requests[0]
    assert request["path"] == "/v2/bot/message/push"
    assert request["headers"]["Authorization"] == "Bearer line-test-token"
    assert request["headers"]["Content-Type"] == "application/json"
    assert request["headers"]["X-Line-Retry-Key"] == str(
        uuid.uuid5(notify.LINE_RETRY_NAMESPACE, "ride:1:ride_reminder")
    )
    assert line.json() == {
        "to": LINE_USER,
        "messages": [{"type": "text", "text": "เรียน คุณสมศรี ใจดี"}],
        "notificationDisabled": False,
    }
    row.refresh_from_db()
    assert (row.state, row.attempts, row.error) == ("sent", 1, "")
    assert row.sent_at is not None


def test_line_failure_is_retried_then_failed_with_error(line: FakeServer) -> None:
    line.statuses = [500]
    row = _queue(notify.LINE, LINE_USER)
    assert notify.send_queued(row.municipality) == {"sent": 0, "failed": 1}  # never raises
    assert len(line.requests) == 3  # one attempt and two retries
    retry_keys = {r["headers"]["X-Line-Retry-Key"] for r in line.requests}
    assert len(retry_keys) == 1  # the same retry key every time: LINE delivers once
    row.refresh_from_db()
    assert (row.state, row.attempts) == ("failed", 3)
    assert row.error.startswith("LINE 500: ") and "boom" in row.error


def test_line_retry_then_success(line: FakeServer) -> None:
    line.statuses = [503, 200]
    row = _queue(notify.LINE, LINE_USER)
    assert notify.send_queued(row.municipality) == {"sent": 1, "failed": 0}
    row.refresh_from_db()
    assert (row.state, row.attempts, row.error) == ("sent", 2, "")


def test_line_409_means_the_retry_key_was_already_accepted(line: FakeServer) -> None:
    line.statuses = [409]
    row = _queue(notify.LINE, LINE_USER)
    assert notify.send_queued(row.municipality) == {"sent": 1, "failed": 0}
    row.refresh_from_db()
    assert (row.state, row.attempts) == ("sent", 1)


def test_sms_gateway_exact_request(sms: FakeServer) -> None:
    row = _queue(notify.SMS, "0812345678", key="ride:7:ride_on_the_way")
    assert notify.send_queued(row.municipality) == {"sent": 1, "failed": 0}
    request = sms.requests[0]
    assert request["path"] == "/api/sms/send"
    assert request["headers"]["Authorization"] == "Bearer sms-test-key"
    assert request["headers"]["Content-Type"] == "application/json; charset=utf-8"
    assert request["headers"]["Idempotency-Key"] == "ride:7:ride_on_the_way"
    assert sms.json() == {
        "to": "0812345678",
        "message": "เรียน คุณสมศรี ใจดี",
        "reference": "ride:7:ride_on_the_way",
    }
    row.refresh_from_db()
    assert (row.state, row.attempts) == ("sent", 1)


def test_sms_failure_records_attempts_and_error(sms: FakeServer) -> None:
    sms.statuses = [502]
    row = _queue(notify.SMS, "0812345678")
    assert notify.send_queued(row.municipality) == {"sent": 0, "failed": 1}
    assert len(sms.requests) == 3
    row.refresh_from_db()
    assert (row.state, row.attempts, row.error) == ("failed", 3, 'SMS 502: {"message":"boom"}')


def test_unreachable_gateway_is_recorded_never_raised(settings: Any) -> None:
    settings.SMS_GATEWAY_URL = "http://127.0.0.1:9/send"  # discard port: nothing listens
    settings.SMS_API_KEY = "k"
    row = _queue(notify.SMS, "0812345678")
    assert notify.send_queued(row.municipality) == {"sent": 0, "failed": 1}
    row.refresh_from_db()
    assert row.state == "failed" and row.attempts == 3
    assert row.error.startswith("SMS: ")


def test_a_failed_row_is_not_sent_again(sms: FakeServer) -> None:
    sms.statuses = [500]
    row = _queue(notify.SMS, "0812345678")
    notify.send_queued(row.municipality)
    sms.statuses = [200]
    assert notify.send_queued(row.municipality) == {"sent": 0, "failed": 0}
    assert len(sms.requests) == 3


def test_outbox_stores_only() -> None:
    row = _queue(notify.OUTBOX, "0812345678")
    assert notify.send_queued(row.municipality) == {"sent": 1, "failed": 0}
    row.refresh_from_db()
    assert (row.channel, row.state, row.attempts) == ("outbox", "sent", 1)


def test_dedupe_key_queues_once() -> None:
    muni = MunicipalityFactory()
    first, created = notify.notify(
        municipality=muni, channel="outbox", to="x", template="t", body="one", dedupe_key="k:1", send=False
    )
    again, created_again = notify.notify(
        municipality=muni, channel="outbox", to="x", template="t", body="two", dedupe_key="k:1", send=False
    )
    assert created and not created_again and again.pk == first.pk
    assert Notification.objects.count() == 1 and Notification.objects.get().body == "one"


def test_unknown_channel_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown notification channel 'fax'"):
        notify.notify(
            municipality=MunicipalityFactory(), channel="fax", to="x", template="t", body="b", dedupe_key="k"
        )


def test_notify_enqueues_the_send_job_after_commit(
    line: FakeServer, django_capture_on_commit_callbacks: Any
) -> None:
    muni = MunicipalityFactory()
    with django_capture_on_commit_callbacks(execute=True):
        notify.notify(
            municipality=muni, channel="line", to=LINE_USER, template="t", body="สวัสดี", dedupe_key="k:2"
        )
    job = Job.objects.get(kind=notify.SEND_JOB)
    assert job.status == Job.Status.DONE and job.result == {"sent": 1, "failed": 0}
    assert (job.progress, job.total) == (1, 1)
    run_job(job.pk)  # running a finished job again does nothing
    assert len(line.requests) == 1
