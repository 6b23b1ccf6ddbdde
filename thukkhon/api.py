"""The JSON API under /api/v1/ (django-ninja). Each app adds its router here."""

from __future__ import annotations

from ninja import NinjaAPI

api = NinjaAPI(title="ThukKhon API", version="1", urls_namespace="api-v1")
