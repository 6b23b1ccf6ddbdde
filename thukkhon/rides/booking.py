"""Booking rides: every write of a request or a recurring series (keyword-only, typed, atomic,
validated). Bad input raises ``ValidationError`` with a message per field in the user's language,
and nothing is written.

Time windows come from the municipality's :class:`RideSettings` (created with defaults on first
use). For an appointment at *A*, be there ``arrive_before`` early within a window ``window`` wide:

* outbound drop-off window: [A − arrive_before − window, A − arrive_before]
* return at a fixed time *t*: pickup window [t, t + window]
* return "call when done": a return request with no window (status requested); :func:`return_call`
  gives it the window [now, now + window] when the resident calls, and the planner takes it then.

Who may book: staff (admin, welfare, dispatcher) for anyone of the municipality; a health volunteer
for the residents of their communities; a resident for themselves (their
:class:`~thukkhon.rides.models.ResidentAccount`).

Idempotency: a create with a key the same user already used returns the request of the first call.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from thukkhon.core.actor import Actor
from thukkhon.core.roles import Role
from thukkhon.core.thai import format_thai_date
from thukkhon.fleet.models import Vehicle
from thukkhon.people.models import Place, Resident, ResidentStatus
from thukkhon.rides import eligibility, outcomes, selectors
from thukkhon.rides.models import (
    FINAL_STATUSES,
    Channel,
    LocationKind,
    Mobility,
    Purpose,
    ReturnMode,
    RideRequest,
    RideSeries,
    RideSettings,
    Status,
    TripEvent,
)

Errors = dict[str, list[str]]
DUPLICATE_WITHIN = timedelta(hours=2)
NOT_DUPLICATES = (Status.CANCELLED, Status.LATE_CANCELLED, Status.DENIED)


def _add(errors: Errors, name: str, message: str) -> None:
    errors.setdefault(name, []).append(message)


def _raise(errors: Errors) -> None:
    if errors:
        raise ValidationError(errors)  # type: ignore[arg-type]


# The fields each kind of location uses; those of the other kinds are ignored.
LOCATION_PARTS = ("place", "address", "lat", "lon")
_KIND_PARTS: dict[str, tuple[str, ...]] = {
    LocationKind.HOME: (),
    LocationKind.PLACE: ("place",),
    LocationKind.ADDRESS: ("address", "lat", "lon"),
}


def location_parts(kind: str) -> tuple[str, ...]:
    return _KIND_PARTS.get(kind, LOCATION_PARTS)


@dataclass
class Location:
    kind: str = LocationKind.HOME
    place: Place | None = None
    address: str = ""
    lat: Decimal | None = None
    lon: Decimal | None = None

    def only_kind(self) -> Location:
        """The same location without the values of the kinds not chosen."""
        used = location_parts(self.kind)
        return Location(
            kind=self.kind,
            place=self.place if "place" in used else None,
            address=self.address if "address" in used else "",
            lat=self.lat if "lat" in used else None,
            lon=self.lon if "lon" in used else None,
        )


@dataclass
class BookingData:
    resident: Resident
    purpose: str
    service_date: date
    appointment_time: time | None
    pickup: Location = field(default_factory=Location)
    dropoff: Location = field(default_factory=lambda: Location(kind=LocationKind.PLACE))
    purpose_note: str = ""
    mobility: str = Mobility.WALKS
    oxygen: bool = False
    companions: int = 0
    attendants: int = 0
    notes_for_driver: str = ""
    return_mode: str = ReturnMode.NONE
    return_time: time | None = None


@dataclass
class _Plan:
    """What validation computed: the places' coordinates and the time windows."""

    pickup: tuple[Decimal, Decimal] | None = None
    dropoff: tuple[Decimal, Decimal] | None = None
    appointment_at: datetime | None = None
    dropoff_earliest: datetime | None = None
    dropoff_latest: datetime | None = None
    return_at: datetime | None = None


def _at(day: date, moment: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, moment))


def _hhmm(moment: time) -> str:
    return moment.strftime("%H:%M")


def channel_for(actor: Actor) -> str:
    if actor.has_role(*selectors.STAFF_BOOK):
        return Channel.STAFF
    if actor.has_role(Role.VOLUNTEER):
        return Channel.VOLUNTEER
    return Channel.RESIDENT


# --- Validation -----------------------------------------------------------------------------------------


def _location(
    errors: Errors, name: str, loc: Location, resident: Resident, municipality_id: int
) -> tuple[Decimal, Decimal] | None:
    if loc.kind == LocationKind.HOME:
        home = resident.household
        if home is None or home.latitude is None or home.longitude is None:
            _add(
                errors, name, _("The resident's home has no map position: choose a place or pin an address.")
            )
            return None
        return home.latitude, home.longitude
    if loc.kind == LocationKind.PLACE:
        if loc.place is None:
            _add(errors, name, _("Choose a place."))
            return None
        if loc.place.municipality_id != municipality_id:
            _add(errors, name, _("Choose a place of this municipality."))
            return None
        return loc.place.latitude, loc.place.longitude
    if loc.kind == LocationKind.ADDRESS:
        if not loc.address.strip():
            _add(errors, name, _("Enter the address."))
        if loc.lat is None or loc.lon is None:
            _add(errors, name, _("Pin the address on the map, or enter its latitude and longitude."))
            return None
        if not (Decimal(-90) <= loc.lat <= Decimal(90) and Decimal(-180) <= loc.lon <= Decimal(180)):
            _add(errors, name, _("The map position is not valid."))
            return None
        return loc.lat, loc.lon
    _add(errors, name, _("Give a location: home, a registered place, or an address with a map pin."))
    return None


def load_error(municipality_id: int, data: BookingData) -> str | None:
    """Why no active vehicle of the municipality could carry this load, or None."""
    wheelchair = 1 if data.mobility == Mobility.WHEELCHAIR else 0
    stretcher = 1 if data.mobility == Mobility.STRETCHER else 0
    seats = data.companions + data.attendants + (0 if wheelchair or stretcher else 1)
    vehicles = Vehicle.objects.filter(municipality_id=municipality_id, is_active=True)
    if stretcher and not vehicles.filter(stretcher_places__gte=1).exists():
        return _("No vehicle of the municipality can carry a stretcher.")
    if wheelchair and not vehicles.filter(wheelchair_places__gte=1).exists():
        return _("No vehicle of the municipality can carry a wheelchair.")
    if not vehicles.filter(
        seats__gte=seats, wheelchair_places__gte=wheelchair, stretcher_places__gte=stretcher
    ).exists():
        if wheelchair or stretcher:
            return _(
                "No vehicle of the municipality can carry this passenger with %(seats)s more seated people."
            ) % {"seats": seats}
        return _("No vehicle of the municipality has %(seats)s seats.") % {"seats": seats}
    return None


def booking_errors(
    actor: Actor,
    data: BookingData,
    *,
    rules: RideSettings,
    now: datetime,
    instance: RideRequest | None = None,
    check_horizon: bool = True,
) -> tuple[Errors, _Plan]:
    errors: Errors = {}
    plan = _Plan()
    muni = actor.municipality.pk
    resident = data.resident
    if resident.municipality_id != muni:
        _add(errors, "resident", _("Choose a resident of this municipality."))
        return errors, plan
    if resident.status == ResidentStatus.DECEASED:
        _add(
            errors, "resident", _("%(name)s has died: no ride can be booked.") % {"name": resident.full_name}
        )
    elif resident.status == ResidentStatus.MOVED:
        _add(
            errors,
            "resident",
            _("%(name)s has moved away: no ride can be booked.") % {"name": resident.full_name},
        )
    if data.purpose not in Purpose.values:
        _add(errors, "purpose", _("Choose a purpose from the list."))
    if data.mobility not in Mobility.values:
        _add(errors, "mobility", _("Choose a mobility from the list."))
    if data.return_mode not in ReturnMode.values:
        _add(errors, "return_mode", _("Choose how the resident comes back."))
    if data.companions < 0 or data.attendants < 0:
        _add(errors, "companions", _("Enter zero or more."))
    plan.pickup = _location(errors, "pickup", data.pickup, resident, muni)
    plan.dropoff = _location(errors, "dropoff", data.dropoff, resident, muni)
    if plan.pickup is not None and plan.pickup == plan.dropoff:
        _add(errors, "dropoff", _("The drop-off must be somewhere else than the pickup."))
    # When.
    today = timezone.localdate(now)
    last_day = today + timedelta(days=rules.book_days_ahead)
    if data.service_date < today:
        _add(errors, "service_date", _("The pickup would be in the past: choose a later date or time."))
    elif check_horizon and data.service_date > last_day:
        _add(
            errors,
            "service_date",
            _("Rides can be booked up to %(days)s days ahead, until %(date)s.")
            % {"days": rules.book_days_ahead, "date": format_thai_date(last_day)},
        )
    if data.appointment_time is None:
        _add(errors, "appointment_time", _("Enter the appointment time."))
    elif "service_date" not in errors:
        lead = timedelta(minutes=rules.arrive_before_min + rules.window_min)
        earliest = (datetime.combine(data.service_date, rules.day_starts) + lead).time()
        appointment = _at(data.service_date, data.appointment_time)
        plan.appointment_at = appointment
        plan.dropoff_latest = appointment - timedelta(minutes=rules.arrive_before_min)
        plan.dropoff_earliest = plan.dropoff_latest - timedelta(minutes=rules.window_min)
        if not earliest <= data.appointment_time <= rules.day_ends:
            _add(
                errors,
                "appointment_time",
                _("The appointment must be between %(start)s and %(end)s, the hours of the service.")
                % {"start": _hhmm(earliest), "end": _hhmm(rules.day_ends)},
            )
        elif plan.dropoff_earliest <= now:
            _add(
                errors, "appointment_time", _("The pickup would be in the past: choose a later date or time.")
            )
    if data.return_mode == ReturnMode.FIXED:
        if data.return_time is None:
            _add(errors, "return_time", _("Enter the time of the return trip."))
        elif data.appointment_time is not None and data.return_time <= data.appointment_time:
            _add(errors, "return_time", _("The return trip must be after the appointment."))
        elif not rules.day_starts <= data.return_time <= rules.day_ends:
            _add(
                errors,
                "return_time",
                _("The return trip must be between %(start)s and %(end)s, the hours of the service.")
                % {"start": _hhmm(rules.day_starts), "end": _hhmm(rules.day_ends)},
            )
        else:
            plan.return_at = _at(data.service_date, data.return_time)
    # What to carry.
    if "mobility" not in errors and "companions" not in errors:
        problem = load_error(muni, data)
        if problem:
            _add(errors, "mobility", problem)
    # The same resident at about the same time.
    if plan.appointment_at is not None and not errors:
        clash = RideRequest.objects.filter(
            resident=resident,
            service_date=data.service_date,
            outbound__isnull=True,
            appointment_at__gt=plan.appointment_at - DUPLICATE_WITHIN,
            appointment_at__lt=plan.appointment_at + DUPLICATE_WITHIN,
        ).exclude(status__in=NOT_DUPLICATES)
        if instance is not None:
            clash = clash.exclude(pk=instance.pk)
        other = clash.order_by("appointment_at").first()
        if other is not None and other.appointment_at is not None:
            _add(
                errors,
                "appointment_time",
                _("%(name)s already has a ride booked on this day, for an appointment at %(time)s.")
                % {
                    "name": resident.full_name,
                    "time": timezone.localtime(other.appointment_at).strftime("%H:%M"),
                },
            )
    return errors, plan


def eligibility_gate(
    actor: Actor, data: BookingData, rules: RideSettings, *, override: str, errors: Errors | None
) -> tuple[str | None, str]:
    """Where the municipality refuses ineligible requests: ``(refusal, override)``.

    ``refusal`` is the reason to deny the request with (it is booked, then denied, so that it counts
    as unmet need), or None. A staff member who books may go past a refusal by giving a reason,
    returned as ``override``; without one, an error is added to ``errors`` — or, when ``errors``
    is None (nobody to ask, e.g. the daily extension of a series), the request is refused.
    Everyone else's request is refused, whatever override they send."""
    refused = eligibility.refusal(
        eligibility.assess(data.resident, data.purpose, on=data.service_date), rules
    )
    if refused is None:
        return None, ""
    reason = override.strip()[:300]
    if eligibility.may_override(actor):
        if reason:
            return None, reason
        if errors is not None:
            _add(
                errors,
                "eligibility_override",
                _("%(refusal)s To book the ride anyway, give the reason.") % {"refusal": refused},
            )
            return None, ""
    return refused, ""


def _deny_refused(ride: RideRequest, refused: str, now: datetime) -> None:
    """A refused request is denied by the rules (no person): a denial, hence unmet need."""
    outcomes.request_transition(actor=None, ride=ride, to=Status.DENIED, reason=refused, at=now)
    ride.refresh_from_db()


# --- Writing ---------------------------------------------------------------------------------------------


def _require_booker(actor: Actor, resident: Resident) -> None:
    if not selectors.bookable_residents(actor).filter(pk=resident.pk).exists():
        raise PermissionDenied(_("You may not book a ride for this resident."))


def _values(data: BookingData, plan: _Plan) -> dict[str, Any]:
    assert plan.pickup is not None and plan.dropoff is not None
    return {
        "resident": data.resident,
        "purpose": data.purpose,
        "purpose_note": data.purpose_note.strip(),
        "service_date": data.service_date,
        "appointment_at": plan.appointment_at,
        "pickup_kind": data.pickup.kind,
        "pickup_place": data.pickup.place if data.pickup.kind == LocationKind.PLACE else None,
        "pickup_address": data.pickup.address.strip() if data.pickup.kind == LocationKind.ADDRESS else "",
        "pickup_lat": plan.pickup[0],
        "pickup_lon": plan.pickup[1],
        "dropoff_kind": data.dropoff.kind,
        "dropoff_place": data.dropoff.place if data.dropoff.kind == LocationKind.PLACE else None,
        "dropoff_address": data.dropoff.address.strip() if data.dropoff.kind == LocationKind.ADDRESS else "",
        "dropoff_lat": plan.dropoff[0],
        "dropoff_lon": plan.dropoff[1],
        "pickup_earliest": None,
        "pickup_latest": None,
        "dropoff_earliest": plan.dropoff_earliest,
        "dropoff_latest": plan.dropoff_latest,
        "mobility": data.mobility,
        "oxygen": data.oxygen,
        "companions": data.companions,
        "attendants": data.attendants,
        "notes_for_driver": data.notes_for_driver.strip(),
        "return_mode": data.return_mode,
        "return_at": plan.return_at,
    }


def _return_values(outbound: dict[str, Any], rules: RideSettings) -> dict[str, Any]:
    """The return leg: from the drop-off back to the pickup, at the fixed time or when called."""
    back = dict(outbound)
    for a, b in (
        ("kind", "kind"),
        ("place", "place"),
        ("address", "address"),
        ("lat", "lat"),
        ("lon", "lon"),
    ):
        back[f"pickup_{a}"], back[f"dropoff_{b}"] = outbound[f"dropoff_{a}"], outbound[f"pickup_{b}"]
    back["appointment_at"] = None
    back["dropoff_earliest"] = back["dropoff_latest"] = None
    back["return_at"] = None
    if outbound["return_mode"] == ReturnMode.FIXED and outbound["return_at"] is not None:
        back["pickup_earliest"] = outbound["return_at"]
        back["pickup_latest"] = outbound["return_at"] + timedelta(minutes=rules.window_min)
    return back


def _create_rows(
    *,
    actor: Actor,
    values: dict[str, Any],
    rules: RideSettings,
    channel: str,
    key: str | None,
    series: RideSeries | None,
    now: datetime,
    override: str = "",
) -> RideRequest:
    assessed = eligibility.assess(values["resident"], values["purpose"], on=values["service_date"])
    common = {
        "municipality": actor.municipality,
        "booked_by": actor.user,
        "channel": channel,
        "series": series,
        "priority": assessed.priority,
        "priority_reasons": assessed.reasons_json(),
        "eligibility_override": override,
    }
    ride = RideRequest.objects.create(**values, **common, idempotency_key=key)
    note = _("Booked although not eligible: %(reason)s") % {"reason": override} if override else _("Booked")
    TripEvent.objects.create(request=ride, status=Status.REQUESTED, note=note[:300], at=now, by=actor.user)
    if values["return_mode"] in (ReturnMode.FIXED, ReturnMode.CALL):
        leg = RideRequest.objects.create(
            **_return_values(values, rules),
            **common,
            outbound=ride,
            idempotency_key=f"{key}:r" if key else None,
        )
        TripEvent.objects.create(
            request=leg, status=Status.REQUESTED, note=_("Return trip booked"), at=now, by=actor.user
        )
    return ride


def request_create(
    *,
    actor: Actor,
    data: BookingData,
    idempotency_key: str | None = None,
    channel: str | None = None,
    now: datetime | None = None,
    eligibility_override: str = "",
) -> RideRequest:
    """Book a ride (and its return leg). The same idempotency key again returns the first request.

    Where the municipality refuses ineligible requests, the request of a resident who does not
    qualify is recorded and denied at once (see :func:`eligibility_gate`); the caller sees the
    denied request. Staff book it anyway with ``eligibility_override``, the reason."""
    key = (
        outcomes.hashed_key("rq", actor.municipality.pk, actor.user.pk, idempotency_key)
        if idempotency_key
        else None
    )
    if key is not None:
        done = RideRequest.objects.filter(idempotency_key=key).first()
        if done is not None:
            return done
    try:
        with transaction.atomic():
            return _request_create(
                actor=actor, data=data, key=key, channel=channel, now=now, override=eligibility_override
            )
    except IntegrityError:
        if key is None:
            raise
        done = RideRequest.objects.filter(idempotency_key=key).first()
        if done is None:
            raise
        return done


def _request_create(
    *,
    actor: Actor,
    data: BookingData,
    key: str | None,
    channel: str | None,
    now: datetime | None,
    override: str,
) -> RideRequest:
    _require_booker(actor, data.resident)
    # One booking at a time per resident, so that two submissions cannot both pass the duplicate check.
    Resident.objects.select_for_update().filter(pk=data.resident.pk).first()
    if key is not None and (done := RideRequest.objects.filter(idempotency_key=key).first()):
        return done  # the same submission, made while we waited for the lock
    moment = now or timezone.now()
    rules = eligibility.settings_for(actor.municipality.pk)
    errors, plan = booking_errors(actor, data, rules=rules, now=moment)
    refused, override = eligibility_gate(actor, data, rules, override=override, errors=errors)
    _raise(errors)
    ride = _create_rows(
        actor=actor,
        values=_values(data, plan),
        rules=rules,
        channel=channel or channel_for(actor),
        key=key,
        series=None,
        now=moment,
        override=override,
    )
    if refused is not None:
        _deny_refused(ride, refused, moment)
    return ride


@transaction.atomic
def request_update(
    *,
    actor: Actor,
    ride: RideRequest,
    data: BookingData,
    now: datetime | None = None,
    eligibility_override: str = "",
) -> RideRequest:
    """Change a booking that is still requested or accepted (the outbound trip; its return leg follows).
    Where ineligible requests are refused, a change that makes the resident ineligible (another
    purpose, say) is refused and changes nothing, unless staff give the reason to go ahead."""
    ride = RideRequest.objects.select_for_update().get(pk=ride.pk)
    if ride.outbound_id is not None:
        raise ValidationError(_("Change the outbound trip; its return follows."))
    if ride.status not in (Status.REQUESTED, Status.ACCEPTED):
        raise ValidationError(
            _("A ride that is “%(status)s” can no longer be changed.") % {"status": ride.get_status_display()}
        )
    _require_booker(actor, ride.resident)
    if data.resident.pk != ride.resident_id:
        raise ValidationError({"resident": [_("A booking cannot be moved to another resident.")]})
    moment = now or timezone.now()
    rules = eligibility.settings_for(actor.municipality.pk)
    errors, plan = booking_errors(actor, data, rules=rules, now=moment, instance=ride)
    refused, override = eligibility_gate(actor, data, rules, override=eligibility_override, errors=errors)
    if refused is not None:
        _add(errors, NON_FIELD_ERRORS, refused)
    _raise(errors)
    values = _values(data, plan)
    for name, value in values.items():
        setattr(ride, name, value)
    ride.eligibility_override = override
    assessed = eligibility.assess(
        ride.resident, ride.purpose, on=ride.service_date, exclude_request_id=ride.pk
    )
    ride.priority, ride.priority_reasons = assessed.priority, assessed.reasons_json()
    ride.save()
    leg = RideRequest.objects.filter(outbound=ride).first()
    wants_return = data.return_mode in (ReturnMode.FIXED, ReturnMode.CALL)
    if leg is None:
        if wants_return:
            common = {
                "municipality": actor.municipality,
                "booked_by": actor.user,
                "channel": ride.channel,
                "series": ride.series,
                "priority": ride.priority,
                "priority_reasons": ride.priority_reasons,
                "eligibility_override": override,
            }
            leg = RideRequest.objects.create(**_return_values(values, rules), **common, outbound=ride)
            TripEvent.objects.create(
                request=leg, status=Status.REQUESTED, note=_("Return trip booked"), at=moment, by=actor.user
            )
    elif leg.status in FINAL_STATUSES:
        if wants_return:
            raise ValidationError(
                {"return_mode": [_("The return trip was cancelled or denied: book it as a new ride.")]}
            )
    elif not wants_return:
        outcomes.request_transition(
            actor=actor, ride=leg, to=Status.CANCELLED, reason=_("No return trip any more"), at=moment
        )
    else:
        for name, value in _return_values(values, rules).items():
            setattr(leg, name, value)
        leg.eligibility_override = override
        leg.save()
    return ride


@transaction.atomic
def return_call(*, actor: Actor, ride: RideRequest, at: datetime | None = None) -> RideRequest:
    """The resident called: a "call when done" return leg gets its pickup window from now."""
    ride = RideRequest.objects.select_for_update().get(pk=ride.pk)
    if not selectors.requests_visible(actor).filter(pk=ride.pk).exists():
        raise PermissionDenied(_("You may not change this ride."))
    if ride.outbound_id is None or ride.return_mode != ReturnMode.CALL or ride.pickup_earliest is not None:
        raise ValidationError(_("This is not a return trip waiting for a call."))
    if ride.status not in (Status.REQUESTED, Status.ACCEPTED):
        raise ValidationError(
            _("A ride that is “%(status)s” can no longer be changed.") % {"status": ride.get_status_display()}
        )
    moment = at or timezone.now()
    rules = eligibility.settings_for(ride.municipality_id)
    ride.pickup_earliest = moment
    ride.pickup_latest = moment + timedelta(minutes=rules.window_min)
    ride.save(update_fields=["pickup_earliest", "pickup_latest", "updated_at"])
    TripEvent.objects.create(
        request=ride, status=ride.status, note=_("Called: ready to be picked up"), at=moment, by=actor.user
    )
    return ride


# --- Recurring series ----------------------------------------------------------------------------------


def _template(data: BookingData) -> dict[str, Any]:
    """The booking repeated by a series, as JSON (places by id, times as HH:MM)."""

    def loc(value: Location) -> dict[str, Any]:
        value = value.only_kind()
        return {
            "kind": value.kind,
            "place": value.place.pk if value.place else None,
            "address": value.address,
            "lat": str(value.lat) if value.lat is not None else None,
            "lon": str(value.lon) if value.lon is not None else None,
        }

    def hhmm(value: time | None) -> str | None:
        return value.strftime("%H:%M") if value else None

    return {
        "purpose": data.purpose,
        "purpose_note": data.purpose_note,
        "appointment_time": hhmm(data.appointment_time),
        "pickup": loc(data.pickup),
        "dropoff": loc(data.dropoff),
        "mobility": data.mobility,
        "oxygen": data.oxygen,
        "companions": data.companions,
        "attendants": data.attendants,
        "notes_for_driver": data.notes_for_driver,
        "return_mode": data.return_mode,
        "return_time": hhmm(data.return_time),
    }


def _from_template(series: RideSeries, day: date) -> BookingData:
    raw = series.template

    def loc(value: dict[str, Any]) -> Location:
        return Location(
            kind=value["kind"],
            place=Place.objects.filter(pk=value["place"]).first() if value["place"] else None,
            address=value["address"],
            lat=Decimal(value["lat"]) if value["lat"] else None,
            lon=Decimal(value["lon"]) if value["lon"] else None,
        )

    def hhmm(value: str | None) -> time | None:
        return time.fromisoformat(value) if value else None

    return BookingData(
        resident=series.resident,
        purpose=raw["purpose"],
        service_date=day,
        appointment_time=hhmm(raw["appointment_time"]),
        pickup=loc(raw["pickup"]),
        dropoff=loc(raw["dropoff"]),
        purpose_note=raw["purpose_note"],
        mobility=raw["mobility"],
        oxygen=raw["oxygen"],
        companions=raw["companions"],
        attendants=raw["attendants"],
        notes_for_driver=raw["notes_for_driver"],
        return_mode=raw["return_mode"],
        return_time=hhmm(raw["return_time"]),
    )


def series_dates(weekdays: list[int], starts_on: date, until: date) -> list[date]:
    days = []
    day = starts_on
    while day <= until:
        if day.weekday() in weekdays:
            days.append(day)
        day += timedelta(days=1)
    return days


def series_create(
    *,
    actor: Actor,
    data: BookingData,
    weekdays: list[int],
    ends_on: date | None,
    idempotency_key: str | None = None,
    now: datetime | None = None,
    eligibility_override: str = "",
) -> RideSeries:
    """A recurring booking from ``data.service_date`` to ``ends_on`` on ``weekdays`` (0 = Monday):
    one request per date, created up to ``book_days_ahead`` (:func:`series_extend` adds the rest
    as the days come). If any date cannot be booked, nothing is.

    Where ineligible requests are refused, a refused series is recorded ended, with its first date
    denied (unmet need once, not once per date); staff book it anyway with ``eligibility_override``,
    which the dates added later keep. A date added later for a resident who no longer qualifies,
    without such a reason, is denied."""
    key = (
        outcomes.hashed_key("rs", actor.municipality.pk, actor.user.pk, idempotency_key)
        if idempotency_key
        else None
    )
    if key is not None and (done := RideSeries.objects.filter(idempotency_key=key).first()):
        return done
    try:
        with transaction.atomic():
            return _series_create(
                actor=actor,
                data=data,
                weekdays=weekdays,
                ends_on=ends_on,
                key=key,
                now=now,
                override=eligibility_override,
            )
    except IntegrityError:
        if key is None or not (done := RideSeries.objects.filter(idempotency_key=key).first()):
            raise
        return done


def _series_create(
    *,
    actor: Actor,
    data: BookingData,
    weekdays: list[int],
    ends_on: date | None,
    key: str | None,
    now: datetime | None,
    override: str,
) -> RideSeries:
    _require_booker(actor, data.resident)
    Resident.objects.select_for_update().filter(pk=data.resident.pk).first()
    if key is not None and (done := RideSeries.objects.filter(idempotency_key=key).first()):
        return done
    moment = now or timezone.now()
    rules = eligibility.settings_for(actor.municipality.pk)
    errors: Errors = {}
    days = sorted({d for d in weekdays if isinstance(d, int) and 0 <= d <= 6})
    if not days or len(days) != len(weekdays):
        _add(errors, "weekdays", _("Choose the days of the week."))
    if ends_on is None:
        _add(errors, "ends_on", _("Enter the last date of the series."))
    elif ends_on <= data.service_date:
        _add(errors, "ends_on", _("The series must end after its first date."))
    _raise(errors)
    assert ends_on is not None
    first_errors, first_plan = booking_errors(actor, data, rules=rules, now=moment)
    refused, override = eligibility_gate(actor, data, rules, override=override, errors=first_errors)
    _raise(first_errors)
    template = _template(data)
    if override:
        template["eligibility_override"] = override
    series = RideSeries.objects.create(
        municipality=actor.municipality,
        resident=data.resident,
        weekdays=days,
        starts_on=data.service_date,
        ends_on=ends_on,
        template=template,
        created_by=actor.user,
        idempotency_key=key,
        is_active=refused is None,
        ended_reason=(refused or "")[:200],
    )
    if refused is not None:
        ride = _create_rows(
            actor=actor,
            values=_values(data, first_plan),
            rules=rules,
            channel=Channel.SERIES,
            key=None,
            series=series,
            now=moment,
        )
        _deny_refused(ride, refused, moment)
        return series
    _series_fill(actor=actor, series=series, rules=rules, now=moment)
    return series


def _series_fill(*, actor: Actor, series: RideSeries, rules: RideSettings, now: datetime) -> int:
    today = timezone.localdate(now)
    horizon = min(series.ends_on, today + timedelta(days=rules.book_days_ahead))
    start = max(
        series.starts_on, (series.generated_until or series.starts_on - timedelta(days=1)) + timedelta(days=1)
    )
    created = 0
    errors: Errors = {}
    for day in series_dates(series.weekdays, start, horizon):
        data = _from_template(series, day)
        day_errors, plan = booking_errors(actor, data, rules=rules, now=now)
        refused, override = eligibility_gate(
            actor, data, rules, override=series.template.get("eligibility_override", ""), errors=None
        )
        if day_errors:
            label = format_thai_date(day)
            for name, messages in day_errors.items():
                for message in messages:
                    _add(errors, name, _("%(date)s: %(message)s") % {"date": label, "message": message})
            continue
        ride = _create_rows(
            actor=actor,
            values=_values(data, plan),
            rules=rules,
            channel=Channel.SERIES,
            key=None,
            series=series,
            now=now,
            override=override,
        )
        if refused is not None:
            _deny_refused(ride, refused, now)
        created += 1
    _raise(errors)
    series.generated_until = horizon
    series.save(update_fields=["generated_until"])
    return created


@transaction.atomic
def series_extend(*, actor: Actor, series: RideSeries, now: datetime | None = None) -> int:
    """Create the series' requests that came within ``book_days_ahead`` since it was last filled."""
    series = RideSeries.objects.select_for_update().get(pk=series.pk)
    if not series.is_active:
        return 0
    return _series_fill(
        actor=actor,
        series=series,
        rules=eligibility.settings_for(series.municipality_id),
        now=now or timezone.now(),
    )


@transaction.atomic
def series_cancel(*, actor: Actor, series: RideSeries, reason: str, now: datetime | None = None) -> int:
    """End the series and cancel its open requests from today on. Returns how many were cancelled."""
    if not reason.strip():
        raise ValidationError({"reason": [_("Give the reason for the cancellation.")]})
    series = RideSeries.objects.select_for_update().get(pk=series.pk)
    _require_booker(actor, series.resident)
    moment = now or timezone.now()
    series.is_active = False
    series.ended_reason = reason.strip()[:200]
    series.save(update_fields=["is_active", "ended_reason"])
    cancelled = 0
    open_rides = series.requests.filter(
        service_date__gte=timezone.localdate(moment),
        outbound__isnull=True,
        status__in=[Status.REQUESTED, Status.ACCEPTED, Status.SCHEDULED],
    ).order_by("service_date")
    for ride in open_rides:
        outcomes.request_transition(actor=actor, ride=ride, to=Status.CANCELLED, reason=reason, at=moment)
        cancelled += 1
    return cancelled


def bookable_filter(actor: Actor) -> Q:
    """For pickers: the residents the actor may book for, alive."""
    return Q(pk__in=selectors.bookable_residents(actor).values("pk")) & Q(status=ResidentStatus.ALIVE)
