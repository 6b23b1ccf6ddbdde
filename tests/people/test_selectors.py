"""Registry reads: scoping, search and counts, with exact values."""

from __future__ import annotations

from datetime import date

import pytest

from tests.factories import (
    CommunityFactory,
    HouseholdFactory,
    MunicipalityFactory,
    ResidentFactory,
    VulnerabilityFactory,
    member,
)
from thukkhon.core.actor import actor_for
from thukkhon.people import selectors
from thukkhon.people.selectors import ResidentFilters


@pytest.fixture
def muni(db):
    return MunicipalityFactory()


def _actor(muni, role, communities=()):
    return actor_for(member(muni, role, communities=communities))


def test_community_counts_are_not_multiplied_by_households(muni):
    community = CommunityFactory(municipality=muni)
    for _ in range(3):
        HouseholdFactory(municipality=muni, community=community)
    for year in (1940, 1950, 2000, 2010):
        ResidentFactory(municipality=muni, community=community, household=None, birth_date=date(year, 1, 1))
    dead = ResidentFactory(
        municipality=muni,
        community=community,
        household=None,
        status="deceased",
        status_date=date(2024, 1, 1),
    )
    VulnerabilityFactory(resident=dead, barthel_score=0, assessed_on=date(2023, 1, 1))
    (row,) = selectors.community_list_with_counts(_actor(muni, "executive"))
    assert (row.n_residents, row.n_households, row.n_elderly, row.n_bedbound) == (4, 3, 2, 0)


def test_community_counts_of_groups(muni):
    community = CommunityFactory(municipality=muni)
    empty = CommunityFactory(municipality=muni)
    a = ResidentFactory(municipality=muni, community=community)
    b = ResidentFactory(municipality=muni, community=community)
    VulnerabilityFactory(resident=a, disability_type="visual", welfare_card=True)
    VulnerabilityFactory(resident=b, barthel_score=4, assessed_on=date(2025, 1, 1), welfare_card=True)
    rows = {c.pk: c for c in selectors.community_list_with_counts(_actor(muni, "welfare"))}
    full = rows[community.pk]
    assert (full.n_residents, full.n_households, full.n_disabled, full.n_bedbound, full.n_welfare) == (
        2,
        2,
        1,
        1,
        2,
    )
    none = rows[empty.pk]
    assert (none.n_residents, none.n_households, none.n_elderly, none.n_welfare) == (0, 0, 0, 0)


def test_volunteer_sees_only_their_communities(muni):
    mine, theirs = CommunityFactory(municipality=muni), CommunityFactory(municipality=muni)
    r1 = ResidentFactory(municipality=muni, community=mine)
    ResidentFactory(municipality=muni, community=theirs)
    actor = _actor(muni, "volunteer", [mine])
    assert list(selectors.residents_visible(actor)) == [r1]
    assert [c.pk for c in selectors.community_list_with_counts(actor)] == [mine.pk]
    assert list(selectors.households_visible(actor)) == [r1.household]


def test_roles_without_registry_see_nothing(muni):
    ResidentFactory(municipality=muni)
    for role in ("driver", "teacher", "parent", "resident"):
        actor = _actor(muni, role)
        assert not selectors.can_read_registry(actor)
        assert selectors.residents_visible(actor).count() == 0


def test_search_never_crosses_municipalities(muni):
    ResidentFactory(municipality=muni, first_name="สมพร")
    ResidentFactory(municipality=MunicipalityFactory(), first_name="สมพร")
    found = selectors.resident_search(_actor(muni, "admin"), ResidentFilters(q="สมพร"))
    assert [r.municipality_id for r in found] == [muni.pk]


def test_search_by_name_id_fragment_and_phone(muni):
    r = ResidentFactory(
        municipality=muni, first_name="ประเสริฐ", national_id="1101700230708", phone="0891234567"
    )
    ResidentFactory(municipality=muni, first_name="มานี")
    actor = _actor(muni, "welfare")
    for q in ("ประเสริฐ", "0023070", "0891234567", "089-123-4567"):
        assert list(selectors.resident_search(actor, ResidentFilters(q=q))) == [r], q


def test_paginate_25(muni):
    community = CommunityFactory(municipality=muni)
    for _ in range(51):
        ResidentFactory(municipality=muni, community=community, household=None)
    qs = selectors.resident_search(_actor(muni, "welfare"), ResidentFilters())
    assert [len(selectors.paginate(qs, n).object_list) for n in (1, 2, 3)] == [25, 25, 1]
    assert selectors.paginate(qs, "x").number == 1
    assert selectors.paginate(qs, 99).number == 3


def test_timeline_orders_birth_registration_and_assessments(muni):
    r = ResidentFactory(municipality=muni, birth_date=date(1950, 1, 1))
    VulnerabilityFactory(resident=r, barthel_score=10, assessed_on=date(2024, 6, 1))
    events = selectors.resident_timeline(r)
    assert [(e.kind, e.on) for e in events][:1] == [("birth", date(1950, 1, 1))]
    assert ("assessment", date(2024, 6, 1), "10/20") in [(e.kind, e.on, e.detail) for e in events]
