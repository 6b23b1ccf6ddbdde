"""Funeral assistance's JSON API: cases, their relatives, and free cremator slots.

Thin: parse, call one service or selector, return. Staff (funeral, welfare, admin) see every case of
their municipality; a relative with a resident account sees the cases they reported or follow. A case
the caller may not see is a 404, a write they may not make a 403. Reading a case is logged like the
page (PDPA access log).
"""

from datetime import UTC, date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from thukkhon.core.api_auth import Pagination, request_actor
from thukkhon.funerals import selectors, services
from thukkhon.funerals.access import access_case, access_case_for_edit, access_cremator, can_manage
from thukkhon.funerals.models import CaseStatus, Cremator, FuneralCase
from thukkhon.people.access import access_resident
from thukkhon.people.models import Community
from thukkhon.people.schemas import ErrorOut, ValidationErrorOut

router = Router(tags=["funerals"])

READ = {401: ErrorOut, 404: ErrorOut}
WRITE = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}


# --- Shapes -----------------------------------------------------------------------------------------------


class RelativeIn(Schema):
    name: str = Field(max_length=200)
    relation: str = Field("", max_length=100)
    phone: str = Field("", max_length=20)
    id_number: str = Field("", max_length=20)
    notify: bool = Field(True, description="Send the case's status messages to this relative.")


class CaseIn(Schema):
    deceased_name: str = Field(max_length=200)
    died_at: datetime = Field(description="Aware ISO 8601 time of death, e.g. 2026-11-26T06:30:00+07:00.")
    place_of_death: str = Field(max_length=200)
    cause: str = Field(description="natural, infectious, accident or other.")
    disease: str = Field("", description="For an infectious cause: covid19 or other.")
    disease_name: str = Field("", max_length=100)
    informant_name: str = Field(max_length=200)
    informant_relation: str = Field("", max_length=100)
    informant_phone: str = Field("", max_length=20)
    informant_id_number: str = Field("", max_length=20)
    resident_id: int | None = Field(None, description="The deceased in the registry, when known.")
    deceased_id_number: str = Field("", max_length=20)
    deceased_birth_date: date | None = None
    community_id: int | None = None
    domicile_tambon: str = Field("", max_length=100)
    domicile_amphoe: str = Field("", max_length=100)
    domicile_changwat: str = Field("", max_length=100)
    certificate_no: str = Field("", max_length=40)
    certificate_issuer: str = Field("", max_length=200)
    religion: str = Field(
        "",
        description="buddhism, islam, christianity, other or empty. Used only to route a Muslim "
        "burial within 24 hours; never returned.",
    )
    burial: bool = False
    rites_notes: str = Field("", max_length=2000)
    welfare_card: bool = False
    relatives: list[RelativeIn] = Field(default_factory=list, max_length=20)


class RelativeOut(Schema):
    id: int
    name: str
    relation: str
    phone: str
    notify: bool


class BookingOut(Schema):
    id: int
    cremator_id: int
    cremator: str
    starts_at: datetime
    ends_at: datetime
    cancelled_at: datetime | None

    @staticmethod
    def resolve_cremator(obj: object) -> str:
        return str(obj.cremator)  # type: ignore[attr-defined]


class ClockOut(Schema):
    deadline: datetime
    state: str = Field(description="ok, warning (under 6 hours), overdue or met.")


class CaseOut(Schema):
    id: int
    number: str
    status: str
    disposition: str
    deceased_name: str
    resident_id: int | None
    died_at: datetime
    place_of_death: str
    cause: str
    infectious: bool
    community_id: int | None
    registration_no: str
    registered_at: datetime | None
    disposed_at: datetime | None

    @staticmethod
    def resolve_resident_id(obj: FuneralCase) -> int | None:
        return obj.deceased_id


class CaseDetailOut(CaseOut):
    informant_name: str
    informant_relation: str
    fee: float
    fee_waived: bool
    waiver_reason: str
    stream_url: str
    deadline: ClockOut | None
    registration_deadline: ClockOut
    relatives: list[RelativeOut]
    bookings: list[BookingOut]

    @staticmethod
    def resolve_fee(obj: FuneralCase) -> float:
        return float(obj.fee)

    @staticmethod
    def resolve_deadline(obj: FuneralCase) -> services.Clock | None:
        return services.case_clock(obj)

    @staticmethod
    def resolve_registration_deadline(obj: FuneralCase) -> services.Clock:
        return services.registration_clock(obj)

    @staticmethod
    def resolve_relatives(obj: FuneralCase) -> list[object]:
        return list(obj.relatives.all())

    @staticmethod
    def resolve_bookings(obj: FuneralCase) -> list[object]:
        return list(obj.bookings.select_related("cremator").order_by("starts_at"))


class CaseFilters(Schema):
    status: str = Field("", description="reported, accepted, scheduled, done or cancelled.")
    q: str = Field("", max_length=100, description="Part of the name of the deceased or of the case number.")


class CrematorOut(Schema):
    id: int
    name: str
    crematorium: str
    slot_minutes: int

    @staticmethod
    def resolve_crematorium(obj: Cremator) -> str:
        return obj.crematorium.name_th


class SlotsOut(Schema):
    cremator_id: int
    day: date
    closed: str = Field(description="Why the crematorium is closed that day; empty when open.")
    free: list[datetime]


# --- Helpers ----------------------------------------------------------------------------------------------


def _case_data(request: HttpRequest, payload: CaseIn) -> services.CaseData:
    actor = request_actor(request)
    deceased = None
    if payload.resident_id is not None:
        if not can_manage(actor):
            raise PermissionDenied(_("You may not report a death."))
        deceased = access_resident(actor, payload.resident_id)
    community = None
    if payload.community_id is not None:
        community = Community.objects.filter(municipality=actor.municipality, pk=payload.community_id).first()
        if community is None:
            raise ValidationError({"community_id": [_("Choose a community of this municipality.")]})
    return services.CaseData(
        deceased=deceased,
        community=community,
        relatives=[
            services.RelativeData(name=r.name, relation=r.relation, phone=r.phone, id_number=r.id_number)
            for r in payload.relatives
        ],
        **payload.dict(exclude={"resident_id", "community_id", "relatives"}),
    )


# --- Endpoints --------------------------------------------------------------------------------------------


@router.get("/cases", response=list[CaseOut], summary="List funeral cases")
@paginate(Pagination)
def case_list(request: HttpRequest, filters: Query[CaseFilters]) -> QuerySet[FuneralCase]:
    status = filters.status if filters.status in CaseStatus.values else ""
    return selectors.case_list(request_actor(request), status=status, query=filters.q)


@router.post("/cases", response={201: CaseDetailOut, **WRITE}, summary="Report a death")
def case_create(request: HttpRequest, payload: CaseIn) -> Status[FuneralCase]:
    """Staff open the case accepted (the death's life event runs at once); a relative's report waits
    for staff to accept it. A registry resident can have only one case."""
    actor = request_actor(request)
    case = services.case_create(actor=actor, data=_case_data(request, payload))
    return Status(201, access_case(actor, case.pk, via=request.path))


@router.get("/cases/{case_id}", response={200: CaseDetailOut, **READ}, summary="A funeral case")
def case_detail(request: HttpRequest, case_id: int) -> FuneralCase:
    return access_case(request_actor(request), case_id, via=request.path)


@router.post(
    "/cases/{case_id}/relatives", response={201: RelativeOut, **WRITE}, summary="Add a relative to a case"
)
def relative_add(request: HttpRequest, case_id: int, payload: RelativeIn) -> Status[object]:
    actor = request_actor(request)
    case = access_case_for_edit(actor, case_id, via=request.path)
    relative = services.relative_save(
        actor=actor,
        case=case,
        data=services.RelativeData(
            name=payload.name, relation=payload.relation, phone=payload.phone, id_number=payload.id_number
        ),
        notify=payload.notify,
    )
    return Status(201, relative)


@router.get("/cremators", response=list[CrematorOut], summary="Cremators in service")
def cremator_list(request: HttpRequest) -> QuerySet[Cremator]:
    actor = request_actor(request)
    if not can_manage(actor):
        return Cremator.objects.none()
    return selectors.cremators_visible(actor).order_by("crematorium__name_th", "name")


@router.get(
    "/cremators/{cremator_id}/slots", response={200: SlotsOut, **READ}, summary="Free slots of a cremator"
)
def cremator_slots(request: HttpRequest, cremator_id: int, day: date) -> SlotsOut:
    cremator = access_cremator(request_actor(request), cremator_id)
    return SlotsOut(
        cremator_id=cremator.pk,
        day=day,
        closed=services.closed_message(cremator, day) or "",
        free=[slot.astimezone(UTC) for slot in services.free_slots(cremator, day)],
    )
