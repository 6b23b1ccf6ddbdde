"""Messages to passengers of the People Assistance Vehicle, in Thai.

Three templates: a reminder the day before, "the vehicle is on its way", and "your trip is
cancelled". Each message is queued once per request and template (the dedupe key
``ride:<id>:<template>``), however often it is asked for.

The channel for a resident: LINE when the resident has a LINE user ID, has consented to messages
(``ConsentPurpose.NOTIFICATIONS``) and the municipality's LINE channel is configured; otherwise an
SMS to their phone when an SMS gateway is configured; otherwise the outbox (logged, not sent).

The reminders of a day are queued by the ``rides.queue_reminders`` job
(``thukkhon manage ride_reminders``, e.g. from cron at 16:00 every day).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Prefetch
from django.utils import timezone

from thukkhon.core import notify as notify_mod
from thukkhon.core.jobs import enqueue, job_kind, job_progress
from thukkhon.core.models import ConsentPurpose, Job, Municipality, Notification
from thukkhon.core.services import consent_active
from thukkhon.core.thai import format_thai_date
from thukkhon.people.models import Resident
from thukkhon.rides.models import RideRequest, Status, Stop

REMINDER, ON_THE_WAY, CANCELLED = "ride_reminder", "ride_on_the_way", "ride_cancelled"
REMINDER_JOB = "rides.queue_reminders"
LINE_USER_ID = re.compile(r"^U[0-9a-f]{32}$")

REMINDER_TEXT = (
    "เรียน {name}\n"
    "รถช่วยเหลือประชาชน{town} จะไปรับท่านวันพรุ่งนี้ {date} เวลาประมาณ {time} น. "
    "ที่{pickup} ไปยัง{destination}\n"
    "กรุณาเตรียมตัวให้พร้อมก่อนเวลา หากไม่เดินทางโปรดแจ้งเทศบาล"
)
ON_THE_WAY_TEXT = (
    "เรียน {name}\n"
    "รถช่วยเหลือประชาชน{town} ({vehicle}) กำลังเดินทางไปรับท่าน คาดว่าจะถึงเวลาประมาณ {time} น. "
    "กรุณาเตรียมตัวให้พร้อม"
)
CANCELLED_TEXT = (
    "เรียน {name}\nการเดินทางด้วยรถช่วยเหลือประชาชน{town} วันที่ {date} ไปยัง{destination} ถูกยกเลิกแล้ว{reason}"
)


@dataclass(frozen=True)
class Route:
    channel: str
    to: str


def resident_name(resident: Resident) -> str:
    """How a message greets the resident: "คุณสมศรี ใจดี"."""
    return f"คุณ{resident.first_name} {resident.last_name}".strip()


def choose_route(resident: Resident, *, at: datetime | None = None) -> Route:
    """LINE (user ID + consent + configured), else SMS (phone + configured), else the outbox."""
    line_id = resident.line_id.strip()
    if (
        LINE_USER_ID.match(line_id)
        and notify_mod.channel_configured(notify_mod.LINE)
        and consent_active(resident, ConsentPurpose.NOTIFICATIONS, at)
    ):
        return Route(notify_mod.LINE, line_id)
    phone = re.sub(r"[^0-9+]", "", resident.phone)
    if phone and notify_mod.channel_configured(notify_mod.SMS):
        return Route(notify_mod.SMS, phone)
    return Route(notify_mod.OUTBOX, phone or f"resident:{resident.pk}")


def _hm(moment: datetime | None) -> str:
    return "" if moment is None else f"{timezone.localtime(moment):%H:%M}"


def _place(ride: RideRequest, *, pickup: bool) -> str:
    if pickup:
        if ride.pickup_kind == "home":
            return "บ้าน"
        place = ride.pickup_place
        return place.name_th if place is not None else ride.pickup_address
    place = ride.dropoff_place
    return place.name_th if place is not None else (ride.dropoff_address or "จุดหมาย")


def _pickup_time(ride: RideRequest, stop: Stop | None) -> str:
    if stop is not None:
        return _hm(stop.planned_at)
    if ride.pickup_earliest and ride.pickup_latest:
        return f"{_hm(ride.pickup_earliest)}–{_hm(ride.pickup_latest)}"
    return _hm(ride.pickup_earliest or ride.dropoff_earliest) or "ตามนัด"


def _town(municipality: Municipality) -> str:
    return municipality.name_th


def reminder_text(ride: RideRequest, pickup_stop: Stop | None = None) -> str:
    return REMINDER_TEXT.format(
        name=resident_name(ride.resident),
        town=_town(ride.municipality),
        date=format_thai_date(ride.service_date),
        time=_pickup_time(ride, pickup_stop),
        pickup=_place(ride, pickup=True),
        destination=_place(ride, pickup=False),
    )


def on_the_way_text(ride: RideRequest, stop: Stop) -> str:
    return ON_THE_WAY_TEXT.format(
        name=resident_name(ride.resident),
        town=_town(ride.municipality),
        vehicle=stop.run.vehicle.name,
        time=_hm(stop.planned_at),
    )


def cancelled_text(ride: RideRequest) -> str:
    reason = ride.cancel_reason.strip()
    return CANCELLED_TEXT.format(
        name=resident_name(ride.resident),
        town=_town(ride.municipality),
        date=format_thai_date(ride.service_date),
        destination=_place(ride, pickup=False),
        reason=f" เนื่องจาก{reason}" if reason else "",
    )


def _queue(ride: RideRequest, template: str, body: str, *, send: bool = True) -> tuple[Notification, bool]:
    route = choose_route(ride.resident)
    return notify_mod.notify(
        municipality=ride.municipality,
        channel=route.channel,
        to=route.to,
        template=template,
        body=body,
        dedupe_key=f"ride:{ride.pk}:{template}",
        send=send,
    )


def notify_reminder(
    ride: RideRequest, pickup_stop: Stop | None = None, *, send: bool = True
) -> tuple[Notification, bool]:
    return _queue(ride, REMINDER, reminder_text(ride, pickup_stop), send=send)


def notify_on_the_way(ride: RideRequest, stop: Stop) -> tuple[Notification, bool]:
    """ "The vehicle is on its way" for the pickup ``stop`` (sent once per request)."""
    return _queue(ride, ON_THE_WAY, on_the_way_text(ride, stop))


def notify_cancelled(ride: RideRequest) -> tuple[Notification, bool]:
    """ "Your trip is cancelled": for the services that cancel a trip to call after the change."""
    return _queue(ride, CANCELLED, cancelled_text(ride))


def queue_reminders(municipality: Municipality, day: date, *, job: Job | None = None) -> dict[str, Any]:
    """Queue a reminder for every scheduled request of ``day``; running it again queues nothing new."""
    rides = list(
        RideRequest.objects.filter(municipality=municipality, service_date=day, status=Status.SCHEDULED)
        .select_related("resident", "municipality", "pickup_place", "dropoff_place")
        .prefetch_related(
            Prefetch("stops", queryset=Stop.objects.filter(kind=Stop.Kind.PICKUP), to_attr="pickup_stops")
        )
        .order_by("pickup_earliest", "id")
    )
    queued = 0
    for n, ride in enumerate(rides, start=1):
        stops: list[Stop] = getattr(ride, "pickup_stops", [])
        _, created = notify_reminder(ride, stops[0] if stops else None, send=False)
        queued += created
        if job is not None and (n % 20 == 0 or n == len(rides)):
            job_progress(job, n, len(rides))
    if queued:
        notify_mod.send_later(municipality)
    return {"day": day.isoformat(), "requests": len(rides), "queued": queued}


def reminders_start(municipality: Municipality, day: date | None = None) -> Job:
    """Enqueue the reminders of ``day`` (tomorrow by default) for one municipality."""
    target = day or timezone.localdate() + timedelta(days=1)
    return enqueue(municipality=municipality, kind=REMINDER_JOB, params={"day": target.isoformat()})


@job_kind(REMINDER_JOB)
def queue_reminders_job(job: Job) -> dict[str, Any]:
    return queue_reminders(job.municipality, date.fromisoformat(job.params["day"]), job=job)
