"""Authentication of the JSON API and the tokens integrations use.

Two ways in, both ending in an :class:`~thukkhon.core.actor.Actor` (``request.auth``):

* ``Authorization: Bearer <token>`` for integrations. A token belongs to one user in one
  municipality; only its SHA-256 digest is stored, the raw token is shown once when issued.
* the browser session (with Django's CSRF check on unsafe methods), so the UI's htmx can call the API.

Anything else is 401.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Schema
from ninja.errors import HttpError
from ninja.pagination import LimitOffsetPagination
from ninja.security import HttpBearer
from ninja.security.apikey import APIKeyCookie
from ninja.utils import check_csrf

from thukkhon.core.actor import Actor, actor_for, actor_from_request
from thukkhon.core.models import ApiToken
from thukkhon.core.roles import Role

TOKEN_PREFIX = "tk_"
LAST_USED_RESOLUTION = timedelta(minutes=1)
NAME_MAX_LENGTH = 100


def token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


# --- Services ---------------------------------------------------------------------------------------


def api_token_issue(*, actor: Actor, name: str) -> tuple[ApiToken, str]:
    """A new token acting as ``actor.user`` in ``actor.municipality``. The raw token is returned
    only here: store it at once, it cannot be shown again."""
    clean = name.strip()
    if not clean:
        raise ValidationError({"name": [_("Give the token a name.")]})
    if len(clean) > NAME_MAX_LENGTH:
        raise ValidationError({"name": [_("The name is too long.")]})
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=actor.user,
        municipality=actor.municipality,
        name=clean,
        digest=token_digest(raw),
        prefix=raw[:8],
    )
    return token, raw


def api_token_revoke(*, actor: Actor, token: ApiToken) -> ApiToken:
    """Revoke a token: its owner or an administrator of its municipality may. Idempotent."""
    own = token.user_id == actor.user.pk
    admin = actor.has_role(Role.ADMIN) and token.municipality_id == actor.municipality.pk
    if not (own or admin):
        raise PermissionDenied(_("You may not revoke this token."))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def api_token_authenticate(raw: str) -> Actor | None:
    """The actor a raw token stands for, or None when it is unknown, revoked, or its user is
    inactive or no longer a member of the token's municipality."""
    if not raw or not raw.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user", "municipality")
        .filter(digest=token_digest(raw), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    actor = actor_for(token.user, token.municipality_id)
    if actor is None or actor.municipality.pk != token.municipality_id:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        # At most one write a minute per token, however busy the integration is.
        ApiToken.objects.filter(pk=token.pk).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - LAST_USED_RESOLUTION)
        ).update(last_used_at=now)
    return actor


# --- ninja authentication classes --------------------------------------------------------------------


class TokenAuth(HttpBearer):
    """``Authorization: Bearer <token>``."""

    openapi_description = "An API token: `thukkhon manage issue_api_token USERNAME --name NAME`."

    def authenticate(self, request: HttpRequest, token: str) -> Actor | None:
        actor = api_token_authenticate(token.strip())
        if actor is not None:
            # Change history (simple_history) records the token's user as the author.
            request.user = actor.user
        return actor


class SessionAuth(APIKeyCookie):
    """The signed-in browser session. Unsafe methods must pass Django's CSRF check."""

    param_name = settings.SESSION_COOKIE_NAME
    openapi_description = "The browser session of a signed-in user (send the CSRF token on writes)."

    def _get_key(self, request: HttpRequest) -> str | None:
        key = request.COOKIES.get(self.param_name)
        if not key or "HTTP_AUTHORIZATION" in request.META:
            # No session, or an integration that sent its own credentials: not ours to judge.
            return None
        if self.csrf and check_csrf(request):
            raise HttpError(403, _("CSRF check failed. Reload the page and try again."))
        return key

    def authenticate(self, request: HttpRequest, key: str | None) -> Actor | None:
        if key is None or not request.user.is_authenticated:
            return None
        return actor_from_request(request)


# --- Pagination --------------------------------------------------------------------------------------


class PageInput(Schema):
    limit: int = Field(25, ge=1, le=200, description="Items per page (1–200).")
    offset: int = Field(0, ge=0, description="Items to skip.")


class Pagination(LimitOffsetPagination):
    """``?limit=&offset=`` → ``{"items": [...], "count": N}``: at most 200 items a page, 25 by default."""

    MAX_LIMIT = 200
    Input = PageInput  # type: ignore[assignment]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_limit=self.MAX_LIMIT, **kwargs)


def request_actor(request: HttpRequest) -> Actor:
    """The authenticated actor of an API request."""
    actor = getattr(request, "auth", None)
    if not isinstance(actor, Actor):  # pragma: no cover - every operation requires auth
        raise PermissionDenied
    return actor
