"""Every read of ride requests, always scoped: staff see the municipality, a health volunteer the
residents of their communities, a resident their own rides. Everyone else sees nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Avg, Q, QuerySet

from thukkhon.core.actor import Actor
from thukkhon.core.roles import Role
from thukkhon.people.models import Community, Household, Place, Resident
from thukkhon.rides.models import RideRequest, RideSeries, TripEvent

# Who reads every request of the municipality, who books for anyone, who accepts or denies, and who
# records outcomes (drivers record theirs through the manifest, for the stops of their own runs).
STAFF_READ = frozenset({Role.ADMIN, Role.EXECUTIVE, Role.WELFARE, Role.DISPATCHER})
STAFF_BOOK = frozenset({Role.ADMIN, Role.WELFARE, Role.DISPATCHER})
DECIDE = frozenset({Role.ADMIN, Role.WELFARE, Role.DISPATCHER})
OUTCOME = frozenset({Role.ADMIN, Role.DISPATCHER})
PAGE_SIZE = 25


def volunteer_community_ids(actor: Actor) -> list[int]:
    memberships = [m for m in actor.memberships if m.role == Role.VOLUNTEER]
    if not memberships:
        return []
    return list(
        Community.objects.filter(
            municipality=actor.municipality, scopes__membership__in=memberships
        ).values_list("id", flat=True)
    )


def can_use_rides(actor: Actor | None) -> bool:
    """Whether the actor has any booking page at all (drivers and others do not)."""
    return actor is not None and actor.has_role(*STAFF_READ, Role.VOLUNTEER, Role.RESIDENT)


def _scope(actor: Actor, resident_path: str) -> Q | None:
    """None: the whole municipality; otherwise the condition on the resident."""
    if actor.has_role(*STAFF_READ):
        return None
    cond = Q(pk__in=[])
    if actor.has_role(Role.VOLUNTEER):
        cond |= Q(**{f"{resident_path}community_id__in": volunteer_community_ids(actor)})
    if actor.has_role(Role.RESIDENT):
        cond |= Q(**{f"{resident_path}account__user": actor.user})
    return cond


def requests_visible(actor: Actor) -> QuerySet[RideRequest]:
    qs = RideRequest.objects.filter(municipality=actor.municipality)
    cond = _scope(actor, "resident__")
    return qs if cond is None else qs.filter(cond)


def series_visible(actor: Actor) -> QuerySet[RideSeries]:
    qs = RideSeries.objects.filter(municipality=actor.municipality)
    cond = _scope(actor, "resident__")
    return qs if cond is None else qs.filter(cond)


def bookable_residents(actor: Actor) -> QuerySet[Resident]:
    """The residents the actor may book a ride for."""
    qs = Resident.objects.filter(municipality=actor.municipality)
    if actor.has_role(*STAFF_BOOK):
        return qs
    cond = Q(pk__in=[])
    if actor.has_role(Role.VOLUNTEER):
        cond |= Q(community_id__in=volunteer_community_ids(actor))
    if actor.has_role(Role.RESIDENT):
        cond |= Q(account__user=actor.user)
    return qs.filter(cond)


@dataclass(frozen=True)
class RequestFilters:
    q: str = ""
    day: date | None = None
    status: str = ""
    community_id: int | None = None
    purpose: str = ""


def request_search(actor: Actor, filters: RequestFilters) -> QuerySet[RideRequest]:
    qs = requests_visible(actor).select_related("resident", "resident__community", "dropoff_place")
    if filters.day is not None:
        qs = qs.filter(service_date=filters.day)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.community_id:
        qs = qs.filter(resident__community_id=filters.community_id)
    if filters.purpose:
        qs = qs.filter(purpose=filters.purpose)
    for term in filters.q.split()[:4]:
        qs = qs.filter(
            Q(resident__first_name__icontains=term)
            | Q(resident__last_name__icontains=term)
            | Q(resident__nickname__icontains=term)
        )
    return qs.order_by("service_date", "appointment_at", "pickup_earliest", "id")


def request_events(ride: RideRequest) -> QuerySet[TripEvent]:
    return ride.events.select_related("by").order_by("at", "id")


def booking_map(actor: Actor, resident: Resident) -> dict[str, object]:
    """What the booking form's map draws when there are no tiles (and over them when there are):
    the municipality's registered places, its community centres — where a community has no centre,
    the mean of its households' positions, rounded to about 100 m — and the resident's home."""

    def point(lat: object, lon: object, digits: int = 6) -> list[float]:
        return [round(float(lat), digits), round(float(lon), digits)]  # type: ignore[arg-type]

    places = [
        {"name": p.name_th, "kind": p.kind, "at": point(p.latitude, p.longitude)}
        for p in Place.objects.filter(municipality=actor.municipality).order_by("kind", "name_th")
    ]
    all_communities = list(Community.objects.filter(municipality=actor.municipality).order_by("code"))
    # Only communities without a centre need their households' mean position.
    unplaced = {c.pk for c in all_communities if c.latitude is None or c.longitude is None}
    centres = (
        {
            row["community"]: point(row["lat"], row["lon"], 3)
            for row in Household.objects.filter(community_id__in=unplaced, latitude__isnull=False)
            .values("community")
            .annotate(lat=Avg("latitude"), lon=Avg("longitude"))
            .order_by()
            if row["lat"] is not None and row["lon"] is not None
        }
        if unplaced
        else {}
    )
    communities = []
    for c in all_communities:
        at = centres.get(c.pk) if c.pk in unplaced else point(c.latitude, c.longitude)
        if at is not None:
            communities.append({"name": c.name_th, "at": at})
    home = resident.household
    return {
        "places": places,
        "communities": communities,
        "home": point(home.latitude, home.longitude)
        if home is not None and home.latitude is not None and home.longitude is not None
        else None,
    }
