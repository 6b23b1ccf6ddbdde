"""The only way views fetch registry objects. What the actor may not see is a 404."""

from __future__ import annotations

from django.http import Http404

from thukkhon.core.access import log_sensitive_read
from thukkhon.core.actor import Actor
from thukkhon.core.roles import REGISTRY_WRITE, REGISTRY_WRITE_SCOPED, SEES_FULL_NATIONAL_ID
from thukkhon.people import selectors
from thukkhon.people.models import Community, Household, Resident, Vulnerability


def _reader(actor: Actor | None) -> Actor:
    if actor is None or not selectors.can_read_registry(actor):
        raise Http404
    return actor


def access_resident(actor: Actor | None, resident_id: int) -> Resident:
    reader = _reader(actor)
    resident = (
        selectors.residents_visible(reader)
        .select_related("community", "household")
        .filter(pk=resident_id)
        .first()
    )
    if resident is None:
        raise Http404
    return resident


def access_resident_for_edit(actor: Actor | None, resident_id: int) -> Resident:
    resident = access_resident(actor, resident_id)
    assert actor is not None
    if not actor.has_role(*REGISTRY_WRITE):
        raise Http404
    return resident


def access_vulnerability(actor: Actor | None, resident: Resident, *, via: str = "") -> Vulnerability | None:
    """The resident's vulnerability profile (health and disability: sensitive). Each read is logged."""
    reader = _reader(actor)
    vuln = Vulnerability.objects.filter(resident=resident).select_related("caregiver").first()
    if vuln is not None:
        log_sensitive_read(reader, vuln, what="vulnerability", via=via)
    return vuln


def can_edit_vulnerability(actor: Actor, resident: Resident) -> bool:
    if actor.has_role(*REGISTRY_WRITE):
        return True
    if actor.has_role(*REGISTRY_WRITE_SCOPED):
        ids = selectors.scoped_community_ids(actor)
        return ids is None or resident.community_id in ids
    return False


def can_edit_registry(actor: Actor | None) -> bool:
    return actor is not None and actor.has_role(*REGISTRY_WRITE)


def sees_full_national_id(actor: Actor | None) -> bool:
    return actor is not None and actor.has_role(*SEES_FULL_NATIONAL_ID)


def access_household(actor: Actor | None, household_id: int) -> Household:
    reader = _reader(actor)
    household = (
        selectors.households_visible(reader).select_related("community").filter(pk=household_id).first()
    )
    if household is None:
        raise Http404
    return household


def access_community(actor: Actor | None, community_id: int) -> Community:
    reader = _reader(actor)
    community = selectors.communities_visible(reader).filter(pk=community_id).first()
    if community is None:
        raise Http404
    return community
