"""The People Assistance Vehicle's JSON API: booking, requests, decisions and outcomes.

Thin: parse, call one service or selector, return. A role that may not book or decide gets a 403;
a request or resident outside the caller's scope (another town, a volunteer's other communities)
is a 404. Writes accept an ``Idempotency-Key`` header: the same key again returns the first result
and writes nothing.
"""

from datetime import date, datetime, time
from decimal import Decimal
from typing import Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from thukkhon.core.actor import Actor
from thukkhon.core.api_auth import Pagination, request_actor
from thukkhon.people.models import Place
from thukkhon.people.schemas import ErrorOut, ValidationErrorOut
from thukkhon.rides import booking, outcomes, selectors
from thukkhon.rides.access import access_bookable_resident, access_ride_request, access_ride_series, can_book
from thukkhon.rides.models import Channel, RideRequest, RideSeries

router = Router(tags=["rides"])

READ = {401: ErrorOut, 404: ErrorOut}
WRITE = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}

PurposeCode = Literal["hospital", "dialysis", "rehabilitation", "checkup", "office", "other"]
MobilityCode = Literal["walks", "walker", "wheelchair", "stretcher"]
LocationCode = Literal["home", "place", "address"]
ReturnCode = Literal["none", "fixed", "call"]
StatusCode = Literal[
    "requested",
    "accepted",
    "denied",
    "scheduled",
    "en_route",
    "picked_up",
    "completed",
    "cancelled",
    "late_cancelled",
    "no_show",
]


def _key(request: HttpRequest) -> str | None:
    key = request.headers.get("Idempotency-Key", "").strip()
    return key[:200] or None


# --- Shapes -----------------------------------------------------------------------------------------------


class LocationIn(Schema):
    kind: LocationCode = "home"
    place_id: int | None = None
    address: str = Field("", max_length=300)
    lat: Decimal | None = Field(None, ge=-90, le=90, max_digits=9, decimal_places=6)
    lon: Decimal | None = Field(None, ge=-180, le=180, max_digits=9, decimal_places=6)


class BookingIn(Schema):
    resident_id: int
    purpose: PurposeCode
    purpose_note: str = Field("", max_length=200)
    service_date: date
    appointment_time: time | None = Field(description="Local time (Asia/Bangkok) of the appointment.")
    pickup: LocationIn | None = Field(None, description="Home when left out.")
    dropoff: LocationIn
    mobility: MobilityCode = "walks"
    oxygen: bool = False
    companions: int = Field(0, ge=0, le=20)
    attendants: int = Field(0, ge=0, le=20)
    notes_for_driver: str = Field("", max_length=1000)
    return_mode: ReturnCode = "none"
    return_time: time | None = None
    eligibility_override: str = Field(
        "",
        max_length=300,
        description="Staff only, where the municipality refuses ineligible requests: why the ride is "
        "booked although the resident meets none of the criteria. Ignored for other callers.",
    )


class SeriesIn(BookingIn):
    weekdays: list[int] = Field(description="0 = Monday … 6 = Sunday")
    ends_on: date


class ReasonIn(Schema):
    reason: str = Field(max_length=300)


class TransitionIn(Schema):
    status: StatusCode
    note: str = Field("", max_length=300)
    reason: str = Field("", max_length=300)


class EventOut(Schema):
    status: str
    note: str
    at: datetime
    by: str | None

    @staticmethod
    def resolve_by(obj: Any) -> str | None:
        return obj.by.username if obj.by_id else None


class ReasonOut(Schema):
    text: str
    points: int


class RideOut(Schema):
    id: int
    resident_id: int
    resident_name: str
    community_id: int
    purpose: str
    purpose_note: str
    service_date: date
    appointment_at: datetime | None
    pickup_kind: str
    pickup_place_id: int | None
    pickup_address: str
    pickup_lat: float
    pickup_lon: float
    dropoff_kind: str
    dropoff_place_id: int | None
    dropoff_address: str
    dropoff_lat: float
    dropoff_lon: float
    pickup_earliest: datetime | None
    pickup_latest: datetime | None
    dropoff_earliest: datetime | None
    dropoff_latest: datetime | None
    mobility: str
    oxygen: bool
    companions: int
    attendants: int
    notes_for_driver: str
    return_mode: str
    return_at: datetime | None
    outbound_id: int | None
    return_leg_id: int | None
    series_id: int | None
    channel: str
    status: str
    priority: int
    priority_reasons: list[ReasonOut]
    denial_reason: str
    cancel_reason: str

    @staticmethod
    def resolve_resident_name(obj: RideRequest) -> str:
        return obj.resident.full_name

    @staticmethod
    def resolve_community_id(obj: RideRequest) -> int:
        return obj.resident.community_id

    @staticmethod
    def resolve_return_leg_id(obj: RideRequest) -> int | None:
        return RideRequest.objects.filter(outbound_id=obj.pk).values_list("pk", flat=True).first()

    @staticmethod
    def resolve_pickup_lat(obj: RideRequest) -> float:
        return float(obj.pickup_lat)

    @staticmethod
    def resolve_pickup_lon(obj: RideRequest) -> float:
        return float(obj.pickup_lon)

    @staticmethod
    def resolve_dropoff_lat(obj: RideRequest) -> float:
        return float(obj.dropoff_lat)

    @staticmethod
    def resolve_dropoff_lon(obj: RideRequest) -> float:
        return float(obj.dropoff_lon)


class RideDetailOut(RideOut):
    events: list[EventOut]

    @staticmethod
    def resolve_events(obj: RideRequest) -> list[Any]:
        return list(selectors.request_events(obj))


class SeriesOut(Schema):
    id: int
    resident_id: int
    weekdays: list[int]
    starts_on: date
    ends_on: date
    generated_until: date | None
    is_active: bool
    request_ids: list[int]

    @staticmethod
    def resolve_request_ids(obj: RideSeries) -> list[int]:
        return list(obj.requests.order_by("service_date", "id").values_list("pk", flat=True))


class RideFilters(Schema):
    day: date | None = None
    status: StatusCode | None = None
    community_id: int | None = None
    purpose: PurposeCode | None = None
    q: str = Field("", max_length=100)


# --- Helpers ----------------------------------------------------------------------------------------------


def _booker(request: HttpRequest) -> Actor:
    actor = request_actor(request)
    if not can_book(actor):
        raise PermissionDenied(_("You may not book rides."))
    return actor


def _location(actor: Actor, name: str, loc: LocationIn | None) -> booking.Location:
    if loc is None:
        return booking.Location()
    place = None
    if loc.place_id is not None:
        place = Place.objects.filter(municipality=actor.municipality, pk=loc.place_id).first()
        if place is None:
            raise ValidationError({name: [_("Choose a place of this municipality.")]})
    return booking.Location(kind=loc.kind, place=place, address=loc.address, lat=loc.lat, lon=loc.lon)


def _data(actor: Actor, payload: BookingIn) -> booking.BookingData:
    return booking.BookingData(
        resident=access_bookable_resident(actor, payload.resident_id),
        purpose=payload.purpose,
        purpose_note=payload.purpose_note,
        service_date=payload.service_date,
        appointment_time=payload.appointment_time,
        pickup=_location(actor, "pickup", payload.pickup),
        dropoff=_location(actor, "dropoff", payload.dropoff),
        mobility=payload.mobility,
        oxygen=payload.oxygen,
        companions=payload.companions,
        attendants=payload.attendants,
        notes_for_driver=payload.notes_for_driver,
        return_mode=payload.return_mode,
        return_time=payload.return_time,
    )


def _detail(actor: Actor, ride_id: int) -> RideRequest:
    return access_ride_request(actor, ride_id)


# --- Endpoints --------------------------------------------------------------------------------------------


@router.post("/requests", response={201: RideDetailOut, **WRITE}, summary="Book a ride")
def ride_create(request: HttpRequest, payload: BookingIn) -> Status[RideRequest]:
    """Book a ride (and its return leg). Send `Idempotency-Key` so a retry returns the same request."""
    actor = _booker(request)
    ride = booking.request_create(
        actor=actor,
        data=_data(actor, payload),
        idempotency_key=_key(request),
        channel=Channel.API,
        eligibility_override=payload.eligibility_override,
    )
    return Status(201, _detail(actor, ride.pk))


@router.get("/requests", response=list[RideOut], summary="List ride requests")
@paginate(Pagination)
def ride_list(request: HttpRequest, filters: Query[RideFilters]) -> QuerySet[RideRequest]:
    actor = request_actor(request)
    if not selectors.can_use_rides(actor):
        return RideRequest.objects.none()
    return selectors.request_search(
        actor,
        selectors.RequestFilters(
            q=filters.q,
            day=filters.day,
            status=filters.status or "",
            community_id=filters.community_id,
            purpose=filters.purpose or "",
        ),
    )


@router.get("/requests/{ride_id}", response={200: RideDetailOut, **READ}, summary="A ride request")
def ride_detail(request: HttpRequest, ride_id: int) -> RideRequest:
    return _detail(request_actor(request), ride_id)


@router.post("/requests/{ride_id}/cancel", response={200: RideDetailOut, **WRITE}, summary="Cancel a ride")
def ride_cancel(request: HttpRequest, ride_id: int, payload: ReasonIn) -> RideRequest:
    actor = request_actor(request)
    ride = _detail(actor, ride_id)
    outcomes.request_cancel(actor=actor, ride=ride, reason=payload.reason, idempotency_key=_key(request))
    return _detail(actor, ride_id)


@router.post("/requests/{ride_id}/accept", response={200: RideDetailOut, **WRITE}, summary="Accept a ride")
def ride_accept(request: HttpRequest, ride_id: int) -> RideRequest:
    actor = request_actor(request)
    ride = _detail(actor, ride_id)
    outcomes.request_accept(actor=actor, ride=ride, idempotency_key=_key(request))
    return _detail(actor, ride_id)


@router.post("/requests/{ride_id}/deny", response={200: RideDetailOut, **WRITE}, summary="Deny a ride")
def ride_deny(request: HttpRequest, ride_id: int, payload: ReasonIn) -> RideRequest:
    actor = request_actor(request)
    ride = _detail(actor, ride_id)
    outcomes.request_deny(actor=actor, ride=ride, reason=payload.reason, idempotency_key=_key(request))
    return _detail(actor, ride_id)


@router.post(
    "/requests/{ride_id}/status", response={200: RideDetailOut, **WRITE}, summary="Record an outcome"
)
def ride_transition(request: HttpRequest, ride_id: int, payload: TransitionIn) -> RideRequest:
    """Move the ride along its outcomes (scheduled, en route, picked up, completed, no-show …)."""
    actor = request_actor(request)
    ride = _detail(actor, ride_id)
    outcomes.request_transition(
        actor=actor,
        ride=ride,
        to=payload.status,
        note=payload.note,
        reason=payload.reason,
        idempotency_key=_key(request),
    )
    return _detail(actor, ride_id)


@router.post(
    "/requests/{ride_id}/call", response={200: RideDetailOut, **WRITE}, summary="The resident is ready"
)
def ride_return_call(request: HttpRequest, ride_id: int) -> RideRequest:
    """A "call when done" return leg: the pickup window starts now."""
    actor = request_actor(request)
    booking.return_call(actor=actor, ride=_detail(actor, ride_id))
    return _detail(actor, ride_id)


@router.post("/series", response={201: SeriesOut, **WRITE}, summary="Book a recurring ride")
def series_create(request: HttpRequest, payload: SeriesIn) -> Status[RideSeries]:
    actor = _booker(request)
    series = booking.series_create(
        actor=actor,
        data=_data(actor, payload),
        weekdays=payload.weekdays,
        ends_on=payload.ends_on,
        idempotency_key=_key(request),
        eligibility_override=payload.eligibility_override,
    )
    return Status(201, series)


@router.post("/series/{series_id}/cancel", response={200: SeriesOut, **WRITE}, summary="End a recurring ride")
def series_cancel(request: HttpRequest, series_id: int, payload: ReasonIn) -> RideSeries:
    actor = request_actor(request)
    series = access_ride_series(actor, series_id)
    booking.series_cancel(actor=actor, series=series, reason=payload.reason)
    series.refresh_from_db()
    return series
