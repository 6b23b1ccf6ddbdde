"""The registry's JSON shapes (django-ninja schemas). Dates are ISO 8601 (C.E.), never B.E."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from ninja import Field, Schema

from thukkhon.core.thai import mask_national_id
from thukkhon.people.access import sees_full_national_id

IdKindCode = Literal["thai", "non_thai", "passport", "none"]
SexCode = Literal["female", "male", ""]
RelationCode = Literal["owner", "spouse", "child", "grandchild", "parent", "sibling", "relative", "other", ""]
StatusCode = Literal["alive", "deceased", "moved"]
DependencyCode = Literal["social", "home", "bed"]

Latitude = Field(None, ge=-90, le=90, max_digits=9, decimal_places=6)
Longitude = Field(None, ge=-180, le=180, max_digits=9, decimal_places=6)


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


# --- Communities -------------------------------------------------------------------------------------


class CommunityOut(Schema):
    id: int
    code: str
    name_th: str
    name_en: str
    latitude: float | None
    longitude: float | None
    n_residents: int = Field(description="Living residents.")
    n_elderly: int = Field(description="Living residents aged 60 or more.")
    n_disabled: int = Field(description="Living residents with a recorded disability.")
    n_bedbound: int = Field(description="Living bed-bound residents (Barthel ADL 0–4).")
    n_welfare: int = Field(description="Living holders of the state welfare card.")
    n_households: int

    @staticmethod
    def resolve_latitude(obj: Any) -> float | None:
        return _float(obj.latitude)

    @staticmethod
    def resolve_longitude(obj: Any) -> float | None:
        return _float(obj.longitude)


class CommunityIn(Schema):
    code: str = Field(max_length=20)
    name_th: str = Field(max_length=200)
    name_en: str = Field("", max_length=200)
    latitude: Decimal | None = Latitude
    longitude: Decimal | None = Longitude


# --- Households --------------------------------------------------------------------------------------


class MemberOut(Schema):
    id: int
    full_name: str
    relation_to_owner: str
    age: int | None
    status: str


class HouseholdOut(Schema):
    id: int
    community: int = Field(alias="community_id")
    registration_no: str
    house_no: str
    moo: str
    village: str
    soi: str
    road: str
    tambon: str
    amphoe: str
    changwat: str
    postcode: str
    address_text: str = Field(description="The address as written on an envelope.")
    latitude: float | None
    longitude: float | None
    access_notes: str

    @staticmethod
    def resolve_address_text(obj: Any) -> str:
        return str(obj.address_text())

    @staticmethod
    def resolve_latitude(obj: Any) -> float | None:
        return _float(obj.latitude)

    @staticmethod
    def resolve_longitude(obj: Any) -> float | None:
        return _float(obj.longitude)


class HouseholdDetailOut(HouseholdOut):
    members: list[MemberOut]


class HouseholdPatch(Schema):
    """Only the fields given change."""

    community: int | None = None
    registration_no: str | None = Field(None, max_length=20)
    house_no: str | None = Field(None, max_length=20)
    moo: str | None = Field(None, max_length=5)
    village: str | None = Field(None, max_length=100)
    soi: str | None = Field(None, max_length=100)
    road: str | None = Field(None, max_length=100)
    tambon: str | None = Field(None, max_length=100)
    amphoe: str | None = Field(None, max_length=100)
    changwat: str | None = Field(None, max_length=100)
    postcode: str | None = Field(None, max_length=5)
    latitude: Decimal | None = Latitude
    longitude: Decimal | None = Longitude
    access_notes: str | None = None


class HouseholdIn(Schema):
    community: int
    registration_no: str = Field("", max_length=20)
    house_no: str = Field(max_length=20)
    moo: str = Field("", max_length=5)
    village: str = Field("", max_length=100)
    soi: str = Field("", max_length=100)
    road: str = Field("", max_length=100)
    tambon: str = Field("", max_length=100)
    amphoe: str = Field("", max_length=100)
    changwat: str = Field("", max_length=100)
    postcode: str = Field("", max_length=5)
    latitude: Decimal | None = Latitude
    longitude: Decimal | None = Longitude
    access_notes: str = ""


class HouseholdFilters(Schema):
    community: int | None = Field(None, description="Only this community.")


# --- Residents ---------------------------------------------------------------------------------------


class ResidentOut(Schema):
    """A resident. ``national_id`` is masked unless the caller's role may see it in full.
    Religion (sensitive data) is not part of the API."""

    id: int
    community: int = Field(alias="community_id")
    household: int | None = Field(alias="household_id")
    relation_to_owner: str
    id_kind: str
    national_id: str
    title: str
    first_name: str
    last_name: str
    nickname: str
    full_name: str
    sex: str
    birth_date: date | None
    birth_date_estimated: bool
    age: int | None
    phone: str
    line_id: str
    status: str
    status_date: date | None
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_national_id(obj: Any, context: Any) -> str:
        number = str(obj.national_id)
        request = (context or {}).get("request")
        if not number or sees_full_national_id(getattr(request, "auth", None)):
            return number
        return str(mask_national_id(number))


class ResidentIn(Schema):
    community: int
    first_name: str = Field(max_length=100)
    last_name: str = Field("", max_length=100)
    title: str = Field("", max_length=30)
    nickname: str = Field("", max_length=50)
    id_kind: IdKindCode = "thai"
    national_id: str = Field("", max_length=20)
    sex: SexCode = ""
    birth_date: date | None = None
    birth_date_estimated: bool = False
    household: int | None = None
    relation_to_owner: RelationCode = ""
    phone: str = Field("", max_length=20)
    line_id: str = Field("", max_length=50)
    status: StatusCode = "alive"
    status_date: date | None = None


class ResidentPatch(Schema):
    """Only the fields given change. ``household: null`` takes the resident out of their household."""

    community: int | None = None
    first_name: str | None = Field(None, max_length=100)
    last_name: str | None = Field(None, max_length=100)
    title: str | None = Field(None, max_length=30)
    nickname: str | None = Field(None, max_length=50)
    id_kind: IdKindCode | None = None
    national_id: str | None = Field(None, max_length=20)
    sex: SexCode | None = None
    birth_date: date | None = None
    birth_date_estimated: bool | None = None
    household: int | None = None
    relation_to_owner: RelationCode | None = None
    phone: str | None = Field(None, max_length=20)
    line_id: str | None = Field(None, max_length=50)
    status: StatusCode | None = None
    status_date: date | None = None


class ResidentFilters(Schema):
    q: str = Field("", max_length=100, description="Thai name, nickname, part of the ID number or phone.")
    community: int | None = Field(None, description="Only this community.")
    status: StatusCode | Literal["all"] = Field("alive", description="`all` for every status.")
    elderly: bool = Field(False, description="Only residents aged 60 or more.")
    dependency: DependencyCode | None = Field(None, description="Barthel ADL group.")
    disabled: bool = Field(False, description="Only residents with a recorded disability.")
    welfare_card: bool = Field(False, description="Only holders of the state welfare card.")


class VulnerabilityOut(Schema):
    """The vulnerability profile (health and disability: sensitive; every read is logged).
    ``recorded`` is false when nothing has been assessed yet."""

    resident: int
    recorded: bool
    disability_type: str = ""
    disability_card_no: str = ""
    barthel_score: int | None = None
    dependency: str = ""
    chronic_conditions: list[str] = []
    welfare_card: bool = False
    lives_alone: bool = False
    caregiver: int | None = None
    caregiver_name: str = ""
    caregiver_phone: str = ""
    assessed_on: date | None = None
    notes: str = ""
    updated_at: datetime | None = None


# --- Errors ------------------------------------------------------------------------------------------


class ErrorOut(Schema):
    detail: str


class FieldError(Schema):
    loc: list[str | int]
    msg: str


class ValidationErrorOut(Schema):
    detail: list[FieldError]
