"""The driver's day: runs and stops as a driver sees them, and the taps that record what happened.

A driver sees the runs of published plans that carry their name; a dispatcher or an administrator
sees every run of the municipality; anyone else sees nothing (404).

Taps (``ACTIONS``), each carrying a client-generated idempotency key:

=============  ==========  ==========================  ==================================
action         stop        stop becomes                ride (through :mod:`.outcomes`)
=============  ==========  ==========================  ==================================
``on_way``     pickup      (unchanged)                 scheduled → en route
``arrive``     either      arrived, ``arrived_at``     scheduled → en route (pickup)
``picked_up``  pickup      done, ``done_at``           (→ en route) → picked up
``dropped_off`` drop-off   done, ``done_at``           picked up → completed
``no_show``    pickup      no-show, ``done_at``        → no-show; its drop-off is skipped
=============  ==========  ==========================  ==================================

Every tap writes exactly one event under its key (an arrival that changes no status writes an
event with the current status); the same key again changes nothing and answers with the state
after the first tap. When a stop is done, the next stop of the run, if it is a pickup, gets
"vehicle on its way" (the ride becomes en route and the passenger is notified, once).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from urllib.parse import quote

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from thukkhon.core.actor import Actor
from thukkhon.core.roles import Role
from thukkhon.rides import notifications
from thukkhon.rides.models import Plan, RideRequest, Run, Status, Stop, TripEvent
from thukkhon.rides.outcomes import hashed_key, request_transition

STAFF = frozenset({Role.DISPATCHER, Role.ADMIN})
ON_WAY, ARRIVE, PICKED_UP, DROPPED_OFF, NO_SHOW = "on_way", "arrive", "picked_up", "dropped_off", "no_show"
ACTIONS: dict[str, object] = {
    ON_WAY: gettext_lazy("On my way"),
    ARRIVE: gettext_lazy("Arrived"),
    PICKED_UP: gettext_lazy("Picked up"),
    DROPPED_OFF: gettext_lazy("Dropped off"),
    NO_SHOW: gettext_lazy("No-show"),
}
FINISHED = frozenset({Stop.State.DONE, Stop.State.NO_SHOW, Stop.State.SKIPPED})
#: How far from the server's clock a tap's own time (queued while offline) is believed.
CLIENT_TIME_PAST = timedelta(hours=12)
CLIENT_TIME_FUTURE = timedelta(minutes=2)


# --- Reads ------------------------------------------------------------------------------------------


def can_use_manifest(actor: Actor | None) -> bool:
    return actor is not None and actor.has_role(Role.DRIVER, *STAFF)


def runs_visible(actor: Actor) -> QuerySet[Run]:
    """Staff: every run of the municipality. A driver: their own runs of published plans."""
    qs = Run.objects.filter(plan__municipality=actor.municipality)
    if actor.has_role(*STAFF):
        return qs
    membership = actor.membership_for(Role.DRIVER)
    if membership is None:
        return qs.none()
    return qs.filter(driver__membership=membership, plan__state=Plan.State.PUBLISHED)


def runs_of_day(actor: Actor, day: date) -> list[Run]:
    """The actor's runs of ``day`` (a dispatcher: all of them)."""
    return list(
        runs_visible(actor)
        .filter(plan__service_date=day)
        .select_related("vehicle", "plan", "driver__membership__user")
        .order_by("starts_at", "vehicle__name")
    )


def access_run(actor: Actor | None, run_id: int) -> Run:
    if actor is None or not can_use_manifest(actor):
        raise Http404
    run = (
        runs_visible(actor)
        .select_related("vehicle", "plan", "plan__municipality", "driver__membership__user")
        .filter(pk=run_id)
        .first()
    )
    if run is None:
        raise Http404
    return run


def access_stop(actor: Actor | None, stop_id: int) -> Stop:
    if actor is None or not can_use_manifest(actor):
        raise Http404
    stop = (
        Stop.objects.filter(run__in=runs_visible(actor), pk=stop_id)
        .select_related("run", "run__vehicle", "run__plan", "request", "request__resident")
        .first()
    )
    if stop is None:
        raise Http404
    return stop


@dataclass
class ManifestStop:
    """One stop as the driver's card shows it."""

    stop: Stop
    ride: RideRequest
    name: str
    phone: str
    where: str
    lat: Decimal
    lon: Decimal
    needs: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    actions: list[tuple[str, object, str]] = field(default_factory=list)  # action, label, tap URL
    key: str = ""  # the idempotency key of the card's form (a plain POST without JavaScript)

    @property
    def is_pickup(self) -> bool:
        return self.stop.kind == Stop.Kind.PICKUP

    @property
    def geo_uri(self) -> str:
        label = quote(self.name)
        return f"geo:{self.lat},{self.lon}?q={self.lat},{self.lon}({label})"

    @property
    def maps_url(self) -> str:
        return f"https://www.google.com/maps/dir/?api=1&destination={self.lat},{self.lon}"

    @property
    def tel(self) -> str:
        return "".join(ch for ch in self.phone if ch.isdigit() or ch == "+")


def stop_actions(stop: Stop, ride: RideRequest) -> list[str]:
    """The taps that make sense now (the buttons shown)."""
    if stop.state in FINISHED:
        return []
    if stop.kind == Stop.Kind.PICKUP:
        if ride.status not in (Status.SCHEDULED, Status.EN_ROUTE):
            return []
        first = [ON_WAY] if ride.status == Status.SCHEDULED and stop.state == Stop.State.PLANNED else []
        arrive = [ARRIVE] if stop.state == Stop.State.PLANNED else []
        return [*first, *arrive, PICKED_UP, NO_SHOW]
    if ride.status != Status.PICKED_UP:
        return []
    return [ARRIVE, DROPPED_OFF] if stop.state == Stop.State.PLANNED else [DROPPED_OFF]


def _needs(ride: RideRequest) -> list[str]:
    needs = [str(ride.get_mobility_display())]
    if ride.oxygen:
        needs.append(_("Oxygen"))
    if ride.companions:
        needs.append(_("Companions: %(n)s") % {"n": ride.companions})
    if ride.attendants:
        needs.append(_("Attendants: %(n)s") % {"n": ride.attendants})
    return needs


def manifest_stops(run: Run) -> list[ManifestStop]:
    """The run's stops in order, with everything the card shows: a fixed number of queries."""
    from django.urls import reverse

    tap_url = reverse("rides:manifest-tap", args=[0, "ACTION"]).replace("/0/", "/{stop}/")
    stops = (
        Stop.objects.filter(run=run)
        .select_related(
            "request",
            "request__resident",
            "request__resident__household",
            "request__pickup_place",
            "request__dropoff_place",
        )
        .order_by("sequence")
    )
    cards = []
    for stop in stops:
        ride = stop.request
        resident = ride.resident
        pickup = stop.kind == Stop.Kind.PICKUP
        if pickup:
            place = ride.pickup_place
            where = place.name_th if place else (ride.pickup_address or _("Home"))
            lat, lon = ride.pickup_lat, ride.pickup_lon
        else:
            place = ride.dropoff_place
            where = place.name_th if place else ride.dropoff_address
            lat, lon = ride.dropoff_lat, ride.dropoff_lon
        if pickup and ride.pickup_kind == "home" and resident.household is not None:
            where = resident.household.address_text() or where
        notes = [n for n in (ride.notes_for_driver.strip(),) if n]
        household = resident.household
        if pickup and household is not None and household.access_notes.strip():
            notes.append(household.access_notes.strip())
        cards.append(
            ManifestStop(
                stop=stop,
                ride=ride,
                name=f"{resident.title}{resident.first_name} {resident.last_name}".strip(),
                phone=resident.phone,
                where=where,
                lat=lat,
                lon=lon,
                needs=_needs(ride),
                notes=notes,
                actions=[
                    (a, ACTIONS[a], tap_url.replace("{stop}", str(stop.pk)).replace("ACTION", a))
                    for a in stop_actions(stop, ride)
                ],
                key=uuid.uuid4().hex,
            )
        )
    return cards


# --- Taps -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TapResult:
    stop: Stop
    event: TripEvent
    replayed: bool

    def as_json(self) -> dict[str, object]:
        """The answer to the tap: the same on a retry with the same key."""
        stop, event = self.stop, self.event
        return {
            "ok": True,
            "stop": stop.pk,
            "state": stop.state,
            "state_label": str(stop.get_state_display()),
            "arrived_at": stop.arrived_at.isoformat() if stop.arrived_at else None,
            "done_at": stop.done_at.isoformat() if stop.done_at else None,
            "event": event.pk,
            "event_status": event.status,
            "event_at": event.at.isoformat(),
        }


def tap_time(text: str | None) -> datetime:
    """The tap's own time from the phone (ISO 8601), believed within bounds; else now."""
    now = timezone.now()
    if not text:
        return now
    try:
        when = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return now
    if timezone.is_naive(when):
        when = timezone.make_aware(when)
    if not (now - CLIENT_TIME_PAST <= when <= now + CLIENT_TIME_FUTURE):
        return now
    return min(when, now)


def _refuse_action(action: str) -> ValidationError:
    return ValidationError(_("“%(action)s” does not apply to this stop.") % {"action": ACTIONS[action]})


def _refuse_state(stop: Stop) -> ValidationError:
    return ValidationError(_("This stop is already “%(state)s”.") % {"state": stop.get_state_display()})


def _note_event(
    *, actor: Actor, ride: RideRequest, stop: Stop, note: str, key: str, at: datetime
) -> TripEvent:
    """An event that changes no status (an arrival), under the tap's key like any other."""
    return TripEvent.objects.create(
        request=ride,
        stop=stop,
        status=ride.status,
        note=note,
        at=at,
        by=actor.user,
        idempotency_key=hashed_key("ev", ride.municipality_id, key),
    )


def _replay(stop_id: int, municipality_id: int, key: str) -> TapResult | None:
    event = TripEvent.objects.filter(idempotency_key=hashed_key("ev", municipality_id, key)).first()
    if event is None:
        return None
    stop = Stop.objects.get(pk=stop_id)
    if event.stop_id != stop.pk:
        raise ValidationError(_("This idempotency key was already used for another ride."))
    return TapResult(stop=stop, event=event, replayed=True)


def stop_tap(*, actor: Actor, stop: Stop, action: str, key: str, at: datetime | None = None) -> TapResult:
    """Record one tap on ``stop`` (see the module's table). The same ``key`` again changes nothing
    and returns the first tap's result. Refusals raise ValidationError with a message."""
    key = key.strip()
    if action not in ACTIONS:
        raise ValidationError(_("Choose an action from the list."))
    if not key or len(key) > 64:
        raise ValidationError(_("This tap has no valid key; reload the page."))
    # A key names one tap of one action: the form without JavaScript has one key for its buttons, so a
    # stale page's key reused for another action is another tap, not a replay.
    key = f"{action}:{key}"
    municipality_id = stop.run.plan.municipality_id
    done = _replay(stop.pk, municipality_id, key)
    if done is not None:
        return done
    when = at or timezone.now()
    try:
        with transaction.atomic():
            locked = Stop.objects.select_for_update().select_related("run", "run__vehicle").get(pk=stop.pk)
            done = _replay(stop.pk, municipality_id, key)
            if done is not None:
                return done
            event = _apply(actor=actor, stop=locked, action=action, key=key, when=when)
    except IntegrityError:  # the same key raced in from another request: its result is the answer
        done = _replay(stop.pk, municipality_id, key)
        if done is None:
            raise
        return done
    return TapResult(stop=locked, event=event, replayed=False)


def _apply(*, actor: Actor, stop: Stop, action: str, key: str, when: datetime) -> TripEvent:
    ride = RideRequest.objects.select_related("resident", "municipality").get(pk=stop.request_id)
    pickup = stop.kind == Stop.Kind.PICKUP
    if action in (ON_WAY, PICKED_UP, NO_SHOW) and not pickup:
        raise _refuse_action(action)
    if action == DROPPED_OFF and pickup:
        raise _refuse_action(action)
    if stop.state in FINISHED or (action in (ON_WAY, ARRIVE) and stop.state != Stop.State.PLANNED):
        raise _refuse_state(stop)

    def move(to: str, k: str, note: str = "") -> TripEvent:
        return request_transition(
            actor=actor, ride=ride, to=to, idempotency_key=k, at=when, stop=stop, note=note
        )

    fields: list[str] = []
    if action == ON_WAY:
        event = move(Status.EN_ROUTE, key)
        notifications.notify_on_the_way(ride, stop)
    elif action == ARRIVE:
        if pickup and ride.status == Status.SCHEDULED:
            event = move(Status.EN_ROUTE, key, note=_("Arrived"))
        elif (pickup and ride.status == Status.EN_ROUTE) or (not pickup and ride.status == Status.PICKED_UP):
            _check_driver(actor, stop)
            event = _note_event(actor=actor, ride=ride, stop=stop, note=_("Arrived"), key=key, at=when)
        elif pickup:
            event = move(Status.EN_ROUTE, key)  # refused by the outcome service, with the reason
        else:
            raise ValidationError(_("The passenger has not been picked up yet."))
        stop.state, stop.arrived_at = Stop.State.ARRIVED, when
        fields = ["state", "arrived_at"]
    elif action == PICKED_UP:
        if ride.status == Status.SCHEDULED:
            move(Status.EN_ROUTE, f"{key}:en")
        event = move(Status.PICKED_UP, key)
        stop.state, stop.done_at = Stop.State.DONE, when
        stop.arrived_at = stop.arrived_at or when
        fields = ["state", "arrived_at", "done_at"]
    elif action == DROPPED_OFF:
        event = move(Status.COMPLETED, key)
        stop.state, stop.done_at = Stop.State.DONE, when
        stop.arrived_at = stop.arrived_at or when
        fields = ["state", "arrived_at", "done_at"]
    else:  # NO_SHOW
        event = move(Status.NO_SHOW, key)
        stop.state, stop.done_at = Stop.State.NO_SHOW, when
        stop.arrived_at = stop.arrived_at or when
        fields = ["state", "arrived_at", "done_at"]
        Stop.objects.filter(request=ride, kind=Stop.Kind.DROPOFF, state=Stop.State.PLANNED).update(
            state=Stop.State.SKIPPED
        )
    if fields:
        stop.save(update_fields=fields)
    if stop.state in FINISHED:
        _next_on_the_way(actor=actor, stop=stop, key=key, when=when)
    return event


def _check_driver(actor: Actor, stop: Stop) -> None:
    """The same rule as the outcome service's for events that change no status."""
    if actor.has_role(*STAFF):
        return
    membership = actor.membership_for(Role.DRIVER)
    if membership is None or stop.run.driver is None or stop.run.driver.membership_id != membership.pk:
        raise ValidationError(_("You may not change this ride."))


def _next_on_the_way(*, actor: Actor, stop: Stop, key: str, when: datetime) -> None:
    """The stop after a finished one, if it is a pickup still scheduled: the vehicle is on its way."""
    following = (
        Stop.objects.filter(run_id=stop.run_id, sequence__gt=stop.sequence, state=Stop.State.PLANNED)
        .select_related("request", "request__resident", "request__municipality", "run__vehicle")
        .order_by("sequence")
        .first()
    )
    if following is None or following.kind != Stop.Kind.PICKUP:
        return
    ride = following.request
    if ride.status != Status.SCHEDULED:
        return
    request_transition(
        actor=actor, ride=ride, to=Status.EN_ROUTE, idempotency_key=f"{key}:next", at=when, stop=following
    )
    notifications.notify_on_the_way(ride, following)
