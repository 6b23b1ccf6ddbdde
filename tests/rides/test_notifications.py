"""Thai messages to passengers, the channel each resident gets, and the day-before reminders."""

from __future__ import annotations

from datetime import UTC, date, datetime
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from tests.factories import MunicipalityFactory, PlaceFactory, ResidentFactory, member
from tests.fleet_factories import RideRequestFactory, VehicleFactory
from thukkhon.core.actor import actor_for
from thukkhon.core.jobs import run_job
from thukkhon.core.models import ConsentPurpose, Job, Notification
from thukkhon.core.services import consent_give, consent_withdraw
from thukkhon.rides import notifications as rn
from thukkhon.rides.models import Plan, Run, Status, Stop

pytestmark = pytest.mark.django_db

LINE_USER = "U" + "fedcba9876543210" * 2
DAY = date(2026, 12, 2)  # 2 ธันวาคม 2569


@pytest.fixture
def town() -> Any:
    return MunicipalityFactory(name_th="เทศบาลเมืองลำพูน")


def _ride(town: Any, **extra: Any) -> Any:
    resident = ResidentFactory(
        municipality=town,
        first_name="บุญมี",
        last_name="ศรีสุข",
        phone="081-111-2222",
        line_id=extra.pop("line_id", ""),
    )
    hospital = PlaceFactory(municipality=town, name_th="โรงพยาบาลลำพูน")
    fields = {
        "municipality": town,
        "resident": resident,
        "service_date": DAY,
        "appointment_at": datetime(2026, 12, 2, 3, 0, tzinfo=UTC),  # 10:00 in Bangkok
        "pickup_earliest": datetime(2026, 12, 2, 1, 30, tzinfo=UTC),  # 08:30
        "pickup_latest": datetime(2026, 12, 2, 2, 0, tzinfo=UTC),  # 09:00
        "dropoff_place": hospital,
        "status": Status.SCHEDULED,
    }
    fields.update(extra)
    return RideRequestFactory(**fields)


def _pickup_stop(ride: Any, hour_utc: int, minute: int) -> Stop:
    plan, _ = Plan.objects.get_or_create(municipality=ride.municipality, service_date=ride.service_date)
    vehicle = VehicleFactory(municipality=ride.municipality, name="รถตู้ 1")
    run = Run.objects.create(
        plan=plan,
        vehicle=vehicle,
        starts_at=datetime(2026, 12, 2, 0, 0, tzinfo=UTC),
        ends_at=datetime(2026, 12, 2, 9, 0, tzinfo=UTC),
    )
    return Stop.objects.create(
        run=run,
        request=ride,
        kind=Stop.Kind.PICKUP,
        sequence=1,
        planned_at=datetime(2026, 12, 2, hour_utc, minute, tzinfo=UTC),
    )


def test_reminder_in_thai_with_name_be_date_and_time(town: Any) -> None:
    ride = _ride(town)
    assert rn.reminder_text(ride) == (
        "เรียน คุณบุญมี ศรีสุข\n"
        "รถช่วยเหลือประชาชนเทศบาลเมืองลำพูน จะไปรับท่านวันพรุ่งนี้ 2 ธันวาคม 2569 เวลาประมาณ 08:30–09:00 น. "
        "ที่บ้าน ไปยังโรงพยาบาลลำพูน\n"
        "กรุณาเตรียมตัวให้พร้อมก่อนเวลา หากไม่เดินทางโปรดแจ้งเทศบาล"
    )
    stop = _pickup_stop(ride, 1, 45)
    assert "เวลาประมาณ 08:45 น." in rn.reminder_text(ride, stop)


def test_on_the_way_and_cancelled_texts(town: Any) -> None:
    ride = _ride(town)
    stop = _pickup_stop(ride, 1, 45)
    assert rn.on_the_way_text(ride, stop) == (
        "เรียน คุณบุญมี ศรีสุข\n"
        "รถช่วยเหลือประชาชนเทศบาลเมืองลำพูน (รถตู้ 1) กำลังเดินทางไปรับท่าน คาดว่าจะถึงเวลาประมาณ 08:45 น. "
        "กรุณาเตรียมตัวให้พร้อม"
    )
    ride.cancel_reason = "รถเสีย"
    assert rn.cancelled_text(ride) == (
        "เรียน คุณบุญมี ศรีสุข\n"
        "การเดินทางด้วยรถช่วยเหลือประชาชนเทศบาลเมืองลำพูน วันที่ 2 ธันวาคม 2569 ไปยังโรงพยาบาลลำพูน "
        "ถูกยกเลิกแล้ว เนื่องจากรถเสีย"
    )
    row, created = rn.notify_cancelled(ride)
    assert created and row.template == "ride_cancelled" and row.dedupe_key == f"ride:{ride.pk}:ride_cancelled"


def test_channel_line_needs_user_id_consent_and_a_configured_channel(town: Any, settings: Any) -> None:
    settings.LINE_CHANNEL_ACCESS_TOKEN = "t"
    settings.SMS_GATEWAY_URL = "http://127.0.0.1:9/sms"
    ride = _ride(town, line_id=LINE_USER)
    resident = ride.resident
    assert rn.choose_route(resident) == rn.Route("sms", "0811112222")  # no consent yet
    actor = actor_for(member(town, "welfare"))
    assert actor is not None
    consent = consent_give(
        actor=actor, subject=resident, purpose=ConsentPurpose.NOTIFICATIONS, given_by_name="บุญมี ศรีสุข"
    )
    assert rn.choose_route(resident) == rn.Route("line", LINE_USER)
    settings.LINE_CHANNEL_ACCESS_TOKEN = ""
    assert rn.choose_route(resident) == rn.Route("sms", "0811112222")  # LINE not configured
    settings.LINE_CHANNEL_ACCESS_TOKEN = "t"
    consent_withdraw(actor=actor, consent=consent, reason="ไม่ต้องการ")
    assert rn.choose_route(resident).channel == "sms"
    resident.line_id = "boonmee1950"  # a public LINE ID is not a user ID: push needs the user ID
    assert rn.choose_route(resident).channel == "sms"
    settings.SMS_GATEWAY_URL = ""
    assert rn.choose_route(resident) == rn.Route("outbox", "0811112222")
    resident.phone = ""
    assert rn.choose_route(resident) == rn.Route("outbox", f"resident:{resident.pk}")


def test_reminders_once_per_scheduled_ride_of_the_day(
    town: Any, django_capture_on_commit_callbacks: Any
) -> None:
    scheduled = _ride(town)
    second = _ride(town)
    _ride(town, status=Status.ACCEPTED)  # not on a published plan: no reminder
    _ride(town, status=Status.CANCELLED, cancel_reason="x")
    _ride(town, service_date=date(2026, 12, 3))  # another day
    _ride(MunicipalityFactory())  # another town
    _pickup_stop(scheduled, 1, 40)
    with django_capture_on_commit_callbacks(execute=True):
        job = rn.reminders_start(town, DAY)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE
    assert job.result == {"day": "2026-12-02", "requests": 2, "queued": 2}
    assert (job.progress, job.total) == (2, 2)
    rows = Notification.objects.filter(template="ride_reminder").order_by("dedupe_key")
    assert sorted(r.dedupe_key for r in rows) == sorted(
        [f"ride:{scheduled.pk}:ride_reminder", f"ride:{second.pk}:ride_reminder"]
    )
    assert all(r.state == "sent" and r.channel == "outbox" for r in rows)  # the send job ran after commit
    assert "08:40 น." in rows.get(dedupe_key=f"ride:{scheduled.pk}:ride_reminder").body
    # Running it again queues nothing new and sends nothing twice.
    with django_capture_on_commit_callbacks(execute=True):
        again = rn.reminders_start(town, DAY)
    run_job(again.pk)
    again.refresh_from_db()
    assert again.result == {"day": "2026-12-02", "requests": 2, "queued": 0}
    assert Notification.objects.filter(template="ride_reminder").count() == 2
    assert Job.objects.filter(kind="core.send_notifications").count() == 1


def test_reminder_command(town: Any) -> None:
    _ride(town)
    out = StringIO()
    call_command("ride_reminders", "--date", "2026-12-02", "--municipality", town.code, "--send", stdout=out)
    assert out.getvalue() == f"{town.code} 2026-12-02: 1 scheduled, 1 queued, 1 sent, 0 failed\n"
    out = StringIO()
    call_command("ride_reminders", "--date", "2026-12-02", "--municipality", town.code, "--send", stdout=out)
    assert out.getvalue() == f"{town.code} 2026-12-02: 1 scheduled, 0 queued, 0 sent, 0 failed\n"
