import hashlib
from datetime import date

import pytest
from django.db import transaction

from thukkhon.core.models import Membership
from thukkhon.demo.town import DEMO_ACCOUNTS, DEMO_PASSWORD, build_demo, demo_exists
from thukkhon.people.models import (
    Community,
    CommunityScope,
    Household,
    IdKind,
    Place,
    PlaceKind,
    Resident,
    ResidentStatus,
)

AS_OF = date(2025, 6, 1)


def _thai_id_ok(value: str) -> bool:
    """The check digit as DOMAIN.md states it, written independently of the generator."""
    if len(value) != 13 or not value.isdigit():
        return False
    total = sum(int(value[i - 1]) * (14 - i) for i in range(1, 13))
    return (11 - total % 11) % 10 == int(value[12])


def _digest() -> str:
    h = hashlib.sha256()
    for row in Household.objects.order_by("registration_no").values_list(
        "registration_no", "community__code", "house_no", "road", "latitude", "longitude"
    ):
        h.update(repr(row).encode())
    for person in Resident.objects.order_by("household__registration_no", "id").values_list(
        "title", "first_name", "last_name", "national_id", "birth_date", "relation_to_owner", "status"
    ):
        h.update(repr(person).encode())
    return h.hexdigest()


def _build_and_digest(seed: int) -> str:
    with transaction.atomic():
        build_demo(seed=seed, scale=0.02, as_of=AS_OF)
        digest = _digest()
        transaction.set_rollback(True)
    return digest


def test_thai_id_formula_example():
    assert _thai_id_ok("1112034563562")
    assert not _thai_id_ok("1112034563561")


@pytest.mark.django_db
def test_same_seed_same_town_and_another_seed_another_town():
    first = _build_and_digest(2566)
    assert not demo_exists()
    assert _build_and_digest(2566) == first
    assert _build_and_digest(7) != first


@pytest.mark.django_db
def test_demo_exists_flips_and_the_town_has_its_parts():
    messages: list[str] = []
    assert not demo_exists()
    town = build_demo(scale=0.02, progress=messages.append, as_of=AS_OF)
    assert demo_exists()
    assert town.name_th == "เทศบาลเมืองลำพูน"
    assert Community.objects.filter(municipality=town).count() == 17
    assert "ชุมชน 17" in messages
    assert any(m.startswith("ครัวเรือน") for m in messages)
    kinds = set(Place.objects.filter(municipality=town).values_list("kind", flat=True))
    assert {PlaceKind.HOSPITAL, PlaceKind.CREMATORIUM, PlaceKind.SCHOOL, PlaceKind.TEMPLE} <= kinds
    assert Place.objects.filter(kind=PlaceKind.SCHOOL).count() == 4
    assert Household.objects.filter(community__isnull=True).count() == 0
    # every household and place inside the town
    for model in (Household, Place, Community):
        for lat, lon in model.objects.values_list("latitude", "longitude"):
            assert lat is not None and lon is not None
            assert 18.56 <= float(lat) <= 18.60 and 98.99 <= float(lon) <= 99.03
    with pytest.raises(ValueError):
        build_demo(scale=0.02)


@pytest.mark.django_db
def test_every_account_has_its_role_and_can_sign_in(client):
    town = build_demo(scale=0.02, as_of=AS_OF)
    for username, _label in DEMO_ACCOUNTS:
        membership = Membership.objects.get(user__username=username, municipality=town)
        assert membership.role == username
        response = client.post("/login/", {"username": username, "password": DEMO_PASSWORD})
        assert response.status_code == 302, username
        assert client.session["_auth_user_id"]
        client.logout()
    volunteer = Membership.objects.get(user__username="volunteer")
    assert CommunityScope.objects.filter(membership=volunteer).count() == 2


@pytest.mark.django_db
def test_identity_numbers_and_population_shape():
    build_demo(scale=0.2, as_of=AS_OF)
    residents = list(Resident.objects.all())
    thai = [r for r in residents if r.id_kind == IdKind.THAI]
    assert len(thai) > 0.9 * len(residents)
    assert all(_thai_id_ok(r.national_id) for r in thai)
    assert any(r.id_kind != IdKind.THAI for r in residents)
    alive = [r for r in residents if r.status == ResidentStatus.ALIVE]
    ages = [r.age_on(AS_OF) for r in alive]
    assert all(a is not None for a in ages)
    elderly = sum(1 for a in ages if a is not None and a >= 60) / len(alive)
    assert 0.27 <= elderly <= 0.33
    toddlers = sum(1 for a in ages if a is not None and a <= 6) / len(alive)
    assert 0.02 <= toddlers <= 0.06
    for r in alive:
        age = r.age_on(AS_OF)
        assert age is not None
        if age < 15:
            assert r.title in ("ด.ช.", "ด.ญ.")
        else:
            assert r.title in ("นาย", "นาง", "นางสาว")
    assert any(r.status == ResidentStatus.DECEASED and r.status_date for r in residents)
