"""Every write to the registry: keyword-only, typed, atomic, validated.

Validation speaks the user's language and changes nothing when it fails: each service raises
:class:`django.core.exceptions.ValidationError` with a message per field. The same ``*_errors``
functions check rows of an import file, so a row is judged exactly as a form would be.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from thukkhon.core.actor import Actor
from thukkhon.core.address import address_errors
from thukkhon.core.models import Municipality
from thukkhon.core.roles import REGISTRY_WRITE
from thukkhon.core.thai import (
    national_id_error,
    normalize_national_id,
    normalize_phone,
    phone_error,
    title_error,
)
from thukkhon.people.access import can_edit_vulnerability
from thukkhon.people.models import (
    ChronicCondition,
    Community,
    Household,
    IdKind,
    Relation,
    Resident,
    ResidentStatus,
    Vulnerability,
)

Errors = dict[str, list[str]]


def _add(errors: Errors, name: str, message: str) -> None:
    errors.setdefault(name, []).append(message)


def _require_writer(actor: Actor) -> None:
    if not actor.has_role(*REGISTRY_WRITE):
        raise PermissionDenied(_("You may not change the registry."))


def _raise(errors: Errors) -> None:
    if errors:
        raise ValidationError(errors)  # type: ignore[arg-type]


# --- Households --------------------------------------------------------------------------------------


@dataclass
class HouseholdData:
    community: Community
    registration_no: str = ""
    house_no: str = ""
    moo: str = ""
    village: str = ""
    soi: str = ""
    road: str = ""
    tambon: str = ""
    amphoe: str = ""
    changwat: str = ""
    postcode: str = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    access_notes: str = ""


def household_errors(
    municipality: Municipality, data: HouseholdData, *, instance: Household | None = None
) -> Errors:
    errors: Errors = {}
    if data.community.municipality_id != municipality.pk:
        _add(errors, "community", _("Choose a community of this municipality."))
    reg = data.registration_no.strip()
    if reg and not reg.replace("-", "").isdigit():
        _add(errors, "registration_no", _("A house registration number has digits only."))
    elif reg:
        clash = Household.objects.filter(municipality=municipality, registration_no=reg)
        if instance is not None:
            clash = clash.exclude(pk=instance.pk)
        if clash.exists():
            _add(errors, "registration_no", _("Another household already has this registration number."))
    if not data.house_no.strip():
        _add(errors, "house_no", _("Enter the house number."))
    for name, message in address_errors(
        tambon=data.tambon, amphoe=data.amphoe, changwat=data.changwat, postcode=data.postcode
    ).items():
        _add(errors, name, message)
    if (data.latitude is None) != (data.longitude is None):
        _add(errors, "latitude", _("Give both latitude and longitude, or neither."))
    if data.latitude is not None and not Decimal(-90) <= data.latitude <= Decimal(90):
        _add(errors, "latitude", _("Latitude must be between -90 and 90."))
    if data.longitude is not None and not Decimal(-180) <= data.longitude <= Decimal(180):
        _add(errors, "longitude", _("Longitude must be between -180 and 180."))
    return errors


@transaction.atomic
def household_create(*, actor: Actor, data: HouseholdData) -> Household:
    _require_writer(actor)
    _raise(household_errors(actor.municipality, data))
    values = asdict(data) | {"community": data.community, "registration_no": data.registration_no.strip()}
    return Household.objects.create(municipality=actor.municipality, **values)


@transaction.atomic
def household_update(*, actor: Actor, household: Household, data: HouseholdData) -> Household:
    _require_writer(actor)
    _raise(household_errors(actor.municipality, data, instance=household))
    for f in fields(data):
        setattr(household, f.name, getattr(data, f.name))
    household.registration_no = household.registration_no.strip()
    household.save()
    # Members follow their house into its community.
    household.members.exclude(community=household.community).update(community=household.community)
    return household


# --- Residents ---------------------------------------------------------------------------------------


@dataclass
class ResidentData:
    community: Community
    first_name: str
    last_name: str = ""
    title: str = ""
    nickname: str = ""
    id_kind: str = IdKind.THAI
    national_id: str = ""
    sex: str = ""
    birth_date: date | None = None
    birth_date_estimated: bool = False
    household: Household | None = None
    relation_to_owner: str = ""
    phone: str = ""
    line_id: str = ""
    religion: str = ""
    status: str = ResidentStatus.ALIVE
    status_date: date | None = None


def _clean_id(data: ResidentData) -> str:
    if data.id_kind in (IdKind.THAI, IdKind.NON_THAI):
        return normalize_national_id(data.national_id)
    return data.national_id.strip().upper()


def resident_errors(
    municipality: Municipality,
    data: ResidentData,
    *,
    instance: Resident | None = None,
    today: date | None = None,
) -> Errors:
    day = today or date.today()
    errors: Errors = {}
    if not data.first_name.strip():
        _add(errors, "first_name", _("Enter the first name."))
    if data.community.municipality_id != municipality.pk:
        _add(errors, "community", _("Choose a community of this municipality."))
    if data.id_kind not in IdKind.values:
        _add(errors, "id_kind", _("Choose the kind of identity document."))
    else:
        message = national_id_error(data.national_id, data.id_kind)
        if message:
            _add(errors, "national_id", str(message))
        else:
            number = _clean_id(data)
            if number:
                clash = Resident.objects.filter(municipality=municipality, national_id=number)
                if instance is not None:
                    clash = clash.exclude(pk=instance.pk)
                if clash.exists():
                    _add(errors, "national_id", _("Another resident already has this ID number."))
    if data.birth_date and data.birth_date > day:
        _add(errors, "birth_date", _("The birth date cannot be in the future."))
    if data.title:
        message = title_error(data.title, data.birth_date, on=day)
        if message:
            _add(errors, "title", str(message))
    if data.household is not None:
        if data.household.municipality_id != municipality.pk:
            _add(errors, "household", _("Choose a household of this municipality."))
        elif data.household.community_id != data.community.pk:
            _add(errors, "household", _("The household is in another community."))
        if not data.relation_to_owner:
            _add(errors, "relation_to_owner", _("Give the relation to the house owner."))
    if data.relation_to_owner and data.relation_to_owner not in Relation.values:
        _add(errors, "relation_to_owner", _("Choose a relation from the list."))
    if data.status not in ResidentStatus.values:
        _add(errors, "status", _("Choose a status from the list."))
    elif data.status != ResidentStatus.ALIVE:
        if data.status_date is None:
            _add(errors, "status_date", _("Give the date of death or of moving away."))
        elif data.status_date > day:
            _add(errors, "status_date", _("This date cannot be in the future."))
        elif data.birth_date and data.status_date < data.birth_date:
            _add(errors, "status_date", _("This date cannot be before the birth date."))
    message = phone_error(data.phone)
    if message:
        _add(errors, "phone", message)
    return errors


def _resident_values(data: ResidentData) -> dict[str, Any]:
    values = {f.name: getattr(data, f.name) for f in fields(data)}
    values["national_id"] = _clean_id(data)
    values["phone"] = normalize_phone(data.phone)
    values["first_name"] = data.first_name.strip()
    values["last_name"] = data.last_name.strip()
    if data.status == ResidentStatus.ALIVE:
        values["status_date"] = None
    if data.household is None:
        values["relation_to_owner"] = ""
    return values


@transaction.atomic
def resident_create(*, actor: Actor, data: ResidentData) -> Resident:
    _require_writer(actor)
    _raise(resident_errors(actor.municipality, data))
    return Resident.objects.create(municipality=actor.municipality, **_resident_values(data))


@transaction.atomic
def resident_update(*, actor: Actor, resident: Resident, data: ResidentData) -> Resident:
    _require_writer(actor)
    _raise(resident_errors(actor.municipality, data, instance=resident))
    for name, value in _resident_values(data).items():
        setattr(resident, name, value)
    resident.save()
    return resident


# --- Vulnerability -----------------------------------------------------------------------------------


@dataclass
class VulnerabilityData:
    disability_type: str = ""
    disability_card_no: str = ""
    barthel_score: int | None = None
    chronic_conditions: list[str] = field(default_factory=list)
    welfare_card: bool = False
    lives_alone: bool = False
    caregiver: Resident | None = None
    caregiver_name: str = ""
    caregiver_phone: str = ""
    assessed_on: date | None = None
    notes: str = ""


def vulnerability_errors(resident: Resident, data: VulnerabilityData, *, today: date | None = None) -> Errors:
    day = today or date.today()
    errors: Errors = {}
    if data.barthel_score is not None and not 0 <= data.barthel_score <= 20:
        _add(errors, "barthel_score", _("The Barthel ADL score is between 0 and 20."))
    if data.barthel_score is not None and data.assessed_on is None:
        _add(errors, "assessed_on", _("Give the date of the assessment."))
    if data.assessed_on and data.assessed_on > day:
        _add(errors, "assessed_on", _("This date cannot be in the future."))
    unknown = [c for c in data.chronic_conditions if c not in ChronicCondition.values]
    if unknown:
        _add(errors, "chronic_conditions", _("Unknown condition: %(codes)s") % {"codes": ", ".join(unknown)})
    if data.disability_card_no and not data.disability_type:
        _add(errors, "disability_type", _("Choose the kind of disability for a disability card."))
    if data.caregiver is not None:
        if data.caregiver.pk == resident.pk:
            _add(errors, "caregiver", _("A resident cannot be their own caregiver."))
        elif data.caregiver.municipality_id != resident.municipality_id:
            _add(errors, "caregiver", _("Choose a caregiver registered in this municipality."))
    return errors


@transaction.atomic
def vulnerability_update(*, actor: Actor, resident: Resident, data: VulnerabilityData) -> Vulnerability:
    """Record a (re)assessment. History keeps every earlier version."""
    if not can_edit_vulnerability(actor, resident):
        raise PermissionDenied(_("You may not record needs for this resident."))
    _raise(vulnerability_errors(resident, data))
    vuln, _created = Vulnerability.objects.select_for_update().get_or_create(resident=resident)
    for f in fields(data):
        setattr(vuln, f.name, getattr(data, f.name))
    vuln.save()
    return vuln


# --- Communities -------------------------------------------------------------------------------------


@transaction.atomic
def community_create(
    *,
    actor: Actor,
    code: str,
    name_th: str,
    name_en: str = "",
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
) -> Community:
    _require_writer(actor)
    errors: Errors = {}
    if not code.strip():
        _add(errors, "code", _("Enter a code."))
    elif Community.objects.filter(municipality=actor.municipality, code=code.strip()).exists():
        _add(errors, "code", _("Another community already has this code."))
    if not name_th.strip():
        _add(errors, "name_th", _("Enter the Thai name."))
    _raise(errors)
    return Community.objects.create(
        municipality=actor.municipality,
        code=code.strip(),
        name_th=name_th.strip(),
        name_en=name_en.strip(),
        latitude=latitude,
        longitude=longitude,
    )
