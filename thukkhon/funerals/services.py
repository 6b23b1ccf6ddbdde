"""Every write of funeral assistance. Keyword-only, typed, atomic, validated: bad input raises a
ValidationError with a message in the user's language and changes nothing.

A death is a life event orchestrated here (:func:`death_life_event`): the registry, rides, the
elderly funeral grant and the follow-up of survivors are updated by this service, not by signals.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from thukkhon.core.actor import Actor
from thukkhon.core.models import Notification
from thukkhon.core.roles import Role
from thukkhon.core.thai import (
    be_year,
    format_thai_date,
    format_thai_datetime,
    national_id_error,
    normalize_phone,
    phone_error,
)
from thukkhon.fleet.models import Driver, Reservation, Vehicle
from thukkhon.fleet.services import vehicle_release, vehicle_reserve
from thukkhon.funerals.models import (
    AshesHandover,
    BodyTransport,
    CaseStatus,
    Cause,
    ClosedDay,
    CremationBooking,
    Cremator,
    Disease,
    Disposition,
    FollowUp,
    FuneralCase,
    FuneralSettings,
    GrantCheck,
    ProtocolStep,
    Receipt,
    Relative,
    Rite,
    RiteKind,
)
from thukkhon.funerals.protocol import protocol_template_for
from thukkhon.people.models import Community, Religion, Resident, ResidentStatus, Vulnerability

Errors = dict[str, list[str]]

MANAGE = frozenset({Role.FUNERAL, Role.WELFARE, Role.ADMIN})
OVERRIDE = frozenset({Role.FUNERAL, Role.ADMIN})
REPORTS = frozenset({Role.FUNERAL, Role.WELFARE, Role.ADMIN, Role.EXECUTIVE})
OPEN_CASE = frozenset({CaseStatus.REPORTED, CaseStatus.ACCEPTED, CaseStatus.SCHEDULED})


def _add(errors: Errors, name: str, message: str) -> None:
    errors.setdefault(name, []).append(message)


def _raise(errors: Errors) -> None:
    if errors:
        raise ValidationError(errors)  # type: ignore[arg-type]


def _require(actor: Actor, roles: frozenset[str], case: FuneralCase | None = None) -> None:
    if not actor.has_role(*roles):
        raise PermissionDenied(_("You may not change this funeral case."))
    if case is not None and case.municipality_id != actor.municipality.pk:
        raise PermissionDenied(_("You may not change this funeral case."))


def settings_for(municipality_id: int) -> FuneralSettings:
    rules, _created = FuneralSettings.objects.get_or_create(municipality_id=municipality_id)
    return rules


def _with_retry[T](make: Callable[[], T], attempts: int = 5) -> T:
    """Run ``make`` in a savepoint; retry when a concurrent writer took the same number."""
    for attempt in range(attempts):
        try:
            with transaction.atomic():
                return make()
        except IntegrityError:
            if attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")


# --- Notifications to the family -------------------------------------------------------------------


def _notify(case: FuneralCase, event: str, body: str) -> int:
    """Queue a status message to every relative who wants them and to the informant, once each."""
    recipients: list[str] = []
    if case.informant_phone:
        recipients.append(case.informant_phone)
    for relative in case.relatives.filter(notify=True):
        to = relative.phone or (f"user:{relative.user_id}" if relative.user_id else "")
        if to and to not in recipients:
            recipients.append(to)
    created = 0
    for to in recipients:
        _row, made = Notification.objects.get_or_create(
            dedupe_key=f"funeral:{case.pk}:{event}:{to}"[:120],
            defaults={
                "municipality_id": case.municipality_id,
                "channel": "outbox",
                "to": to,
                "template": f"funeral.{event}"[:60],
                "body": body,
            },
        )
        created += int(made)
    return created


# --- Intake ------------------------------------------------------------------------------------------


@dataclass
class RelativeData:
    name: str
    relation: str = ""
    phone: str = ""
    id_number: str = ""


@dataclass
class CaseData:
    deceased_name: str
    died_at: datetime
    place_of_death: str
    cause: str
    informant_name: str
    deceased: Resident | None = None
    deceased_id_number: str = ""
    deceased_birth_date: date | None = None
    community: Community | None = None
    domicile_tambon: str = ""
    domicile_amphoe: str = ""
    domicile_changwat: str = ""
    disease: str = ""
    disease_name: str = ""
    certificate_no: str = ""
    certificate_issuer: str = ""
    registration_no: str = ""
    registered_at: datetime | None = None
    informant_relation: str = ""
    informant_phone: str = ""
    informant_id_number: str = ""
    religion: str = ""
    burial: bool = False
    rites_notes: str = ""
    stream_url: str = ""
    welfare_card: bool = False
    basic_needs_poor: bool = False
    relatives: list[RelativeData] = field(default_factory=list)


def disposition_for(religion: str, burial: bool) -> str:
    """A Muslim funeral is a burial within 24 hours, never a cremation; others as the family asks."""
    if religion == Religion.ISLAM or burial:
        return Disposition.BURIAL
    return Disposition.CREMATION


def _id_error(text: str) -> str | None:
    """A 13-digit number must have a valid check digit; other documents are taken as typed."""
    digits = "".join(ch for ch in text if ch.isdigit())
    if not text.strip():
        return None
    if len(digits) == 13 and len(text.replace("-", "").replace(" ", "")) == 13:
        kind = "non_thai" if digits[0] in "0" else "thai"
        return national_id_error(text, kind)
    return national_id_error(text, "passport")


def case_errors(actor: Actor, data: CaseData, *, now: datetime | None = None) -> Errors:
    errors: Errors = {}
    moment = now or timezone.now()
    if not data.deceased_name.strip():
        _add(errors, "deceased_name", _("Enter the name of the deceased."))
    if data.died_at > moment:
        _add(errors, "died_at", _("The time of death cannot be in the future."))
    if data.registered_at is not None:
        if data.registered_at < data.died_at:
            _add(errors, "registered_at", _("The death cannot be registered before it happened."))
        elif data.registered_at > moment:
            _add(errors, "registered_at", _("The registration time cannot be in the future."))
    if data.registration_no.strip() and data.registered_at is None:
        _add(errors, "registered_at", _("Enter when the death was registered."))
    if data.deceased_birth_date is not None and data.deceased_birth_date > timezone.localdate(data.died_at):
        _add(errors, "deceased_birth_date", _("The birth date must be before the death."))
    if not data.place_of_death.strip():
        _add(errors, "place_of_death", _("Enter the place of death."))
    if data.cause not in Cause.values:
        _add(errors, "cause", _("Choose a cause from the list."))
    if data.cause == Cause.INFECTIOUS and data.disease not in (Disease.COVID19, Disease.OTHER):
        _add(errors, "disease", _("Choose the infectious disease."))
    if data.disease == Disease.OTHER and not data.disease_name.strip():
        _add(errors, "disease_name", _("Enter the name of the disease."))
    if not data.informant_name.strip():
        _add(errors, "informant_name", _("Enter the name of the informant."))
    for name, value in (
        ("deceased_id_number", data.deceased_id_number),
        ("informant_id_number", data.informant_id_number),
    ):
        message = _id_error(value)
        if message:
            _add(errors, name, message)
    if data.religion not in Religion.values:
        _add(errors, "religion", _("Choose a religion from the list."))
    if data.deceased is not None:
        if data.deceased.municipality_id != actor.municipality.pk:
            _add(errors, "deceased", _("Choose a resident of this municipality."))
        elif data.deceased.status == ResidentStatus.DECEASED and data.deceased.funeral_cases.exists():
            _add(errors, "deceased", _("A funeral case for this resident already exists."))
    if data.community is not None and data.community.municipality_id != actor.municipality.pk:
        _add(errors, "community", _("Choose a community of this municipality."))
    for i, relative in enumerate(data.relatives):
        for messages in _relative_errors(relative, name_required=False).values():
            for message in messages:
                _add(errors, "relatives", _("Relative %(n)d: %(message)s") % {"n": i + 1, "message": message})
    return errors


def _relative_errors(data: RelativeData, *, name_required: bool = True) -> Errors:
    errors: Errors = {}
    if name_required and not data.name.strip():
        _add(errors, "name", _("Enter the relative's name."))
    for name, message in (("phone", phone_error(data.phone)), ("id_number", _id_error(data.id_number))):
        if message:
            _add(errors, name, message)
    return errors


def _relative_values(data: RelativeData) -> dict[str, str]:
    return {
        "name": data.name.strip(),
        "relation": data.relation.strip(),
        "phone": normalize_phone(data.phone),
        "id_number": "".join(ch for ch in data.id_number if ch.isalnum()),
    }


def fee_for(case: FuneralCase, rules: FuneralSettings) -> tuple[Decimal, bool, str, bool]:
    """(fee, waived, reason, resident rate). Cremation only: a burial is not charged here."""
    if case.disposition != Disposition.CREMATION:
        return Decimal("0"), False, "", False
    resident_rate = (
        case.deceased_id is not None and case.deceased.municipality_id == case.municipality_id  # type: ignore[union-attr]
    ) or case.domicile_tambon.strip() in [str(t).strip() for t in rules.eligible_tambons]
    fee = rules.fee_resident if resident_rate else rules.fee_other
    if case.welfare_card and rules.waive_welfare_card:
        return fee, True, _("State welfare card holder"), resident_rate
    if case.basic_needs_poor and rules.waive_basic_needs_poor:
        return fee, True, _("Poor household by the basic-needs survey"), resident_rate
    return fee, False, "", resident_rate


def _next_case_number(municipality_id: int, when: datetime) -> str:
    prefix = f"{be_year(timezone.localdate(when))}-"
    last = (
        FuneralCase.objects.filter(municipality_id=municipality_id, number__startswith=prefix)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    seq = int(last.split("-")[1]) + 1 if last else 1
    return f"{prefix}{seq:04d}"


def _prefill_from_registry(data: CaseData, actor: Actor) -> None:
    resident = data.deceased
    if resident is None and data.deceased_id_number.strip():
        digits = "".join(ch for ch in data.deceased_id_number if ch.isdigit())
        resident = Resident.objects.filter(municipality=actor.municipality, national_id=digits).first()
        data.deceased = resident
    if resident is None:
        return
    data.deceased_name = data.deceased_name.strip() or resident.full_name
    data.deceased_id_number = data.deceased_id_number or resident.national_id
    data.deceased_birth_date = data.deceased_birth_date or resident.birth_date
    data.community = data.community or resident.community
    data.religion = data.religion or resident.religion
    if resident.household is not None:
        data.domicile_tambon = data.domicile_tambon or resident.household.tambon
        data.domicile_amphoe = data.domicile_amphoe or resident.household.amphoe
        data.domicile_changwat = data.domicile_changwat or resident.household.changwat
    vulnerability = Vulnerability.objects.filter(resident=resident).first()
    if vulnerability is not None and vulnerability.welfare_card:
        data.welfare_card = True


@transaction.atomic
def case_create(*, actor: Actor, data: CaseData, now: datetime | None = None) -> FuneralCase:
    """Open a case. Staff open it accepted (the death's life event runs at once); a relative (a
    resident user) reports it and staff accept it."""
    is_staff = actor.has_role(*MANAGE)
    if not is_staff and not actor.has_role(Role.RESIDENT):
        raise PermissionDenied(_("You may not report a death."))
    _prefill_from_registry(data, actor)
    _raise(case_errors(actor, data, now=now))
    rules = settings_for(actor.municipality.pk)
    infectious = data.cause == Cause.INFECTIOUS

    def make() -> FuneralCase:
        return FuneralCase.objects.create(
            municipality=actor.municipality,
            number=_next_case_number(actor.municipality.pk, data.died_at),
            deceased=data.deceased,
            deceased_name=data.deceased_name.strip() or (data.deceased.full_name if data.deceased else ""),
            deceased_id_number="".join(ch for ch in data.deceased_id_number if ch.isalnum()),
            deceased_birth_date=data.deceased_birth_date,
            community=data.community,
            domicile_tambon=data.domicile_tambon.strip(),
            domicile_amphoe=data.domicile_amphoe.strip(),
            domicile_changwat=data.domicile_changwat.strip(),
            died_at=data.died_at,
            place_of_death=data.place_of_death.strip(),
            cause=data.cause,
            disease=data.disease if infectious else "",
            disease_name=data.disease_name.strip() if infectious else "",
            certificate_no=data.certificate_no.strip(),
            certificate_issuer=data.certificate_issuer.strip(),
            registration_no=data.registration_no.strip(),
            registered_at=data.registered_at,
            informant_name=data.informant_name.strip(),
            informant_relation=data.informant_relation.strip(),
            informant_phone=data.informant_phone.strip(),
            informant_id_number="".join(ch for ch in data.informant_id_number if ch.isalnum()),
            religion=data.religion,
            disposition=disposition_for(data.religion, data.burial),
            rites_notes=data.rites_notes.strip(),
            stream_url=data.stream_url.strip(),
            welfare_card=data.welfare_card,
            basic_needs_poor=data.basic_needs_poor,
            status=CaseStatus.ACCEPTED if is_staff else CaseStatus.REPORTED,
            reported_by=actor.user,
            reported_via_relative=not is_staff,
        )

    case = _with_retry(make)
    fee, waived, reason, resident_rate = fee_for(case, rules)
    case.fee, case.fee_waived, case.waiver_reason, case.eligible_rate = fee, waived, reason, resident_rate
    case.save(update_fields=["fee", "fee_waived", "waiver_reason", "eligible_rate"])
    Relative.objects.bulk_create(
        Relative(case=case, **_relative_values(r)) for r in data.relatives if r.name.strip()
    )
    if not is_staff:
        Relative.objects.create(
            case=case,
            name=data.informant_name.strip(),
            relation=data.informant_relation.strip(),
            phone=data.informant_phone.strip(),
            user=actor.user,
        )
    if infectious:
        _copy_protocol(case)
    _notify(
        case,
        "received",
        _("The municipality has received the funeral case %(number)s of %(name)s.")
        % {"number": case.number, "name": case.deceased_name},
    )
    if is_staff:
        death_life_event(actor=actor, case=case, now=now)
        case.refresh_from_db()
    return case


def _copy_protocol(case: FuneralCase) -> None:
    template = protocol_template_for(case.municipality, case.disease)
    ProtocolStep.objects.bulk_create(
        ProtocolStep(case=case, order=s.order, text_th=s.text_th, text_en=s.text_en, mandatory=s.mandatory)
        for s in template.steps.all()
    )


@transaction.atomic
def case_accept(*, actor: Actor, case: FuneralCase, now: datetime | None = None) -> FuneralCase:
    """Staff accept a case a relative reported: the death's life event runs."""
    _require(actor, MANAGE, case)
    case = FuneralCase.objects.select_for_update().get(pk=case.pk)
    if case.status != CaseStatus.REPORTED:
        raise ValidationError(_("Only a reported case can be accepted."))
    case.status = CaseStatus.ACCEPTED
    case.save(update_fields=["status", "updated_at"])
    death_life_event(actor=actor, case=case, now=now)
    case.refresh_from_db()
    return case


@transaction.atomic
def case_register_death(
    *,
    actor: Actor,
    case: FuneralCase,
    registration_no: str,
    registered_at: datetime,
    now: datetime | None = None,
) -> FuneralCase:
    """Record the death registration (ท.ร.4)."""
    _require(actor, MANAGE, case)
    errors: Errors = {}
    if not registration_no.strip():
        _add(errors, "registration_no", _("Enter the death registration number."))
    if registered_at < case.died_at:
        _add(errors, "registered_at", _("The death cannot be registered before it happened."))
    if registered_at > (now or timezone.now()):
        _add(errors, "registered_at", _("The registration time cannot be in the future."))
    _raise(errors)
    case.registration_no = registration_no.strip()
    case.registered_at = registered_at
    case.save(update_fields=["registration_no", "registered_at", "updated_at"])
    return case


# --- The death as a life event -------------------------------------------------------------------------


@dataclass
class LifeEventResult:
    resident_marked: bool = False
    rides_cancelled: int = 0
    series_ended: int = 0
    grant: GrantCheck | None = None
    follow_ups: list[FollowUp] = field(default_factory=list)


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    import calendar

    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def grant_check(case: FuneralCase, rules: FuneralSettings, now: datetime) -> GrantCheck:
    """The elderly funeral grant: aged 60+, welfare card or basic-needs poor, apply within 6 months."""
    died_on = timezone.localdate(case.died_at)
    apply_by = _add_months(died_on, rules.grant_apply_months)
    reasons: list[str] = []
    birth = case.deceased_birth_date
    age = None
    if birth is not None:
        age = died_on.year - birth.year - ((died_on.month, died_on.day) < (birth.month, birth.day))
    if age is None:
        reasons.append(_("The birth date of the deceased is not known."))
    elif age < rules.grant_min_age:
        reasons.append(
            _("The deceased was %(age)d, younger than %(min)d.") % {"age": age, "min": rules.grant_min_age}
        )
    if not (case.welfare_card or case.basic_needs_poor):
        reasons.append(_("The deceased held no welfare card and was not poor by the basic-needs survey."))
    if timezone.localdate(now) > apply_by:
        reasons.append(_("The application was due by %(date)s.") % {"date": format_thai_date(apply_by)})
    grant, _created = GrantCheck.objects.update_or_create(
        case=case,
        defaults={
            "eligible": not reasons,
            "reasons": reasons,
            "amount": rules.grant_amount,
            "apply_by": apply_by,
            "checked_at": now,
        },
    )
    return grant


def _cancel_rides(resident: Resident, died_on: date, reason: str, now: datetime) -> tuple[int, int]:
    """End the resident's ride series and cancel open bookings from the day of death on, through the
    rides app's own cancellation (each writes a trip event with the reason)."""
    from thukkhon.rides.models import RideRequest, RideSeries, Status
    from thukkhon.rides.outcomes import request_cancel

    series_ended = RideSeries.objects.filter(resident=resident, is_active=True).update(
        is_active=False, ended_reason=reason[:200]
    )
    cancelled = 0
    open_statuses = [Status.REQUESTED, Status.ACCEPTED, Status.SCHEDULED]
    # Outbound legs first: their return legs follow them.
    for only_outbound in (True, False):
        rides = RideRequest.objects.filter(
            resident=resident, service_date__gte=died_on, status__in=open_statuses
        ).order_by("service_date", "id")
        if only_outbound:
            rides = rides.filter(outbound__isnull=True)
        for ride in rides:
            ride.refresh_from_db(fields=["status"])
            if ride.status not in open_statuses:
                continue
            request_cancel(actor=None, ride=ride, reason=reason, at=now)
            cancelled += 1
    # Return legs cancelled with their outbound trip count too.
    cancelled = RideRequest.objects.filter(
        resident=resident, service_date__gte=died_on, cancel_reason=reason[:200]
    ).count()
    return cancelled, series_ended


@transaction.atomic
def death_life_event(*, actor: Actor, case: FuneralCase, now: datetime | None = None) -> LifeEventResult:
    """What follows a death, once per case: the resident is marked deceased, their rides are
    cancelled, the elderly funeral grant is checked and survivors left alone get a follow-up."""
    _require(actor, MANAGE, case)
    moment = now or timezone.now()
    result = LifeEventResult()
    case = FuneralCase.objects.select_for_update().get(pk=case.pk)
    if case.life_event_done_at is not None:
        result.grant = GrantCheck.objects.filter(case=case).first()
        return result
    rules = settings_for(case.municipality_id)
    died_on = timezone.localdate(case.died_at)
    resident = case.deceased
    if resident is not None:
        resident = Resident.objects.select_for_update().get(pk=resident.pk)
        if resident.status != ResidentStatus.DECEASED:
            resident.status = ResidentStatus.DECEASED
            resident.status_date = died_on
            resident._change_reason = f"funeral case {case.number}"  # type: ignore[attr-defined]
            resident.save(update_fields=["status", "status_date", "updated_at"])
            result.resident_marked = True
        reason = _("The resident died on %(date)s (funeral case %(number)s).") % {
            "date": format_thai_date(died_on),
            "number": case.number,
        }
        result.rides_cancelled, result.series_ended = _cancel_rides(resident, died_on, reason, moment)
        result.follow_ups = _open_follow_ups(case, resident)
    result.grant = grant_check(case, rules, moment)
    case.life_event_done_at = moment
    case.save(update_fields=["life_event_done_at", "updated_at"])
    return result


def _open_follow_ups(case: FuneralCase, resident: Resident) -> list[FollowUp]:
    follow_ups: list[FollowUp] = []
    survivors: list[tuple[Resident, str]] = []
    if resident.household_id is not None:
        alive = list(
            Resident.objects.filter(household_id=resident.household_id, status=ResidentStatus.ALIVE).exclude(
                pk=resident.pk
            )
        )
        if len(alive) == 1:
            survivors.append(
                (alive[0], _("Now lives alone after the death of %(name)s.") % {"name": case.deceased_name})
            )
    for vulnerability in Vulnerability.objects.filter(caregiver=resident).select_related("resident"):
        if vulnerability.resident.status == ResidentStatus.ALIVE:
            survivors.append(
                (
                    vulnerability.resident,
                    _("Lost their main caregiver, %(name)s.") % {"name": case.deceased_name},
                )
            )
    for survivor, reason in survivors:
        follow_up, created = FollowUp.objects.get_or_create(
            case=case,
            resident=survivor,
            defaults={"municipality_id": case.municipality_id, "reason": reason[:200]},
        )
        if created:
            follow_ups.append(follow_up)
    return follow_ups


# --- Cremation slots -------------------------------------------------------------------------------------


def slot_starts(cremator: Cremator, day: date) -> list[datetime]:
    """The cremator's slot grid on a day, whether booked or not (empty on a closed day)."""
    crematorium = cremator.crematorium
    if day.weekday() in (crematorium.closed_weekdays or []):
        return []
    if ClosedDay.objects.filter(crematorium=crematorium, date=day).exists():
        return []
    tz = timezone.get_current_timezone()
    start = datetime.combine(day, crematorium.day_starts, tzinfo=tz)
    day_end = datetime.combine(day, crematorium.day_ends, tzinfo=tz)
    step = timedelta(minutes=cremator.slot_minutes + cremator.cooldown_minutes)
    length = timedelta(minutes=cremator.slot_minutes)
    starts: list[datetime] = []
    while len(starts) < cremator.capacity_per_day and start + length <= day_end:
        starts.append(start)
        start += step
    return starts


def free_slots(cremator: Cremator, day: date) -> list[datetime]:
    taken = set(
        CremationBooking.objects.filter(
            cremator=cremator, cancelled_at__isnull=True, starts_at__date=day
        ).values_list("starts_at", flat=True)
    )
    return [s for s in slot_starts(cremator, day) if s not in taken]


def closed_message(cremator: Cremator, day: date) -> str | None:
    crematorium = cremator.crematorium
    closed = ClosedDay.objects.filter(crematorium=crematorium, date=day).first()
    if closed is not None or day.weekday() in (crematorium.closed_weekdays or []):
        why = f" ({closed.reason})" if closed is not None and closed.reason else ""
        return _("%(place)s is closed on %(date)s%(why)s: choose another day.") % {
            "place": crematorium.name_th,
            "date": format_thai_date(day),
            "why": why,
        }
    return None


class SlotTaken(ValidationError):
    """The slot was booked by another case."""


def booking_errors(case: FuneralCase, cremator: Cremator, starts_at: datetime) -> Errors:
    errors: Errors = {}
    if case.disposition != Disposition.CREMATION:
        _add(errors, "cremator", _("This case is a burial, not a cremation."))
    if case.status not in (CaseStatus.ACCEPTED, CaseStatus.SCHEDULED):
        _add(errors, "cremator", _("Only an accepted case that is not yet done can be booked."))
    if cremator.municipality_id != case.municipality_id or not cremator.is_active:
        _add(errors, "cremator", _("Choose a cremator of this municipality."))
        return errors
    if case.infectious and not cremator.double_chamber:
        _add(errors, "cremator", _("An infectious case needs a double-chamber cremator."))
    if starts_at < case.died_at:
        _add(errors, "starts_at", _("The cremation cannot be before the death."))
    day = timezone.localdate(starts_at)
    closed = closed_message(cremator, day)
    if closed:
        _add(errors, "starts_at", closed)
    elif starts_at not in slot_starts(cremator, day):
        _add(errors, "starts_at", _("Choose one of the cremator's slots."))
    return errors


@transaction.atomic
def cremation_book(
    *, actor: Actor, case: FuneralCase, cremator: Cremator, starts_at: datetime
) -> CremationBooking:
    """Hold a cremator's slot for the case, or raise and hold nothing. The service checks the slot;
    the unique (cremator, starts_at) constraint decides between concurrent bookings."""
    _require(actor, MANAGE, case)
    case = FuneralCase.objects.select_for_update().get(pk=case.pk)
    _raise(booking_errors(case, cremator, starts_at))
    if CremationBooking.objects.filter(case=case, cancelled_at__isnull=True).exists():
        raise ValidationError({"cremator": [_("This case already has a slot: cancel it first.")]})
    taken = _("This slot was just booked for another case: choose another.")
    if CremationBooking.objects.filter(
        cremator=cremator, starts_at=starts_at, cancelled_at__isnull=True
    ).exists():
        raise SlotTaken({"starts_at": [taken]})
    try:
        with transaction.atomic():
            booking = CremationBooking.objects.create(
                municipality_id=case.municipality_id,
                case=case,
                cremator=cremator,
                starts_at=starts_at,
                ends_at=starts_at + timedelta(minutes=cremator.slot_minutes),
                booked_by=actor.user,
            )
    except IntegrityError:
        raise SlotTaken({"starts_at": [taken]}) from None
    case.status = CaseStatus.SCHEDULED
    case.save(update_fields=["status", "updated_at"])
    _notify(
        case,
        f"booked:{booking.pk}",
        _("The cremation of %(name)s is booked at %(place)s on %(when)s")
        % {
            "name": case.deceased_name,
            "place": cremator.crematorium.name_th,
            "when": format_thai_datetime(starts_at),
        },
    )
    return booking


@transaction.atomic
def cremation_cancel(
    *, actor: Actor, booking: CremationBooking, reason: str, now: datetime | None = None
) -> CremationBooking:
    _require(actor, MANAGE, booking.case)
    if not reason.strip():
        raise ValidationError({"reason": [_("Give the reason for the cancellation.")]})
    if booking.cancelled_at is not None:
        raise ValidationError(_("This booking was already cancelled."))
    booking.cancelled_at = now or timezone.now()
    booking.cancel_reason = reason.strip()[:200]
    booking.save(update_fields=["cancelled_at", "cancel_reason"])
    case = booking.case
    if case.status == CaseStatus.SCHEDULED:
        case.status = CaseStatus.ACCEPTED
        case.save(update_fields=["status", "updated_at"])
    return booking


# --- Protocol ---------------------------------------------------------------------------------------


@transaction.atomic
def protocol_step_sign(
    *, actor: Actor, step: ProtocolStep, handler_name: str, at: datetime | None = None, note: str = ""
) -> ProtocolStep:
    """A named handler signs a step with the time it was done."""
    _require(actor, MANAGE, step.case)
    step = ProtocolStep.objects.select_for_update().select_related("case").get(pk=step.pk)
    errors: Errors = {}
    when = at or timezone.now()
    if step.done_at is not None:
        _add(errors, "handler_name", _("This step was already signed."))
    if not handler_name.strip():
        _add(errors, "handler_name", _("Enter the name of the handler who did this step."))
    if when > timezone.now() + timedelta(minutes=5):
        _add(errors, "done_at", _("This time cannot be in the future."))
    if when < step.case.died_at:
        _add(errors, "done_at", _("A step cannot be done before the death."))
    _raise(errors)
    step.handler_name = handler_name.strip()
    step.done_at = when
    step.signed_by = actor.user
    step.note = note.strip()[:300]
    step.save(update_fields=["handler_name", "done_at", "signed_by", "note"])
    return step


def open_mandatory_steps(case: FuneralCase) -> list[ProtocolStep]:
    return list(case.protocol_steps.filter(mandatory=True, done_at__isnull=True).order_by("order"))


@dataclass(frozen=True)
class Clock:
    """The 24-hour clock of a case with a deadline: how long is left, and its state."""

    deadline: datetime
    remaining: timedelta
    state: str  # "ok", "warning" (under 6 hours), "overdue", "met"

    @property
    def hours_left(self) -> int:
        return max(0, int(self.remaining.total_seconds() // 3600))

    @property
    def minutes_left(self) -> int:
        return max(0, int(self.remaining.total_seconds() % 3600 // 60))


def case_clock(case: FuneralCase, now: datetime | None = None) -> Clock | None:
    if not case.has_deadline:
        return None
    moment = now or timezone.now()
    deadline = case.deadline_at
    if case.disposed_at is not None:
        state = "met" if case.disposed_at <= deadline else "overdue"
        return Clock(deadline, deadline - case.disposed_at, state)
    remaining = deadline - moment
    if remaining <= timedelta(0):
        state = "overdue"
    elif remaining <= timedelta(hours=6):
        state = "warning"
    else:
        state = "ok"
    return Clock(deadline, remaining, state)


def registration_clock(case: FuneralCase, now: datetime | None = None) -> Clock:
    moment = now or timezone.now()
    due = case.registration_due_at
    if case.registered_at is not None:
        return Clock(due, due - case.registered_at, "met" if case.registered_at <= due else "overdue")
    remaining = due - moment
    state = (
        "overdue" if remaining <= timedelta(0) else ("warning" if remaining <= timedelta(hours=6) else "ok")
    )
    return Clock(due, remaining, state)


@transaction.atomic
def case_mark_done(
    *,
    actor: Actor,
    case: FuneralCase,
    at: datetime,
    override_reason: str = "",
    now: datetime | None = None,
) -> FuneralCase:
    """Mark the case cremated (or buried). The protocol gate: an infectious case with mandatory steps
    open is refused, unless a funeral officer or administrator overrides with a recorded reason."""
    _require(actor, MANAGE, case)
    case = FuneralCase.objects.select_for_update().get(pk=case.pk)
    moment = now or timezone.now()
    errors: Errors = {}
    if case.status not in (CaseStatus.ACCEPTED, CaseStatus.SCHEDULED):
        _add(errors, "at", _("Only an accepted case that is not yet done can be marked done."))
    if at < case.died_at:
        _add(errors, "at", _("The cremation cannot be before the death."))
    if at > moment + timedelta(minutes=5):
        _add(errors, "at", _("This time cannot be in the future."))
    open_steps = open_mandatory_steps(case)
    reason = override_reason.strip()
    if open_steps and not reason:
        _add(
            errors,
            "override_reason",
            _("Mandatory protocol steps are still open: %(steps)s. Sign them, or override with a reason.")
            % {"steps": ", ".join(str(s.order) for s in open_steps)},
        )
    if open_steps and reason and not actor.has_role(*OVERRIDE):
        _add(errors, "override_reason", _("Only a funeral officer may override the protocol."))
    _raise(errors)
    case.status = CaseStatus.DONE
    case.disposed_at = at
    fields = ["status", "disposed_at", "updated_at"]
    if open_steps:
        case.gate_override_reason = reason
        case.gate_override_by = actor.user
        case.gate_override_at = moment
        fields += ["gate_override_reason", "gate_override_by", "gate_override_at"]
    case.save(update_fields=fields)
    done_text = (
        _("%(name)s was cremated on %(when)s")
        if case.disposition == Disposition.CREMATION
        else _("%(name)s was buried on %(when)s")
    )
    _notify(case, "done", done_text % {"name": case.deceased_name, "when": format_thai_datetime(at)})
    return case


# --- Body transport -------------------------------------------------------------------------------------


@transaction.atomic
def transport_book(
    *,
    actor: Actor,
    case: FuneralCase,
    vehicle: Vehicle,
    starts_at: datetime,
    ends_at: datetime,
    pickup: str,
    dropoff: str,
    driver: Driver | None = None,
) -> BodyTransport:
    """Book body transport on the shared fleet: the vehicle's time is reserved like a ride's, so the
    two can never be booked at once."""
    _require(actor, MANAGE, case)
    errors: Errors = {}
    if vehicle.municipality_id != case.municipality_id or not vehicle.is_active:
        _add(errors, "vehicle", _("Choose a vehicle of this municipality."))
    elif case.infectious and not vehicle.enclosed_for_infectious:
        _add(errors, "vehicle", _("An infectious case needs an enclosed vehicle."))
    if driver is not None and driver.membership.municipality_id != case.municipality_id:
        _add(errors, "driver", _("Choose a driver of this municipality."))
    if ends_at <= starts_at:
        _add(errors, "ends_at", _("The end must be after the start."))
    if starts_at < case.died_at:
        _add(errors, "starts_at", _("The transport cannot be before the death."))
    if not pickup.strip():
        _add(errors, "pickup", _("Enter where to pick up the body."))
    if not dropoff.strip():
        _add(errors, "dropoff", _("Enter where to take the body."))
    if case.status not in OPEN_CASE:
        _add(errors, "vehicle", _("This case is done."))
    _raise(errors)
    transport = BodyTransport.objects.create(
        municipality_id=case.municipality_id,
        case=case,
        vehicle=vehicle,
        driver=driver,
        starts_at=starts_at,
        ends_at=ends_at,
        pickup=pickup.strip(),
        dropoff=dropoff.strip(),
        reference=f"case:{case.pk}:new:{timezone.now().timestamp()}",
    )
    transport.reference = f"case:{case.pk}:t{transport.pk}"
    transport.save(update_fields=["reference"])
    vehicle_reserve(
        vehicle=vehicle,
        starts_at=starts_at,
        ends_at=ends_at,
        purpose=Reservation.Purpose.FUNERAL,
        reference=transport.reference,
    )
    return transport


@transaction.atomic
def transport_cancel(*, actor: Actor, transport: BodyTransport, now: datetime | None = None) -> BodyTransport:
    _require(actor, MANAGE, transport.case)
    if transport.cancelled_at is None:
        vehicle_release(reference=transport.reference)
        transport.cancelled_at = now or timezone.now()
        transport.save(update_fields=["cancelled_at"])
    return transport


# --- Rites, stream, ashes -------------------------------------------------------------------------------


@transaction.atomic
def rite_add(
    *, actor: Actor, case: FuneralCase, kind: str, starts_at: datetime, place: str = "", stream_url: str = ""
) -> Rite:
    _require(actor, MANAGE, case)
    errors: Errors = {}
    if kind not in RiteKind.values:
        _add(errors, "kind", _("Choose a rite from the list."))
    if starts_at < case.died_at:
        _add(errors, "starts_at", _("A rite cannot be before the death."))
    _raise(errors)
    rite = Rite.objects.create(
        case=case, kind=kind, starts_at=starts_at, place=place.strip(), stream_url=stream_url
    )
    text = _("%(rite)s for %(name)s: %(when)s, %(place)s.") % {
        "rite": rite.get_kind_display(),
        "name": case.deceased_name,
        "when": format_thai_datetime(starts_at),
        "place": rite.place,
    }
    if stream_url:
        text += " " + _("Watch: %(url)s") % {"url": stream_url}
    _notify(case, f"rite:{rite.pk}", text)
    return rite


@transaction.atomic
def case_set_stream(*, actor: Actor, case: FuneralCase, url: str) -> FuneralCase:
    """The link to a recording or live stream of the rites, for relatives who cannot attend."""
    _require(actor, MANAGE, case)
    url = url.strip()
    if url and not url.startswith(("https://", "http://")):
        raise ValidationError({"stream_url": [_("Enter a web address starting with https://.")]})
    case.stream_url = url
    case.save(update_fields=["stream_url", "updated_at"])
    if url:
        _notify(
            case,
            f"stream:{url}"[:80],
            _("The rites of %(name)s can be watched here: %(url)s")
            % {"name": case.deceased_name, "url": url},
        )
    return case


@transaction.atomic
def relative_save(
    *, actor: Actor, case: FuneralCase, data: RelativeData, notify: bool, relative: Relative | None = None
) -> Relative:
    """Add a relative to a case after intake, or correct one (name, relation, phone, ID number, and
    whether they receive the case's status messages)."""
    _require(actor, MANAGE, case)
    if relative is not None and relative.case_id != case.pk:
        raise PermissionDenied(_("You may not change this funeral case."))
    _raise(_relative_errors(data))
    values = {**_relative_values(data), "notify": notify}
    if relative is None:
        return Relative.objects.create(case=case, **values)
    for name, value in values.items():
        setattr(relative, name, value)
    relative.save(update_fields=list(values))
    return relative


@transaction.atomic
def relative_remove(*, actor: Actor, case: FuneralCase, relative: Relative) -> None:
    """Take a relative off the case. The relative who reported the death follows the case with their
    own account and cannot be removed (stop their messages instead)."""
    _require(actor, MANAGE, case)
    if relative.case_id != case.pk:
        raise PermissionDenied(_("You may not change this funeral case."))
    if relative.user_id is not None:
        raise ValidationError(
            _(
                "This relative reported the death and follows the case with their account; "
                "turn off their messages instead."
            )
        )
    relative.delete()


@transaction.atomic
def ashes_handover(
    *,
    actor: Actor,
    case: FuneralCase,
    to_name: str,
    to_id_number: str,
    signature_name: str,
    handed_at: datetime,
    relation: str = "",
    now: datetime | None = None,
) -> AshesHandover:
    _require(actor, MANAGE, case)
    case = FuneralCase.objects.select_for_update().get(pk=case.pk)
    errors: Errors = {}
    if case.disposition != Disposition.CREMATION or case.status != CaseStatus.DONE:
        _add(errors, "to_name", _("Ashes are handed over after the cremation."))
    if AshesHandover.objects.filter(case=case).exists():
        _add(errors, "to_name", _("The ashes were already handed over."))
    if not to_name.strip():
        _add(errors, "to_name", _("Enter the name of the person who receives the ashes."))
    if not to_id_number.strip():
        _add(errors, "to_id_number", _("Enter their ID number."))
    else:
        message = _id_error(to_id_number)
        if message:
            _add(errors, "to_id_number", message)
    if not signature_name.strip():
        _add(errors, "signature_name", _("Enter the name as signed."))
    if case.disposed_at is not None and handed_at < case.disposed_at:
        _add(errors, "handed_at", _("The ashes cannot be handed over before the cremation."))
    if handed_at > (now or timezone.now()) + timedelta(minutes=5):
        _add(errors, "handed_at", _("This time cannot be in the future."))
    _raise(errors)
    handover = AshesHandover.objects.create(
        case=case,
        to_name=to_name.strip(),
        to_id_number="".join(ch for ch in to_id_number if ch.isalnum()),
        relation=relation.strip(),
        signature_name=signature_name.strip(),
        handed_at=handed_at,
        recorded_by=actor.user,
    )
    case.status = CaseStatus.CLOSED
    case.save(update_fields=["status", "updated_at"])
    _notify(
        case,
        "ashes",
        _("The ashes of %(name)s were handed to %(to)s on %(when)s")
        % {"name": case.deceased_name, "to": handover.to_name, "when": format_thai_datetime(handed_at)},
    )
    return handover


# --- Fees and receipts ----------------------------------------------------------------------------------


@transaction.atomic
def fee_waive(*, actor: Actor, case: FuneralCase, reason: str) -> FuneralCase:
    _require(actor, MANAGE, case)
    if not reason.strip():
        raise ValidationError({"waiver_reason": [_("Give the reason for the waiver.")]})
    if case.receipts.exists():
        raise ValidationError({"waiver_reason": [_("A receipt was already issued for this case.")]})
    case.fee_waived = True
    case.waiver_reason = reason.strip()[:200]
    case.save(update_fields=["fee_waived", "waiver_reason", "updated_at"])
    return case


@transaction.atomic
def receipt_issue(*, actor: Actor, case: FuneralCase, payer_name: str, at: datetime | None = None) -> Receipt:
    """A receipt for the case's fee, numbered per municipality and B.E. year without gaps or repeats."""
    _require(actor, MANAGE, case)
    errors: Errors = {}
    if case.fee_waived:
        _add(errors, "payer_name", _("The fee of this case is waived: there is nothing to pay."))
    elif case.fee <= 0:
        _add(errors, "payer_name", _("This case has no fee."))
    if Receipt.objects.filter(case=case).exists():
        _add(errors, "payer_name", _("A receipt was already issued for this case."))
    if not payer_name.strip():
        _add(errors, "payer_name", _("Enter the name of the payer."))
    _raise(errors)
    when = at or timezone.now()
    year = be_year(timezone.localdate(when))

    def make() -> Receipt:
        last = Receipt.objects.filter(municipality_id=case.municipality_id, year_be=year).aggregate(
            n=Max("number")
        )
        return Receipt.objects.create(
            municipality_id=case.municipality_id,
            case=case,
            year_be=year,
            number=(last["n"] or 0) + 1,
            amount=case.fee,
            payer_name=payer_name.strip(),
            issued_at=when,
            issued_by=actor.user,
        )

    return _with_retry(make)


def life_event_summary(result: LifeEventResult) -> dict[str, Any]:
    return {
        "resident_marked": result.resident_marked,
        "rides_cancelled": result.rides_cancelled,
        "series_ended": result.series_ended,
        "grant_eligible": result.grant.eligible if result.grant else None,
        "follow_ups": len(result.follow_ups),
    }
