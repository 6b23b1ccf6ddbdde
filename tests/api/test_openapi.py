"""The OpenAPI schema is a contract: it must equal the reviewed snapshot in tests/api/openapi.json.

After an intended change, regenerate the snapshot and review its diff::

    THUKKHON_UPDATE_SNAPSHOTS=1 uv run pytest tests/api/test_openapi.py
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from django.test import Client

SNAPSHOT = Path(__file__).with_name("openapi.json")


def _dump(schema: object) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


@pytest.mark.django_db
def test_openapi_schema_matches_snapshot() -> None:
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    current = _dump(response.json())
    if os.environ.get("THUKKHON_UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.write_text(current, encoding="utf-8")
    assert SNAPSHOT.exists(), "no snapshot: run with THUKKHON_UPDATE_SNAPSHOTS=1 and review it"
    assert current == SNAPSHOT.read_text(encoding="utf-8"), (
        "The API changed. If intended: THUKKHON_UPDATE_SNAPSHOTS=1 uv run pytest tests/api/test_openapi.py"
    )


@pytest.mark.django_db
def test_openapi_lists_the_registry_endpoints() -> None:
    schema = Client().get("/api/v1/openapi.json").json()
    methods = {
        f"{method.upper()} {path}"
        for path, ops in schema["paths"].items()
        for method in ops
        if not path.startswith(
            ("/api/v1/rides/", "/api/v1/funerals/")
        )  # tests/rides, tests/api/test_funerals.py
    }
    assert methods == {
        "GET /api/v1/communities",
        "POST /api/v1/communities",
        "GET /api/v1/communities/{community_id}",
        "GET /api/v1/households",
        "POST /api/v1/households",
        "GET /api/v1/households/{household_id}",
        "PATCH /api/v1/households/{household_id}",
        "GET /api/v1/residents",
        "POST /api/v1/residents",
        "GET /api/v1/residents/{resident_id}",
        "PATCH /api/v1/residents/{resident_id}",
        "GET /api/v1/residents/{resident_id}/vulnerability",
    }
    assert set(schema["components"]["securitySchemes"]) == {"TokenAuth", "SessionAuth"}
    assert schema["components"]["securitySchemes"]["TokenAuth"]["scheme"] == "bearer"


@pytest.mark.django_db
def test_docs_page_uses_no_cdn() -> None:
    client = Client()
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.content.decode()
    assert "cdn" not in html.lower()
    assert "https://" not in html and "http://" not in html
    for asset in ("swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-init.js"):
        assert f'"/api/v1/docs/assets/{asset}"' in html
        served = client.get(f"/api/v1/docs/assets/{asset}")
        assert served.status_code == 200
        assert b"".join(served.streaming_content)
    assert client.get("/api/v1/docs/assets/settings.py").status_code == 404
