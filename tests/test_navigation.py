"""Every role's menu and home page link only to pages that role may open: each link answers 200."""

from __future__ import annotations

import re

import pytest

from tests.factories import MunicipalityFactory, ResidentFactory, VulnerabilityFactory, member
from thukkhon.core.roles import Role

NAV = re.compile(r'<nav class="mainnav".*?</nav>', re.S)
MAIN = re.compile(r"<main\b.*?</main>", re.S)
HREF = re.compile(r'<a\b[^>]*\bhref="([^"#]+)"')

# What each role must find in its menu (DESIGN.md's role table and the services that exist).
EXPECTED = {
    Role.ADMIN: [
        "/registry/",
        "/rides/",
        "/rides/plans/",
        "/fleet/",
        "/funerals/",
        "/childhood/",
        "/registry/import/",
        "/reports/",
        "/django-admin/",
    ],
    Role.EXECUTIVE: ["/registry/", "/reports/"],
    Role.WELFARE: ["/registry/", "/rides/", "/funerals/", "/registry/import/", "/reports/"],
    Role.DISPATCHER: ["/rides/", "/rides/plans/", "/fleet/", "/reports/"],
    Role.DRIVER: ["/rides/manifest/"],
    Role.VOLUNTEER: ["/registry/", "/rides/community/", "/rides/new/"],
    Role.TEACHER: ["/childhood/"],
    Role.PARENT: ["/childhood/"],
    Role.FUNERAL: ["/funerals/", "/reports/"],
    Role.RESIDENT: ["/rides/", "/funerals/new/"],
}


@pytest.fixture
def town(db):
    muni = MunicipalityFactory()
    resident = ResidentFactory(municipality=muni)
    VulnerabilityFactory(resident=resident, barthel_score=3, assessed_on="2025-01-10")
    return muni, resident


def _login(client, muni, role, resident):
    user = member(muni, role, communities=[resident.community] if role == Role.VOLUNTEER else [])
    if role == Role.ADMIN:
        user.is_staff = user.is_superuser = True
        user.save()
    client.force_login(user)
    return user


def _links(html: str, block: re.Pattern[str]) -> list[str]:
    found = block.search(html)
    assert found is not None
    return [h.replace("&amp;", "&") for h in HREF.findall(found.group(0)) if h.startswith("/")]


@pytest.mark.parametrize("role", list(Role.values))
def test_every_menu_link_opens_for_the_role(client, town, role):
    muni, resident = town
    _login(client, muni, role, resident)
    menu = _links(client.get("/").content.decode(), NAV)
    assert menu[0] == "/"
    for url in EXPECTED[Role(role)]:
        assert url in menu, url
    for url in menu:
        assert client.get(url).status_code == 200, url
        # The same menu on every page it leads to.
        page = client.get(url).content.decode()
        if 'class="mainnav"' in page:
            assert _links(page, NAV) == menu, url


@pytest.mark.parametrize("role", list(Role.values))
def test_every_home_page_link_opens_for_the_role(client, town, role):
    muni, resident = town
    _login(client, muni, role, resident)
    body = client.get("/").content.decode()
    if role != Role.EXECUTIVE:  # the cross-service equity dashboards are not built yet
        assert 'id="soon-' not in body
    for url in set(_links(body, MAIN)):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("role", list(Role.values))
def test_one_menu_entry_is_current(client, town, role):
    muni, resident = town
    _login(client, muni, role, resident)
    body = client.get("/").content.decode()
    nav = NAV.search(body)
    assert nav is not None and nav.group(0).count('aria-current="page"') == 1


def test_reports_page_is_for_report_readers_only(client, town):
    muni, resident = town
    _login(client, muni, Role.DRIVER, resident)
    assert client.get("/reports/").status_code == 404
    _login(client, muni, Role.EXECUTIVE, resident)
    body = client.get("/reports/").content.decode()
    for url in ("/rides/reports/", "/funerals/reports/", "/childhood/equity/", "/registry/communities/"):
        assert f'href="{url}"' in body


def test_report_pages_mark_reports_current(client, town):
    muni, resident = town
    _login(client, muni, Role.DISPATCHER, resident)
    body = client.get("/rides/reports/").content.decode()
    nav = NAV.search(body)
    assert nav is not None
    assert re.search(r'href="/reports/" aria-current="page"', nav.group(0))


def test_credits_page_gives_the_attributions(client, db):
    body = client.get("/about/").content.decode()
    assert "https://creativecommons.org/licenses/by/4.0/" in body
    assert "GeoThai" in body and "Pongsakorn Thipayanate" in body
    for licence in (
        "htmx-2.0.11/LICENSE",
        "sarabun-5.3.0/LICENSE",
        "leaflet-1.9.4/LICENSE",
        "chartjs-4.6.1/LICENSE.md",
    ):
        assert licence in body
    assert 'href="/about/"' in client.get("/login/").content.decode()
