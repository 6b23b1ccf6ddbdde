"""The JSON API under /api/v1/ (django-ninja). Each app adds its router here.

* Authentication: an API token (``Authorization: Bearer …``) or the browser session with CSRF
  (:mod:`thukkhon.core.api_auth`); anything else is 401.
* Errors are JSON in the caller's language (``Accept-Language``; Thai by default):
  ``{"detail": "…"}`` for 401/403/404 and ``{"detail": [{"loc": [...], "msg": "…"}]}`` for 422.
* OpenAPI at ``openapi.json``; Swagger UI at ``docs`` with its assets served from the installed
  django-ninja package (never from a CDN).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import ninja
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.template import RequestContext, Template
from django.urls import URLPattern, URLResolver, path, reverse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.openapi.docs import DocsBase

from thukkhon.core.api_auth import SessionAuth, TokenAuth
from thukkhon.funerals.api import router as funerals_router
from thukkhon.people.api import router as people_router
from thukkhon.rides.api import router as rides_router

# --- Documentation page without a CDN ----------------------------------------------------------------

NINJA_STATIC = Path(ninja.__file__).parent / "static" / "ninja"
DOCS_ASSETS = {
    "swagger-ui.css": "text/css",
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui-init.js": "text/javascript",
    "favicon.png": "image/png",
}
DOCS_PAGE = Template(
    """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{{ title }}</title>
<link rel="stylesheet" href="{{ assets }}swagger-ui.css">
<link rel="icon" href="{{ assets }}favicon.png">
</head>
<body data-csrf-token="{{ csrf_token }}" data-api-csrf="true">
<script type="application/json" id="swagger-settings">{{ settings|safe }}</script>
<div id="swagger-ui"></div>
<script src="{{ assets }}swagger-ui-bundle.js"></script>
<script src="{{ assets }}swagger-ui-init.js"></script>
</body>
</html>
"""
)


class LocalSwagger(DocsBase):
    """Swagger UI from the assets vendored inside django-ninja, served by this API itself."""

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        import json

        settings = {"url": self.get_openapi_url(api, kwargs), "layout": "BaseLayout", "deepLinking": True}
        assets = reverse(f"{api.urls_namespace}:docs-asset", kwargs={"name": "x"})[:-1]
        context = RequestContext(
            request, {"title": api.title, "assets": assets, "settings": json.dumps(settings)}
        )
        return HttpResponse(DOCS_PAGE.render(context))


def docs_asset(request: HttpRequest, name: str) -> FileResponse:
    if name not in DOCS_ASSETS:
        raise Http404
    response = FileResponse((NINJA_STATIC / name).open("rb"), content_type=DOCS_ASSETS[name])
    response["Cache-Control"] = "public, max-age=86400"
    return response


class ThukKhonAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation: Any) -> str:
        """Stable, readable operation ids: the view's name (``resident_list``)."""
        return str(operation.view_func.__name__)

    def _get_urls(self) -> list[URLResolver | URLPattern]:
        urls = super()._get_urls()
        urls.insert(0, path("docs/assets/<str:name>", docs_asset, name="docs-asset"))
        return urls


api = ThukKhonAPI(
    title="ThukKhon API",
    version="1",
    description=(
        "A municipality's registry (communities, households, residents), People Assistance Vehicle "
        "rides and funeral assistance. "
        "Authenticate with `Authorization: Bearer <token>` (issue one with "
        "`thukkhon manage issue_api_token USERNAME --name NAME`) or the signed-in browser session. "
        "Dates are ISO 8601 in the Common Era. Messages follow `Accept-Language` (Thai by default)."
    ),
    urls_namespace="api-v1",
    auth=[TokenAuth(), SessionAuth()],
    docs=LocalSwagger(),
    docs_url="/docs",
)

api.add_router("/", people_router)
api.add_router("/rides/", rides_router)
api.add_router("/funerals/", funerals_router)


# --- Errors ------------------------------------------------------------------------------------------


def _detail(request: HttpRequest, message: str, status: int) -> HttpResponse:
    return api.create_response(request, {"detail": message}, status=status)


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = _detail(request, _("Sign in, or send a valid API token."), 401)
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return _detail(request, str(exc), exc.status_code)


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _detail(request, _("Not found."), 404)


@api.exception_handler(PermissionDenied)
def on_permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return _detail(request, str(exc) or _("You may not do this."), 403)


@api.exception_handler(DjangoValidationError)
def on_invalid(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    """A service refused the input: one entry per message, located at the body field."""
    if hasattr(exc, "error_dict"):
        items = [
            {"loc": ["body", name], "msg": str(message)}
            for name, messages in exc.message_dict.items()
            for message in messages
        ]
    else:
        items = [{"loc": ["body"], "msg": str(message)} for message in exc.messages]
    return api.create_response(request, {"detail": items}, status=422)


def _schema_message(error: dict[str, Any]) -> str:
    """A pydantic error in the caller's language."""
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return _("This field is required.")
    if kind in ("string_too_long", "too_long"):
        return _("Ensure this value has at most %(limit)s characters.") % {"limit": ctx.get("max_length", "")}
    if kind == "literal_error" or kind == "enum":
        return _("Choose one of: %(choices)s.") % {"choices": ctx.get("expected", "")}
    if kind in ("int_parsing", "int_from_float", "int_type"):
        return _("Enter a whole number.")
    if kind in (
        "decimal_parsing",
        "decimal_type",
        "float_parsing",
        "decimal_max_digits",
        "decimal_max_places",
    ):
        return _("Enter a number.")
    if kind.startswith("date") or kind.startswith("datetime"):
        return _("Enter a date as YYYY-MM-DD (Common Era).")
    if kind in ("bool_parsing", "bool_type"):
        return _("Enter true or false.")
    if kind in ("string_type",):
        return _("Enter text.")
    if kind == "less_than_equal":
        return _("Ensure this value is less than or equal to %(limit_value)s.") % {
            "limit_value": ctx.get("le")
        }
    if kind == "greater_than_equal":
        return _("Ensure this value is greater than or equal to %(limit_value)s.") % {
            "limit_value": ctx.get("ge")
        }
    if kind == "json_invalid":
        return _("The request body is not valid JSON.")
    return str(error.get("msg", _("Enter a valid value.")))


def _location(error: dict[str, Any]) -> list[str | int]:
    """``["body", "payload", "first_name"]`` → ``["body", "first_name"]``: keyed by field, as the
    services' errors are. The view's parameter name and pydantic's union branches
    (``literal['alive', …]``) mean nothing to a caller."""
    loc = list(error.get("loc", []))
    if len(loc) >= 3 and loc[0] in ("body", "query") and loc[1] in ("payload", "filters"):
        del loc[1]
    return [part for part in loc if isinstance(part, int) or str(part).isidentifier()]


@api.exception_handler(NinjaValidationError)
def on_schema_invalid(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    items = [{"loc": _location(error), "msg": _schema_message(error)} for error in exc.errors]
    return api.create_response(request, {"detail": items}, status=422)
