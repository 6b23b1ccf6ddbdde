"""The only way views fetch ride requests and series. What the actor may not see is a 404."""

from __future__ import annotations

from django.http import Http404

from thukkhon.core.actor import Actor
from thukkhon.core.roles import Role
from thukkhon.people.models import Resident
from thukkhon.rides import selectors
from thukkhon.rides.models import RideRequest, RideSeries


def access_ride_request(actor: Actor | None, request_id: int) -> RideRequest:
    if actor is None or not selectors.can_use_rides(actor):
        raise Http404
    ride = (
        selectors.requests_visible(actor)
        .select_related("resident", "resident__community", "resident__household", "booked_by")
        .select_related("pickup_place", "dropoff_place", "series", "outbound")
        .filter(pk=request_id)
        .first()
    )
    if ride is None:
        raise Http404
    return ride


def access_ride_series(actor: Actor | None, series_id: int) -> RideSeries:
    if actor is None or not selectors.can_use_rides(actor):
        raise Http404
    series = selectors.series_visible(actor).select_related("resident").filter(pk=series_id).first()
    if series is None:
        raise Http404
    return series


def access_bookable_resident(actor: Actor | None, resident_id: int) -> Resident:
    """A resident the actor may book for: 404 outside a volunteer's communities or another town."""
    if actor is None or not can_book(actor):
        raise Http404
    resident = selectors.bookable_residents(actor).filter(pk=resident_id).first()
    if resident is None:
        raise Http404
    return resident


def can_book(actor: Actor | None) -> bool:
    return actor is not None and actor.has_role(*selectors.STAFF_BOOK, Role.VOLUNTEER, Role.RESIDENT)


def can_decide(actor: Actor | None) -> bool:
    return actor is not None and actor.has_role(*selectors.DECIDE)


def can_record_outcome(actor: Actor | None) -> bool:
    return actor is not None and actor.has_role(*selectors.OUTCOME)


def can_cancel(actor: Actor | None, ride: RideRequest) -> bool:
    """Staff, and whoever may book for this resident (the volunteer, the resident)."""
    if actor is None:
        return False
    if actor.has_role(*selectors.STAFF_BOOK):
        return True
    return can_book(actor) and selectors.bookable_residents(actor).filter(pk=ride.resident_id).exists()
