"""Every role × every endpoint: allowed, 404 (may not read) or 403 (may read but not write).

Readers of the registry (core/roles.py): admin, executive, welfare, dispatcher, funeral (all of the
town) and volunteer (their own communities). Writers: admin and welfare.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.api.conftest import ROLES, ApiClient, Town, th

READERS = {"admin", "executive", "welfare", "dispatcher", "funeral", "volunteer"}
WRITERS = {"admin", "welfare"}


def _read(ok: int = 200) -> dict[str, int]:
    return {role: ok if role in READERS else 404 for role in ROLES}


def _create() -> dict[str, int]:
    return {role: 201 if role in WRITERS else 403 for role in ROLES}


def _update() -> dict[str, int]:
    return {role: 200 if role in WRITERS else 403 if role in READERS else 404 for role in ROLES}


Call = Callable[[ApiClient, Town], Any]

ENDPOINTS: dict[str, tuple[Call, dict[str, int]]] = {
    "GET /communities": (lambda c, t: c.get("/communities"), _read()),
    "GET /communities/{c1}": (lambda c, t: c.get(f"/communities/{t.c1.pk}"), _read()),
    "POST /communities": (
        lambda c, t: c.post("/communities", {"code": "09", "name_th": "ชุมชนใหม่"}),
        _create(),
    ),
    "GET /households": (lambda c, t: c.get("/households"), _read()),
    "GET /households/{h1}": (lambda c, t: c.get(f"/households/{t.h1.pk}"), _read()),
    "POST /households": (
        lambda c, t: c.post(
            "/households",
            {
                "community": t.c1.pk,
                "house_no": "99",
                "tambon": "ในเมือง",
                "amphoe": "เมืองลำพูน",
                "changwat": "ลำพูน",
                "postcode": "51000",
            },
        ),
        _create(),
    ),
    "PATCH /households/{h1}": (
        lambda c, t: c.patch(f"/households/{t.h1.pk}", {"access_notes": "บ้านหลังวัด"}),
        _update(),
    ),
    "GET /residents": (lambda c, t: c.get("/residents"), _read()),
    "GET /residents/{r1}": (lambda c, t: c.get(f"/residents/{t.r1.pk}"), _read()),
    "POST /residents": (
        lambda c, t: c.post("/residents", {"community": t.c1.pk, "first_name": "ใหม่", "id_kind": "none"}),
        _create(),
    ),
    "PATCH /residents/{r1}": (
        lambda c, t: c.patch(f"/residents/{t.r1.pk}", {"nickname": "ชาย"}),
        _update(),
    ),
    "GET /residents/{r1}/vulnerability": (
        lambda c, t: c.get(f"/residents/{t.r1.pk}/vulnerability"),
        _read(),
    ),
}

CASES = [(name, role, expected[role]) for name, (_call, expected) in ENDPOINTS.items() for role in ROLES]


@pytest.mark.parametrize(("endpoint", "role", "status"), CASES, ids=[f"{e}-{r}" for e, r, _s in CASES])
def test_role_endpoint(town: Town, endpoint: str, role: str, status: int) -> None:
    call, _expected = ENDPOINTS[endpoint]
    response = call(town.api(role), town)
    assert response.status_code == status, response.content
    body = response.json()
    if status == 404:
        assert body == {"detail": th("Not found.")}
    if status == 403:
        assert body == {"detail": th("You may not change the registry.")}


# The volunteer (scoped to c1) sees nothing of c2 — and an outsider nothing of the town.
SCOPED: dict[str, Call] = {
    "GET /communities/{c2}": lambda c, t: c.get(f"/communities/{t.c2.pk}"),
    "GET /households/{h2}": lambda c, t: c.get(f"/households/{t.h2.pk}"),
    "GET /residents/{r2}": lambda c, t: c.get(f"/residents/{t.r2.pk}"),
    "GET /residents/{r2}/vulnerability": lambda c, t: c.get(f"/residents/{t.r2.pk}/vulnerability"),
    "PATCH /residents/{r2}": lambda c, t: c.patch(f"/residents/{t.r2.pk}", {"nickname": "x"}),
    "PATCH /households/{h2}": lambda c, t: c.patch(f"/households/{t.h2.pk}", {"house_no": "1"}),
}


@pytest.mark.parametrize("endpoint", list(SCOPED))
def test_volunteer_outside_their_community_is_404(town: Town, endpoint: str) -> None:
    response = SCOPED[endpoint](town.api("volunteer"), town)
    assert response.status_code == 404


def test_volunteer_lists_only_their_community(town: Town) -> None:
    api = town.api("volunteer")
    assert [c["id"] for c in api.get("/communities").json()["items"]] == [town.c1.pk]
    assert [h["id"] for h in api.get("/households").json()["items"]] == [town.h1.pk]
    assert [r["id"] for r in api.get("/residents").json()["items"]] == [town.r1.pk]
    assert api.get("/residents", community=town.c2.pk).json() == {"items": [], "count": 0}


def test_volunteer_without_communities_sees_nothing(town: Town) -> None:
    from thukkhon.people.models import CommunityScope

    CommunityScope.objects.all().delete()
    api = town.api("volunteer")
    assert api.get("/residents").json() == {"items": [], "count": 0}
    assert api.get(f"/residents/{town.r1.pk}").status_code == 404
