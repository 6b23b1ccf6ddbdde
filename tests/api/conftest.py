"""A small town and a neighbour, one user per role, and clients that call the API with a token."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from tests.factories import (
    CommunityFactory,
    HouseholdFactory,
    MunicipalityFactory,
    ResidentFactory,
    VulnerabilityFactory,
    member,
)
from thukkhon.core.actor import actor_for
from thukkhon.core.api_auth import api_token_issue
from thukkhon.core.models import Municipality, User
from thukkhon.core.roles import Role
from thukkhon.people.models import Community, Household, Resident

ROLES = [r.value for r in Role]


class ApiClient:
    """JSON calls to /api/v1/ with ``Authorization: Bearer <token>``."""

    def __init__(self, raw_token: str | None, language: str | None = None) -> None:
        self.client = Client()
        self.headers: dict[str, str] = {}
        if raw_token:
            self.headers["Authorization"] = f"Bearer {raw_token}"
        if language:
            self.headers["Accept-Language"] = language

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(f"/api/v1{path}", params, headers=self.headers)

    def post(self, path: str, body: Any) -> Any:
        return self.client.post(f"/api/v1{path}", body, content_type="application/json", headers=self.headers)

    def patch(self, path: str, body: Any) -> Any:
        return self.client.patch(
            f"/api/v1{path}", body, content_type="application/json", headers=self.headers
        )


def token_for(user: User, municipality: Municipality) -> str:
    actor = actor_for(user, municipality.pk)
    assert actor is not None
    _token, raw = api_token_issue(actor=actor, name="test")
    return raw


@dataclass
class Town:
    muni: Municipality
    c1: Community
    c2: Community
    h1: Household
    h2: Household
    r1: Resident  # in c1, household h1, with a vulnerability profile
    r2: Resident  # in c2, household h2
    users: dict[str, User]
    other: Municipality
    cx: Community
    hx: Household
    rx: Resident
    other_admin: User

    def api(self, role: str, language: str | None = None) -> ApiClient:
        return ApiClient(token_for(self.users[role], self.muni), language)

    def other_api(self) -> ApiClient:
        return ApiClient(token_for(self.other_admin, self.other))


@pytest.fixture
def town(db: Any) -> Town:
    muni = MunicipalityFactory(code="lamphun", name_th="เทศบาลเมืองลำพูน", name_en="Lamphun Town")
    c1 = CommunityFactory(municipality=muni, code="01", name_th="ชุมชนประตูลี้", name_en="Pratu Li")
    c2 = CommunityFactory(municipality=muni, code="02", name_th="ชุมชนรมณีย์", name_en="Rommanee")
    h1 = HouseholdFactory(municipality=muni, community=c1, registration_no="51010000011", house_no="12")
    h2 = HouseholdFactory(municipality=muni, community=c2, registration_no="51010000022", house_no="34/5")
    r1 = ResidentFactory(
        municipality=muni,
        community=c1,
        household=h1,
        national_id="1101700207030",
        first_name="สมชาย",
        last_name="ใจดี",
        phone="0812345678",
    )
    r2 = ResidentFactory(
        municipality=muni,
        community=c2,
        household=h2,
        national_id="3510100123457",
        title="นาง",
        sex="female",
        first_name="บัวคำ",
        last_name="ศรีวงศ์",
        birth_date="1948-02-01",
    )
    VulnerabilityFactory(resident=r1, barthel_score=3, welfare_card=True, disability_type="physical")
    users = {
        role: member(muni, role, username=role, communities=[c1] if role == Role.VOLUNTEER else [])
        for role in ROLES
    }
    other = MunicipalityFactory(code="other", name_th="เทศบาลตำบลอื่น", name_en="Other")
    cx = CommunityFactory(municipality=other, code="01", name_th="ชุมชนอื่น")
    hx = HouseholdFactory(municipality=other, community=cx, registration_no="51010000099")
    rx = ResidentFactory(municipality=other, community=cx, household=hx, first_name="คนอื่น")
    other_admin = member(other, Role.ADMIN, username="other-admin")
    return Town(muni, c1, c2, h1, h2, r1, r2, users, other, cx, hx, rx, other_admin)


def th(message: str) -> str:
    """``message`` as a Thai caller receives it (Thai is the default language)."""
    from django.utils import translation

    with translation.override("th"):
        return translation.gettext(message)
