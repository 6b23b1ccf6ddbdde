"""The driver's manifest: who sees which run, each tap's state and timestamps, retried taps,
refusals with their message, "vehicle on its way", and a query count that does not grow."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from tests.factories import HouseholdFactory, MunicipalityFactory, PlaceFactory, ResidentFactory, member
from tests.fleet_factories import DriverFactory, VehicleFactory
from thukkhon.core.actor import actor_for
from thukkhon.core.models import AccessLog, Notification
from thukkhon.rides import manifest
from thukkhon.rides.models import Mobility, Plan, RideRequest, Run, Status, Stop, TripEvent

pytestmark = pytest.mark.django_db


def _today_at(hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(timezone.localdate(), datetime.min.time())) + timedelta(
        hours=hour, minutes=minute
    )


def _ride(muni: Any, booker: Any, **extra: Any) -> RideRequest:
    household = HouseholdFactory(municipality=muni, access_notes="ซอยแคบ รถตู้เข้าไม่ได้ จอดปากซอย")
    resident = ResidentFactory(
        municipality=muni,
        community=household.community,
        household=household,
        first_name="สมศรี",
        last_name="ใจดี",
        title="นาง",
        phone="081-234-5678",
    )
    hospital = PlaceFactory(municipality=muni, name_th="โรงพยาบาลลำพูน")
    fields: dict[str, Any] = {
        "municipality": muni,
        "resident": resident,
        "booked_by": booker,
        "channel": "staff",
        "purpose": "hospital",
        "service_date": timezone.localdate(),
        "pickup_lat": Decimal("18.585000"),
        "pickup_lon": Decimal("99.015000"),
        "dropoff_kind": "place",
        "dropoff_place": hospital,
        "dropoff_lat": Decimal("18.577000"),
        "dropoff_lon": Decimal("99.009000"),
        "pickup_earliest": _today_at(8),
        "pickup_latest": _today_at(9),
        "status": Status.SCHEDULED,
    }
    fields.update(extra)
    return RideRequest.objects.create(**fields)


def _run(muni: Any, driver: Any, rides: list[RideRequest], *, state: str = Plan.State.PUBLISHED) -> Run:
    plan, _ = Plan.objects.get_or_create(
        municipality=muni, service_date=timezone.localdate(), defaults={"state": state}
    )
    vehicle = VehicleFactory(municipality=muni, name=f"รถตู้ {driver.pk}")
    run = Run.objects.create(
        plan=plan, vehicle=vehicle, driver=driver, starts_at=_today_at(7), ends_at=_today_at(12)
    )
    seq = 0
    for i, ride in enumerate(rides):  # each ride: pickup, then drop-off
        for kind, minute in ((Stop.Kind.PICKUP, 0), (Stop.Kind.DROPOFF, 20)):
            seq += 1
            Stop.objects.create(
                run=run, request=ride, kind=kind, sequence=seq, planned_at=_today_at(8 + i, minute)
            )
    return run


@pytest.fixture
def day() -> dict[str, Any]:
    muni = MunicipalityFactory()
    dispatcher = member(muni, "dispatcher")
    driver = DriverFactory(membership__municipality=muni)
    other = DriverFactory(membership__municipality=muni)
    a = _ride(
        muni,
        dispatcher,
        mobility=Mobility.WHEELCHAIR,
        oxygen=True,
        companions=1,
        attendants=1,
        notes_for_driver="โทรก่อนถึง 10 นาที",
    )
    b = _ride(muni, dispatcher)
    c = _ride(muni, dispatcher)
    run = _run(muni, driver, [a, b])
    other_run = _run(muni, other, [c])
    return {
        "muni": muni,
        "dispatcher": dispatcher,
        "driver": driver,
        "other": other,
        "a": a,
        "b": b,
        "run": run,
        "other_run": other_run,
        "user": driver.membership.user,
    }


def _client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _stop(ride: RideRequest, kind: str) -> Stop:
    return Stop.objects.get(request=ride, kind=kind)


def _tap(c: Client, stop: Stop, action: str, key: str, at: datetime | None = None, json: bool = True) -> Any:
    """POST a tap; under ``translation.override("en")`` the request asks for English too."""
    data = {"key": key}
    if at is not None:
        data["at"] = at.isoformat()
    headers = {"HTTP_ACCEPT": "application/json"} if json else {}
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = translation.get_language() or "th"
    return c.post(reverse("rides:manifest-tap", args=[stop.pk, action]), data, **headers)


def _moment(minutes_ago: int) -> datetime:
    return (timezone.now() - timedelta(minutes=minutes_ago)).replace(microsecond=0)


# --- Who sees what -----------------------------------------------------------------------------------


def test_driver_sees_their_run_with_everything_on_the_card(day: dict[str, Any]) -> None:
    page = _client(day["user"]).get(reverse("rides:manifest-run", args=[day["run"].pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count('class="stop-card') == 4
    assert "นางสมศรี ใจดี" in html
    assert 'href="tel:0812345678"' in html
    assert 'href="geo:18.585000,99.015000?q=18.585000,99.015000(' in html
    assert "https://www.google.com/maps/dir/?api=1&amp;destination=18.577000,99.009000" in html
    assert "โทรก่อนถึง 10 นาที" in html and "ซอยแคบ รถตู้เข้าไม่ได้ จอดปากซอย" in html
    assert "โรงพยาบาลลำพูน" in html
    assert html.index(">08:00<") < html.index(">08:20<") < html.index(">09:00<") < html.index(">09:20<")
    with translation.override("en"):
        html = _client(day["user"]).get(reverse("rides:manifest-run", args=[day["run"].pk])).content.decode()
    cards = manifest.manifest_stops(day["run"])
    with translation.override("en"):
        assert [str(n) for n in manifest._needs(cards[0].ride)] == [
            "Wheelchair",
            "Oxygen",
            "Companions: 1",
            "Attendants: 1",
        ]
    assert [c.stop.sequence for c in cards] == [1, 2, 3, 4]
    assert [a for a, _, _ in cards[0].actions] == ["on_way", "arrive", "picked_up", "no_show"]
    assert cards[1].actions == []  # the drop-off waits for the pickup
    assert AccessLog.objects.filter(user=day["user"], what="passenger needs (manifest)").count() == 2


def test_driver_today_goes_straight_to_their_only_run(day: dict[str, Any]) -> None:
    page = _client(day["user"]).get(reverse("rides:manifest"))
    assert page.status_code == 200
    assert page.context["run"] == day["run"]


def test_dispatcher_sees_every_run_of_the_day(day: dict[str, Any]) -> None:
    page = _client(day["dispatcher"]).get(reverse("rides:manifest"))
    assert page.status_code == 200 and page.context["runs"] == [day["run"], day["other_run"]]
    assert (
        _client(day["dispatcher"]).get(reverse("rides:manifest-run", args=[day["run"].pk])).status_code == 200
    )


def test_a_driver_never_sees_another_drivers_run(day: dict[str, Any]) -> None:
    c = _client(day["other"].membership.user)
    assert c.get(reverse("rides:manifest-run", args=[day["run"].pk])).status_code == 404
    assert c.get(reverse("rides:manifest")).context["run"] == day["other_run"]
    stop = _stop(day["a"], Stop.Kind.PICKUP)
    assert _tap(c, stop, "arrive", "k-1").status_code == 404
    stop.refresh_from_db()
    assert stop.state == Stop.State.PLANNED and not TripEvent.objects.exists()


@pytest.mark.parametrize("role", ["welfare", "volunteer", "executive", "resident", "teacher"])
def test_other_roles_get_404(day: dict[str, Any], role: str) -> None:
    c = _client(member(day["muni"], role))
    assert c.get(reverse("rides:manifest")).status_code == 404
    assert c.get(reverse("rides:manifest-run", args=[day["run"].pk])).status_code == 404
    assert _tap(c, _stop(day["a"], Stop.Kind.PICKUP), "arrive", "k").status_code == 404


def test_another_towns_dispatcher_gets_404(day: dict[str, Any]) -> None:
    c = _client(member(MunicipalityFactory(), "dispatcher"))
    assert c.get(reverse("rides:manifest-run", args=[day["run"].pk])).status_code == 404
    assert _tap(c, _stop(day["a"], Stop.Kind.PICKUP), "arrive", "k").status_code == 404


def test_a_draft_plan_is_not_on_the_drivers_phone(day: dict[str, Any]) -> None:
    Plan.objects.update(state=Plan.State.DRAFT)
    assert _client(day["user"]).get(reverse("rides:manifest-run", args=[day["run"].pk])).status_code == 404


def test_anonymous_is_sent_to_login(day: dict[str, Any]) -> None:
    assert Client().get(reverse("rides:manifest")).status_code == 302


# --- Taps ---------------------------------------------------------------------------------------------


def test_each_button_sets_state_and_timestamps(day: dict[str, Any]) -> None:
    c = _client(day["user"])
    a, b = day["a"], day["b"]
    pickup, dropoff = _stop(a, Stop.Kind.PICKUP), _stop(a, Stop.Kind.DROPOFF)
    t1, t2, t3, t4 = _moment(40), _moment(35), _moment(20), _moment(18)

    r = _tap(c, pickup, "arrive", "a-arrive", t1)
    assert r.status_code == 200
    pickup.refresh_from_db()
    a.refresh_from_db()
    assert (pickup.state, pickup.arrived_at, pickup.done_at) == ("arrived", t1, None)
    assert a.status == Status.EN_ROUTE
    assert r.json() == {
        "ok": True,
        "stop": pickup.pk,
        "state": "arrived",
        "state_label": str(Stop.State.ARRIVED.label),
        "arrived_at": t1.isoformat(),
        "done_at": None,
        "event": TripEvent.objects.get(request=a).pk,
        "event_status": "en_route",
        "event_at": t1.isoformat(),
    }

    assert _tap(c, pickup, "picked_up", "a-up", t2).status_code == 200
    pickup.refresh_from_db()
    a.refresh_from_db()
    assert (pickup.state, pickup.arrived_at, pickup.done_at) == ("done", t1, t2)
    assert a.status == Status.PICKED_UP

    assert _tap(c, dropoff, "arrive", "a-drop-arrive", t3).status_code == 200
    dropoff.refresh_from_db()
    a.refresh_from_db()
    assert (dropoff.state, dropoff.arrived_at, a.status) == ("arrived", t3, Status.PICKED_UP)

    assert _tap(c, dropoff, "dropped_off", "a-off", t4).status_code == 200
    dropoff.refresh_from_db()
    a.refresh_from_db()
    assert (dropoff.state, dropoff.arrived_at, dropoff.done_at) == ("done", t3, t4)
    assert a.status == Status.COMPLETED
    events = list(TripEvent.objects.filter(request=a).values_list("status", "at", "stop_id", "by_id"))
    user = day["user"].pk
    assert events == [
        ("en_route", t1, pickup.pk, user),
        ("picked_up", t2, pickup.pk, user),
        ("picked_up", t3, dropoff.pk, user),  # arrival at the drop-off: an event, no status change
        ("completed", t4, dropoff.pk, user),
    ]
    # The drop-off done, the next stop is b's pickup: b's vehicle is on its way, b is told once.
    b.refresh_from_db()
    assert b.status == Status.EN_ROUTE
    note = Notification.objects.get(template="ride_on_the_way")
    assert note.dedupe_key == f"ride:{b.pk}:ride_on_the_way"
    assert note.channel == "outbox"
    assert "นางสมศรี" not in note.body and "คุณสมศรี ใจดี" in note.body
    assert "กำลังเดินทางไปรับท่าน คาดว่าจะถึงเวลาประมาณ 09:00 น." in note.body


def test_picked_up_without_arriving_sets_both_times(day: dict[str, Any]) -> None:
    pickup = _stop(day["a"], Stop.Kind.PICKUP)
    t = _moment(5)
    assert _tap(_client(day["user"]), pickup, "picked_up", "up", t).status_code == 200
    pickup.refresh_from_db()
    assert (pickup.state, pickup.arrived_at, pickup.done_at) == ("done", t, t)
    assert list(TripEvent.objects.filter(request=day["a"]).values_list("status", flat=True)) == [
        "en_route",
        "picked_up",
    ]


def test_no_show_skips_the_drop_off(day: dict[str, Any]) -> None:
    pickup = _stop(day["a"], Stop.Kind.PICKUP)
    t = _moment(3)
    assert _tap(_client(day["user"]), pickup, "no_show", "ns", t).status_code == 200
    pickup.refresh_from_db()
    day["a"].refresh_from_db()
    assert (pickup.state, pickup.arrived_at, pickup.done_at) == ("no_show", t, t)
    assert day["a"].status == Status.NO_SHOW
    assert _stop(day["a"], Stop.Kind.DROPOFF).state == Stop.State.SKIPPED
    # The next planned stop is b's pickup (a's drop-off is skipped): on its way.
    day["b"].refresh_from_db()
    assert day["b"].status == Status.EN_ROUTE
    assert Notification.objects.filter(dedupe_key=f"ride:{day['b'].pk}:ride_on_the_way").count() == 1


def test_on_my_way_notifies_once(day: dict[str, Any]) -> None:
    c = _client(day["user"])
    pickup = _stop(day["a"], Stop.Kind.PICKUP)
    assert _tap(c, pickup, "on_way", "w1").status_code == 200
    day["a"].refresh_from_db()
    assert day["a"].status == Status.EN_ROUTE
    pickup.refresh_from_db()
    assert pickup.state == Stop.State.PLANNED
    assert Notification.objects.filter(template="ride_on_the_way").count() == 1
    again = _tap(c, pickup, "on_way", "w2")  # a new tap: the ride is already on its way
    assert again.status_code == 409
    assert Notification.objects.count() == 1


def test_a_retried_tap_is_recorded_once_with_the_same_answer(day: dict[str, Any]) -> None:
    c = _client(day["user"])
    pickup = _stop(day["a"], Stop.Kind.PICKUP)
    key = "5b0c6f0e-2f0a-4f4e-9a77-1c2d3e4f5a6b"
    first = _tap(c, pickup, "picked_up", key, _moment(2))
    second = _tap(c, pickup, "picked_up", key, _moment(1))  # the phone retries later
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json()
    assert "Idempotent-Replayed" not in first and second["Idempotent-Replayed"] == "true"
    assert TripEvent.objects.filter(request=day["a"]).count() == 2  # en route + picked up, once
    assert TripEvent.objects.filter(request=day["a"], status="picked_up").count() == 1
    # A plain form post retried with the same key redirects and changes nothing either.
    third = _tap(c, pickup, "picked_up", key, json=False)
    assert third.status_code == 302 and TripEvent.objects.filter(request=day["a"]).count() == 2


def test_the_same_form_key_for_another_action_is_another_tap(day: dict[str, Any]) -> None:
    c = _client(day["user"])
    pickup = _stop(day["a"], Stop.Kind.PICKUP)
    assert _tap(c, pickup, "arrive", "form-key", json=False).status_code == 302
    assert _tap(c, pickup, "picked_up", "form-key", json=False).status_code == 302  # a stale page
    pickup.refresh_from_db()
    assert pickup.state == Stop.State.DONE
    assert list(TripEvent.objects.filter(request=day["a"]).values_list("status", flat=True)) == [
        "en_route",
        "picked_up",
    ]


def test_a_key_used_on_another_stop_is_refused(day: dict[str, Any]) -> None:
    c = _client(day["user"])
    _tap(c, _stop(day["a"], Stop.Kind.PICKUP), "arrive", "same")
    with translation.override("en"):
        r = _tap(c, _stop(day["b"], Stop.Kind.PICKUP), "arrive", "same")
    assert r.status_code == 409
    assert r.json()["error"] == "This idempotency key was already used for another ride."


def test_concurrent_style_replay_through_the_service(day: dict[str, Any]) -> None:
    actor = actor_for(day["user"])
    assert actor is not None
    stop = _stop(day["a"], Stop.Kind.PICKUP)
    one = manifest.stop_tap(actor=actor, stop=stop, action="arrive", key="svc")
    two = manifest.stop_tap(actor=actor, stop=stop, action="arrive", key="svc")
    assert (one.replayed, two.replayed) == (False, True)
    assert one.event.pk == two.event.pk and one.as_json() == two.as_json()


@pytest.mark.parametrize(
    ("setup", "kind", "action", "message"),
    [
        (None, Stop.Kind.PICKUP, "dropped_off", "“Dropped off” does not apply to this stop."),
        (None, Stop.Kind.DROPOFF, "picked_up", "“Picked up” does not apply to this stop."),
        (None, Stop.Kind.DROPOFF, "dropped_off", "A ride that is “Scheduled” cannot become “Completed”."),
        (None, Stop.Kind.DROPOFF, "arrive", "The passenger has not been picked up yet."),
        ("cancel", Stop.Kind.PICKUP, "picked_up", "A ride that is “Cancelled” cannot become “Picked up”."),
        (
            "cancel",
            Stop.Kind.PICKUP,
            "arrive",
            "A ride that is “Cancelled” cannot become “Vehicle on its way”.",
        ),
        ("done", Stop.Kind.PICKUP, "no_show", "This stop is already “Done”."),
        (None, Stop.Kind.PICKUP, "fly", "Choose an action from the list."),
    ],
)
def test_illegal_taps_are_refused_with_a_message(
    day: dict[str, Any], setup: str | None, kind: str, action: str, message: str
) -> None:
    a = day["a"]
    if setup == "cancel":
        RideRequest.objects.filter(pk=a.pk).update(status=Status.CANCELLED)
    if setup == "done":
        _tap(_client(day["user"]), _stop(a, Stop.Kind.PICKUP), "picked_up", "done-first")
    before = (TripEvent.objects.count(), list(Stop.objects.values_list("state", "arrived_at", "done_at")))
    status_before = RideRequest.objects.get(pk=a.pk).status
    with translation.override("en"):
        r = _tap(_client(day["user"]), _stop(a, kind), action, "refused-key")
    assert r.status_code == 409
    assert r.json() == {"ok": False, "stop": _stop(a, kind).pk, "error": message}
    after = (TripEvent.objects.count(), list(Stop.objects.values_list("state", "arrived_at", "done_at")))
    assert after == before and RideRequest.objects.get(pk=a.pk).status == status_before


def test_refusal_without_javascript_shows_the_message(day: dict[str, Any]) -> None:
    c = _client(day["user"])
    with translation.override("en"):
        r = _tap(c, _stop(day["a"], Stop.Kind.PICKUP), "dropped_off", "x", json=False)
        assert r.status_code == 302
        page = c.get(r["Location"])
    assert "does not apply to this stop" in page.content.decode()


def test_a_tap_without_a_key_is_refused(day: dict[str, Any]) -> None:
    with translation.override("en"):
        r = _tap(_client(day["user"]), _stop(day["a"], Stop.Kind.PICKUP), "arrive", "")
    assert r.status_code == 409 and r.json()["error"] == "This tap has no valid key; reload the page."


def test_tap_time_from_the_phone_is_believed_within_bounds() -> None:
    now = timezone.now()
    recent = (now - timedelta(minutes=30)).replace(microsecond=0)
    assert manifest.tap_time(recent.isoformat()) == recent
    assert manifest.tap_time(recent.astimezone(timezone.UTC).isoformat().replace("+00:00", "Z")) == recent
    assert abs(manifest.tap_time((now - timedelta(days=2)).isoformat()) - now) < timedelta(seconds=5)
    assert abs(manifest.tap_time((now + timedelta(hours=1)).isoformat()) - now) < timedelta(seconds=5)
    assert abs(manifest.tap_time("nonsense") - now) < timedelta(seconds=5)


def test_stops_partial_for_the_offline_queue(day: dict[str, Any]) -> None:
    url = reverse("rides:manifest-run", args=[day["run"].pk]) + "?partial=stops"
    html = _client(day["user"]).get(url).content.decode()
    assert html.lstrip().startswith('<ol class="stop-list">') and "<html" not in html


# --- Queries do not grow with the data ----------------------------------------------------------------


def _count_queries(c: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert c.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_manifest_queries_do_not_grow_with_the_data(day: dict[str, Any]) -> None:
    c = _client(day["user"])
    run_url = reverse("rides:manifest-run", args=[day["run"].pk])
    small = (_count_queries(c, run_url), _count_queries(c, reverse("rides:manifest")))
    for _ in range(12):  # six times the stops on this run, and more elsewhere in town
        ride = _ride(day["muni"], day["dispatcher"], oxygen=True, companions=2)
        last = Stop.objects.filter(run=day["run"]).order_by("-sequence").first()
        assert last is not None
        for kind, seq in ((Stop.Kind.PICKUP, last.sequence + 1), (Stop.Kind.DROPOFF, last.sequence + 2)):
            Stop.objects.create(
                run=day["run"], request=ride, kind=kind, sequence=seq, planned_at=_today_at(13)
            )
    _run(
        day["muni"],
        DriverFactory(membership__municipality=day["muni"]),
        [_ride(day["muni"], day["dispatcher"])],
    )
    assert Stop.objects.filter(run=day["run"]).count() == 28
    large = (_count_queries(c, run_url), _count_queries(c, reverse("rides:manifest")))
    assert large == small
    assert small[0] <= 12
