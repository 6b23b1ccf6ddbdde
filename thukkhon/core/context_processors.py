from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def actor(request: HttpRequest) -> dict[str, Any]:
    current = getattr(request, "actor", None)
    return {
        "actor": current if current else None,
        "MAP_TILE_URL": settings.MAP_TILE_URL,
        "MAP_TILE_ATTRIBUTION": settings.MAP_TILE_ATTRIBUTION,
    }
