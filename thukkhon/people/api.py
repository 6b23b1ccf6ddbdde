"""The registry's JSON API: communities, households, residents and their vulnerability profile.

Thin: parse, call one selector or service, return. Scope comes from the selectors and ``access_*``
helpers: what the caller may not see is a 404; a write by a role that may only read is a 403.
"""

from dataclasses import fields, replace
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import paginate

from thukkhon.core.actor import Actor
from thukkhon.core.api_auth import Pagination, request_actor
from thukkhon.people import selectors, services
from thukkhon.people.access import (
    access_community,
    access_household,
    access_resident,
    access_vulnerability,
    can_edit_registry,
)
from thukkhon.people.models import Community, Household, Resident
from thukkhon.people.schemas import (
    CommunityIn,
    CommunityOut,
    ErrorOut,
    HouseholdDetailOut,
    HouseholdFilters,
    HouseholdIn,
    HouseholdOut,
    HouseholdPatch,
    ResidentFilters,
    ResidentIn,
    ResidentOut,
    ResidentPatch,
    ValidationErrorOut,
    VulnerabilityOut,
)

router = Router(tags=["registry"])

READ = {401: ErrorOut, 404: ErrorOut}
WRITE = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}


def _reader(request: HttpRequest) -> Actor:
    actor = request_actor(request)
    if not selectors.can_read_registry(actor):
        raise Http404
    return actor


def _may_write(actor: Actor) -> Actor:
    if not can_edit_registry(actor):
        raise PermissionDenied(_("You may not change the registry."))
    return actor


def _writer(request: HttpRequest) -> Actor:
    """For creating: any role that may not write gets a 403 (there is no object to hide)."""
    return _may_write(request_actor(request))


def _community(actor: Actor, community_id: int) -> Community:
    """A community to write into: any of the actor's municipality, else a 422 on ``community``."""
    found = Community.objects.filter(municipality=actor.municipality, pk=community_id).first()
    if found is None:
        raise ValidationError({"community": [_("Choose a community of this municipality.")]})
    return found


def _household(actor: Actor, household_id: int | None) -> Household | None:
    if household_id is None:
        return None
    found = Household.objects.filter(municipality=actor.municipality, pk=household_id).first()
    if found is None:
        raise ValidationError({"household": [_("Choose a household of this municipality.")]})
    return found


def _given(patch: Any, nullable: frozenset[str]) -> dict[str, Any]:
    """The fields a PATCH body names; ``null`` clears only fields that may be empty."""
    given = patch.model_dump(exclude_unset=True)
    return {k: v for k, v in given.items() if v is not None or k in nullable}


# --- Communities -------------------------------------------------------------------------------------


@router.get("/communities", response=list[CommunityOut], summary="List communities with counts")
@paginate(Pagination)
def community_list(request: HttpRequest) -> QuerySet[Community]:
    return selectors.community_list_with_counts(_reader(request))


@router.get("/communities/{community_id}", response={200: CommunityOut, **READ}, summary="A community")
def community_detail(request: HttpRequest, community_id: int) -> Community:
    actor = _reader(request)
    community = access_community(actor, community_id)
    return selectors.community_list_with_counts(actor).get(pk=community.pk)


@router.post("/communities", response={201: CommunityOut, **WRITE}, summary="Create a community")
def community_create(request: HttpRequest, payload: CommunityIn) -> Status[Community]:
    actor = _writer(request)
    community = services.community_create(actor=actor, **payload.model_dump())
    return Status(201, selectors.community_list_with_counts(actor).get(pk=community.pk))


# --- Households --------------------------------------------------------------------------------------


@router.get("/households", response=list[HouseholdOut], summary="List households")
@paginate(Pagination)
def household_list(request: HttpRequest, filters: Query[HouseholdFilters]) -> QuerySet[Household]:
    qs = selectors.households_visible(_reader(request)).order_by("community__code", "house_no", "id")
    if filters.community:
        qs = qs.filter(community_id=filters.community)
    return qs


class _HouseholdView:
    """The household with its members, as :class:`HouseholdDetailOut` reads it."""

    def __init__(self, household: Household) -> None:
        self._household = household
        self.members = list(selectors.household_members(household))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._household, name)


@router.get("/households/{household_id}", response={200: HouseholdDetailOut, **READ}, summary="A household")
def household_detail(request: HttpRequest, household_id: int) -> _HouseholdView:
    return _HouseholdView(access_household(_reader(request), household_id))


@router.post("/households", response={201: HouseholdDetailOut, **WRITE}, summary="Create a household")
def household_create(request: HttpRequest, payload: HouseholdIn) -> Status[_HouseholdView]:
    actor = _writer(request)
    values = payload.model_dump()
    values["community"] = _community(actor, payload.community)
    household = services.household_create(actor=actor, data=services.HouseholdData(**values))
    return Status(201, _HouseholdView(household))


@router.patch(
    "/households/{household_id}", response={200: HouseholdDetailOut, **WRITE}, summary="Change a household"
)
def household_update(request: HttpRequest, household_id: int, payload: HouseholdPatch) -> _HouseholdView:
    actor = _reader(request)
    household = access_household(actor, household_id)
    _may_write(actor)
    current = services.HouseholdData(
        **{f.name: getattr(household, f.name) for f in fields(services.HouseholdData)}
    )
    changes = _given(payload, frozenset({"latitude", "longitude"}))
    if "community" in changes:
        changes["community"] = _community(actor, changes["community"])
    household = services.household_update(actor=actor, household=household, data=replace(current, **changes))
    return _HouseholdView(household)


# --- Residents ---------------------------------------------------------------------------------------


@router.get("/residents", response=list[ResidentOut], summary="Search residents")
@paginate(Pagination)
def resident_list(request: HttpRequest, filters: Query[ResidentFilters]) -> QuerySet[Resident]:
    return selectors.resident_search(
        _reader(request),
        selectors.ResidentFilters(
            q=filters.q,
            community_id=filters.community,
            status="" if filters.status == "all" else filters.status,
            elderly=filters.elderly,
            dependency=filters.dependency or "",
            disabled=filters.disabled,
            welfare_card=filters.welfare_card,
        ),
    )


@router.get("/residents/{resident_id}", response={200: ResidentOut, **READ}, summary="A resident")
def resident_detail(request: HttpRequest, resident_id: int) -> Resident:
    return access_resident(_reader(request), resident_id)


@router.post("/residents", response={201: ResidentOut, **WRITE}, summary="Register a resident")
def resident_create(request: HttpRequest, payload: ResidentIn) -> Status[Resident]:
    actor = _writer(request)
    values = payload.model_dump()
    values["community"] = _community(actor, payload.community)
    values["household"] = _household(actor, payload.household)
    resident = services.resident_create(actor=actor, data=services.ResidentData(**values))
    return Status(201, resident)


@router.patch("/residents/{resident_id}", response={200: ResidentOut, **WRITE}, summary="Change a resident")
def resident_update(request: HttpRequest, resident_id: int, payload: ResidentPatch) -> Resident:
    actor = _reader(request)
    resident = access_resident(actor, resident_id)
    _may_write(actor)
    current = services.ResidentData(
        **{f.name: getattr(resident, f.name) for f in fields(services.ResidentData)}
    )
    changes = _given(payload, frozenset({"household", "birth_date", "status_date"}))
    if "community" in changes:
        changes["community"] = _community(actor, changes["community"])
    if "household" in changes:
        changes["household"] = _household(actor, changes["household"])
    return services.resident_update(actor=actor, resident=resident, data=replace(current, **changes))


@router.get(
    "/residents/{resident_id}/vulnerability",
    response={200: VulnerabilityOut, **READ},
    summary="A resident's vulnerability profile (sensitive: each read is logged)",
)
def resident_vulnerability(request: HttpRequest, resident_id: int) -> dict[str, Any]:
    actor = _reader(request)
    resident = access_resident(actor, resident_id)
    vuln = access_vulnerability(actor, resident, via=f"api {request.method} {request.path}")
    if vuln is None:
        return {"resident": resident.pk, "recorded": False}
    return {
        "resident": resident.pk,
        "recorded": True,
        "disability_type": vuln.disability_type,
        "disability_card_no": vuln.disability_card_no,
        "barthel_score": vuln.barthel_score,
        "dependency": vuln.dependency,
        "chronic_conditions": list(vuln.chronic_conditions),
        "welfare_card": vuln.welfare_card,
        "lives_alone": vuln.lives_alone,
        "caregiver": vuln.caregiver_id,
        "caregiver_name": vuln.caregiver_name,
        "caregiver_phone": vuln.caregiver_phone,
        "assessed_on": vuln.assessed_on,
        "notes": vuln.notes,
        "updated_at": vuln.updated_at,
    }
