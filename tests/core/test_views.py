"""The page frame and the home pages: login, language switch, navigation by role, honest empty states."""

from __future__ import annotations

from datetime import date

import pytest

from tests.factories import PASSWORD, MunicipalityFactory, ResidentFactory, VulnerabilityFactory, member


@pytest.fixture
def muni(db):
    return MunicipalityFactory(name_th="เทศบาลเมืองลำพูน")


def test_login_page_is_thai_and_logs_in(client, muni):
    user = member(muni, "welfare", username="somsri")
    page = client.get("/login/")
    assert page.status_code == 200
    assert 'lang="th"' in page.content.decode()
    response = client.post("/login/", {"username": "somsri", "password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert int(client.session["_auth_user_id"]) == user.pk


def test_frame_has_landmarks_skip_link_csrf_header_and_vendored_assets(client, muni):
    client.force_login(member(muni, "welfare"))
    body = client.get("/").content.decode()
    for piece in (
        'href="#main"',
        '<main id="main"',
        "<header",
        'aria-label="เมนูหลัก"' if "เมนูหลัก" in body else 'aria-label="Main"',
        'hx-headers=\'{"X-CSRFToken": "',
        "/static/vendor/htmx-2.0.11/htmx.min.js",
        "/static/vendor/sarabun-5.3.0/sarabun.css",
        'action="/i18n/setlang/"',
        'action="/logout/"',
        "เทศบาลเมืองลำพูน",
    ):
        assert piece in body, piece


def test_logout_is_a_post(client, muni):
    client.force_login(member(muni, "welfare"))
    response = client.post("/logout/")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_language_switch_to_english(client, muni):
    client.force_login(member(muni, "welfare"))
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    response = client.get("/")
    assert response.headers["Content-Language"] == "en"
    assert "Find a resident" in response.content.decode()


def test_navigation_follows_the_role(client, muni):
    client.force_login(member(muni, "welfare"))
    body = client.get("/").content.decode()
    assert 'href="/registry/"' in body and 'href="/registry/communities/"' in body
    client.force_login(member(muni, "driver"))
    body = client.get("/").content.decode()
    assert 'href="/registry/"' not in body


def test_executive_home_shows_registry_headline_counts(client, muni):
    old = ResidentFactory(municipality=muni, birth_date=date(1940, 1, 1))
    VulnerabilityFactory(resident=old, barthel_score=2, assessed_on=date(2025, 1, 1), welfare_card=True)
    ResidentFactory(municipality=muni, community=old.community, birth_date=date(1999, 1, 1))
    client.force_login(member(muni, "executive"))
    response = client.get("/")
    body = response.content.decode()
    assert response.status_code == 200
    # residents 2, households 2, elderly 1, disabled 0, bed-bound 1, welfare card 1
    values = [chunk.split("</span>")[0] for chunk in body.split('<span class="stat-value">')[1:]]
    assert values == ["2", "2", "1", "0", "1", "1"]


def test_welfare_home_with_an_empty_registry_says_so(client, muni):
    client.force_login(member(muni, "welfare"))
    body = client.get("/").content.decode()
    assert 'class="stat-value"' not in body
    assert 'class="empty"' in body


@pytest.mark.parametrize(
    ("role", "service", "url"),
    [
        ("driver", "manifest", "/rides/manifest/"),
        ("teacher", "childhood", "/childhood/"),
        ("parent", "portfolio", "/childhood/"),
        ("resident", "rides", "/rides/"),
        ("dispatcher", "plans", "/rides/plans/"),
    ],
)
def test_services_that_exist_are_cards_that_link_to_them(client, muni, role, service, url):
    client.force_login(member(muni, role))
    body = client.get("/").content.decode()
    assert f'id="svc-{service}"' in body and f'href="{url}"' in body
    assert 'id="soon-' not in body
    assert 'class="stat-value"' not in body


def test_a_service_not_built_is_an_honest_coming_soon_card(client, muni):
    client.force_login(member(muni, "executive"))
    body = client.get("/").content.decode()
    assert 'id="soon-equity"' in body


def test_a_person_with_two_roles_can_switch_home(client, muni):
    user = member(muni, "teacher")
    from thukkhon.core.models import Membership

    Membership.objects.create(user=user, municipality=muni, role="volunteer")
    client.force_login(user)
    assert client.get("/").templates[0].name == "core/home/volunteer.html"
    assert client.get("/", {"role": "teacher"}).templates[0].name == "core/home/teacher.html"
    assert client.get("/", {"role": "admin"}).templates[0].name == "core/home/volunteer.html"


def test_user_without_a_role_sees_an_explanation(client, db):
    from tests.factories import UserFactory

    client.force_login(UserFactory())
    response = client.get("/")
    assert response.status_code == 200
    assert response.templates[0].name == "core/home/no_role.html"


def test_admin_lists_every_registered_model_with_search_and_filters(client, muni):
    from django.contrib import admin

    from thukkhon.core.models import AccessLog, ApiToken, Job, Notification

    resident = ResidentFactory(municipality=muni)
    VulnerabilityFactory(resident=resident, barthel_score=10, assessed_on=date(2025, 1, 1))
    user = member(muni, "admin")
    user.is_staff = user.is_superuser = True
    user.save()
    client.force_login(user)
    for model, model_admin in admin.site._registry.items():
        meta = model._meta
        base = f"/django-admin/{meta.app_label}/{meta.model_name}/"
        assert client.get(base).status_code == 200, base
        if model_admin.search_fields:
            assert client.get(base, {"q": "ก"}).status_code == 200, base
    assert client.get(f"/django-admin/core/user/{user.pk}/change/").status_code == 200
    assert client.get(f"/django-admin/people/resident/{resident.pk}/change/").status_code == 200
    for model in (AccessLog, Job, ApiToken, Notification):
        assert not admin.site._registry[model].has_add_permission(type("R", (), {"user": user})())


def test_a_missing_page_is_a_thai_page_with_the_menu(client, muni):
    client.force_login(member(muni, "teacher"))
    response = client.get("/childhood/classrooms/999999/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "ไม่พบหน้านี้" in body and 'class="mainnav"' in body and 'href="/"' in body
