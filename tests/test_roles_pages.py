"""Every role × every registry page: allowed → 200, not allowed → 404; and nothing crosses towns."""

from __future__ import annotations

import pytest

from tests.factories import MunicipalityFactory, ResidentFactory, VulnerabilityFactory, member
from thukkhon.core.roles import Role

ALL_ROLES = list(Role.values)
READERS = {"admin", "executive", "welfare", "dispatcher", "funeral", "volunteer"}
WRITERS = {"admin", "welfare"}
NEEDS_WRITERS = {"admin", "welfare", "volunteer"}

# page name → (URL for a resident r, roles that may open it)
PAGES = {
    "resident-list": (lambda r: "/registry/", READERS),
    "resident-search": (lambda r: f"/registry/?q={r.first_name}", READERS),
    "resident-detail": (lambda r: f"/registry/residents/{r.pk}/", READERS),
    "resident-edit": (lambda r: f"/registry/residents/{r.pk}/edit/", WRITERS),
    "resident-create": (lambda r: "/registry/residents/new/", WRITERS),
    "vulnerability-edit": (lambda r: f"/registry/residents/{r.pk}/needs/", NEEDS_WRITERS),
    "household-detail": (lambda r: f"/registry/households/{r.household_id}/", READERS),
    "household-edit": (lambda r: f"/registry/households/{r.household_id}/edit/", WRITERS),
    "household-create": (lambda r: "/registry/households/new/", WRITERS),
    "household-options": (lambda r: f"/registry/households/options/?community={r.community_id}", READERS),
    "community-list": (lambda r: "/registry/communities/", READERS),
    "community-detail": (lambda r: f"/registry/communities/{r.community_id}/", READERS),
}
# Pages about one object: another municipality's object is a 404 for everyone.
OBJECT_PAGES = [
    "resident-detail",
    "resident-edit",
    "vulnerability-edit",
    "household-detail",
    "household-edit",
    "household-options",
    "community-detail",
]


@pytest.fixture
def town(db):
    muni = MunicipalityFactory()
    resident = ResidentFactory(municipality=muni)
    VulnerabilityFactory(resident=resident, barthel_score=3, assessed_on="2025-01-10")
    return muni, resident


def _client_for(client, muni, role, resident):
    communities = [resident.community] if role == Role.VOLUNTEER else []
    client.force_login(member(muni, role, communities=communities))
    return client


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize("page", list(PAGES))
def test_role_page_matrix(client, town, role, page):
    muni, resident = town
    url_for, allowed = PAGES[page]
    response = _client_for(client, muni, role, resident).get(url_for(resident))
    assert response.status_code == (200 if role in allowed else 404)


@pytest.mark.parametrize("role", ALL_ROLES)
def test_every_role_has_a_home_page(client, town, role):
    muni, resident = town
    response = _client_for(client, muni, role, resident).get("/")
    assert response.status_code == 200
    assert f"core/home/{role}.html" in [t.name for t in response.templates]


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize("page", OBJECT_PAGES)
def test_another_municipalitys_resident_is_404_for_every_role(client, town, role, page):
    muni, resident = town
    elsewhere = ResidentFactory(municipality=MunicipalityFactory())
    url_for, _allowed = PAGES[page]
    response = _client_for(client, muni, role, resident).get(url_for(elsewhere))
    assert response.status_code == 404


@pytest.mark.parametrize("role", ALL_ROLES)
def test_another_municipalitys_resident_is_not_found_by_search(client, town, role):
    muni, resident = town
    elsewhere = ResidentFactory(municipality=MunicipalityFactory(), first_name="ต่างเมือง")
    response = _client_for(client, muni, role, resident).get("/registry/", {"q": "ต่างเมือง"})
    if role in READERS:
        assert response.status_code == 200
        assert response.context["page"].paginator.count == 0
        assert elsewhere.national_id not in response.content.decode()
    else:
        assert response.status_code == 404


@pytest.mark.parametrize(
    "page", ["resident-detail", "vulnerability-edit", "household-detail", "community-detail"]
)
def test_volunteer_is_404_outside_their_communities(client, town, page):
    muni, resident = town
    other = ResidentFactory(municipality=muni)  # same town, another community
    client.force_login(member(muni, Role.VOLUNTEER, communities=[resident.community]))
    url_for, _allowed = PAGES[page]
    assert client.get(url_for(resident)).status_code == 200
    assert client.get(url_for(other)).status_code == 404


def test_anonymous_is_sent_to_login(client, town):
    _muni, resident = town
    for page, (url_for, _allowed) in PAGES.items():
        response = client.get(url_for(resident))
        assert response.status_code == 302, page
        assert response.headers["Location"].startswith("/login/?next=")
