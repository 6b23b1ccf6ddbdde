"""The outcome of a ride request: a state machine whose every change writes a :class:`TripEvent`.

    requested → accepted | denied (a reason is required) | cancelled
    accepted  → scheduled | denied | cancelled
    scheduled → en route | accepted (taken off the plan) | cancelled | no-show
    en route  → picked up | no-show | cancelled
    picked up → completed

A cancellation within ``LATE_CANCEL_WINDOW`` (2 hours) of the pickup is a late cancellation. The
pickup time is the planned pickup stop's time, else the pickup window's start, else the drop-off
window's start. Accepting, denying and cancelling an outbound trip do the same to its return leg.

A retried call carries the same idempotency key and is recorded once: the second call returns the
event of the first. No trip is silently dropped: a denial and a request that could not be planned
(:func:`request_mark_unplanned`, called by the planner) are recorded as :class:`UnmetNeed`.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from thukkhon.core.actor import Actor
from thukkhon.core.roles import Role
from thukkhon.people.models import ResidentStatus
from thukkhon.rides import selectors
from thukkhon.rides.models import RideRequest, Status, Stop, TripEvent, UnmetNeed

LATE_CANCEL_WINDOW = timedelta(hours=2)
CANCELLED = frozenset({Status.CANCELLED, Status.LATE_CANCELLED})

TRANSITIONS: dict[str, frozenset[str]] = {
    Status.REQUESTED: frozenset({Status.ACCEPTED, Status.DENIED, *CANCELLED}),
    Status.ACCEPTED: frozenset({Status.SCHEDULED, Status.DENIED, *CANCELLED}),
    Status.SCHEDULED: frozenset({Status.EN_ROUTE, Status.ACCEPTED, Status.NO_SHOW, *CANCELLED}),
    Status.EN_ROUTE: frozenset({Status.PICKED_UP, Status.NO_SHOW, *CANCELLED}),
    Status.PICKED_UP: frozenset({Status.COMPLETED}),
}
DRIVING = frozenset({Status.EN_ROUTE, Status.PICKED_UP, Status.COMPLETED, Status.NO_SHOW})
CASCADE_TO_RETURN = frozenset({Status.ACCEPTED, Status.DENIED, *CANCELLED})


def hashed_key(prefix: str, *parts: object) -> str:
    """A client's idempotency key, scoped (municipality, user, …) and hashed to fit the column."""
    digest = hashlib.sha256(":".join(str(p) for p in parts).encode()).hexdigest()
    return f"{prefix}:{digest[:64]}"


def allowed_next(ride: RideRequest) -> frozenset[str]:
    return TRANSITIONS.get(ride.status, frozenset())


def pickup_reference(ride: RideRequest) -> datetime | None:
    """When the pickup is expected: the planned stop, else the window's start (see module doc)."""
    stop = Stop.objects.filter(request=ride, kind=Stop.Kind.PICKUP).only("planned_at").first()
    if stop is not None:
        return stop.planned_at
    return ride.pickup_earliest or ride.dropoff_earliest


def _drives_it(actor: Actor, ride: RideRequest) -> bool:
    driver = actor.membership_for(Role.DRIVER)
    return driver is not None and ride.stops.filter(run__driver__membership=driver).exists()


def _check_permission(actor: Actor | None, ride: RideRequest, to: str) -> None:
    """None is the system (the planner, a job). A person needs the role for the change."""
    if actor is None:
        return
    if actor.municipality.pk != ride.municipality_id:
        raise PermissionDenied(_("You may not change this ride."))
    if to in (Status.ACCEPTED, Status.DENIED) and ride.status != Status.SCHEDULED:
        ok = actor.has_role(*selectors.DECIDE)
    elif to in CANCELLED:
        from thukkhon.rides.access import can_cancel

        ok = can_cancel(actor, ride)
    elif to in DRIVING:
        ok = actor.has_role(*selectors.OUTCOME) or _drives_it(actor, ride)
    else:  # scheduling and taking off the plan
        ok = actor.has_role(*selectors.OUTCOME)
    if not ok:
        raise PermissionDenied(_("You may not change this ride."))


def _refuse(ride: RideRequest, to: str) -> ValidationError:
    return ValidationError(
        {
            "status": [
                _("A ride that is “%(current)s” cannot become “%(next)s”.")
                % {"current": ride.get_status_display(), "next": Status(to).label}
            ]
        }
    )


def request_transition(
    *,
    actor: Actor | None,
    ride: RideRequest,
    to: str,
    note: str = "",
    reason: str = "",
    idempotency_key: str | None = None,
    at: datetime | None = None,
    stop: Stop | None = None,
) -> TripEvent:
    """Move the ride to ``to`` and record the event; the same idempotency key again returns the
    event of the first call and changes nothing. ``to=cancelled`` becomes a late cancellation
    within two hours of the pickup. Denial and cancellation need a reason."""
    if to not in Status.values:
        raise ValidationError({"status": [_("Choose a status from the list.")]})
    key = hashed_key("ev", ride.municipality_id, idempotency_key) if idempotency_key else None
    if key is not None:
        done = TripEvent.objects.filter(idempotency_key=key).first()
        if done is not None:
            return _replayed(done, ride)
    try:
        with transaction.atomic():
            return _transition(
                actor=actor, ride=ride, to=to, note=note, reason=reason, key=key, at=at, stop=stop
            )
    except IntegrityError:
        # A concurrent call with the same key won the race: its event is the answer.
        if key is None:
            raise
        done = TripEvent.objects.filter(idempotency_key=key).first()
        if done is None:
            raise
        return _replayed(done, ride)


def _replayed(event: TripEvent, ride: RideRequest) -> TripEvent:
    if event.request_id != ride.pk:
        raise ValidationError(_("This idempotency key was already used for another ride."))
    ride.refresh_from_db()
    return event


def _transition(
    *,
    actor: Actor | None,
    ride: RideRequest,
    to: str,
    note: str,
    reason: str,
    key: str | None,
    at: datetime | None,
    stop: Stop | None,
) -> TripEvent:
    locked = RideRequest.objects.select_for_update().get(pk=ride.pk)
    if key is not None:
        done = TripEvent.objects.filter(idempotency_key=key).first()
        if done is not None:
            return _replayed(done, ride)
    _check_permission(actor, locked, to)
    when = at or timezone.now()
    reason = reason.strip()
    if to in CANCELLED:
        if not reason:
            raise ValidationError({"reason": [_("Give the reason for the cancellation.")]})
        pickup = pickup_reference(locked)
        if to == Status.CANCELLED and pickup is not None and pickup - when < LATE_CANCEL_WINDOW:
            to = Status.LATE_CANCELLED
    if to == Status.DENIED and not reason:
        raise ValidationError({"reason": [_("Give the reason for the denial.")]})
    if to not in allowed_next(locked):
        raise _refuse(locked, to)
    locked.status = to
    fields = ["status", "updated_at"]
    if to == Status.DENIED:
        locked.denial_reason = reason
        fields.append("denial_reason")
    elif to in CANCELLED:
        locked.cancel_reason = reason[:200]
        fields.append("cancel_reason")
    locked.save(update_fields=fields)
    event = TripEvent.objects.create(
        request=locked,
        stop=stop,
        status=to,
        note=(note or reason)[:300],
        at=when,
        by=actor.user if actor is not None else None,
        idempotency_key=key,
    )
    if to == Status.DENIED:
        UnmetNeed.objects.get_or_create(
            municipality_id=locked.municipality_id,
            request=locked,
            reason=UnmetNeed.Reason.DENIED,
            defaults={"detail": reason[:300]},
        )
    if to in CASCADE_TO_RETURN:
        _cascade(actor, locked, to, reason=reason, key=key, when=when)
    ride.status = locked.status
    ride.denial_reason = locked.denial_reason
    ride.cancel_reason = locked.cancel_reason
    return event


def _cascade(
    actor: Actor | None, outbound: RideRequest, to: str, *, reason: str, key: str | None, when: datetime
) -> None:
    """The return leg follows its outbound trip when it still can."""
    leg = RideRequest.objects.select_for_update().filter(outbound=outbound).first()
    if leg is None:
        return
    target = Status.CANCELLED if to in CANCELLED else to
    if target not in allowed_next(leg):
        return
    _transition(
        actor=actor,
        ride=leg,
        to=target,
        note=_("With the outbound trip"),
        reason=reason,
        key=f"{key}:r"[:80] if key else None,
        at=when,
        stop=None,
    )


def request_accept(*, actor: Actor, ride: RideRequest, idempotency_key: str | None = None) -> TripEvent:
    return request_transition(actor=actor, ride=ride, to=Status.ACCEPTED, idempotency_key=idempotency_key)


def request_deny(
    *, actor: Actor, ride: RideRequest, reason: str, idempotency_key: str | None = None
) -> TripEvent:
    return request_transition(
        actor=actor, ride=ride, to=Status.DENIED, reason=reason, idempotency_key=idempotency_key
    )


def request_cancel(
    *,
    actor: Actor | None,
    ride: RideRequest,
    reason: str,
    idempotency_key: str | None = None,
    at: datetime | None = None,
) -> TripEvent:
    event = request_transition(
        actor=actor, ride=ride, to=Status.CANCELLED, reason=reason, idempotency_key=idempotency_key, at=at
    )
    transaction.on_commit(lambda: _tell_cancelled(ride.pk))
    return event


def _tell_cancelled(ride_id: int) -> None:
    """Tell the passenger that the trip is cancelled — not when the cancellation follows their death."""
    from thukkhon.rides.notifications import notify_cancelled

    ride = RideRequest.objects.select_related("resident").get(pk=ride_id)
    if ride.resident.status == ResidentStatus.ALIVE:
        notify_cancelled(ride)


@transaction.atomic
def request_mark_unplanned(*, ride: RideRequest, detail: str = "", one_leg_only: bool = False) -> UnmetNeed:
    """Record that no vehicle could take the request (or only one leg of a round trip): unmet
    need, once per request and reason. The status does not change: it may still be inserted."""
    reason = UnmetNeed.Reason.ONE_LEG_ONLY if one_leg_only else UnmetNeed.Reason.NOT_PLANNED
    need, created = UnmetNeed.objects.get_or_create(
        municipality_id=ride.municipality_id,
        request=ride,
        reason=reason,
        defaults={"detail": detail[:300]},
    )
    if created:
        TripEvent.objects.create(
            request=ride,
            status=ride.status,
            note=(detail or str(need.get_reason_display()))[:300],
            at=timezone.now(),
            by=None,
        )
    return need
