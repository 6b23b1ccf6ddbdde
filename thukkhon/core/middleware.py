from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

from thukkhon.core.actor import actor_from_request


class ActorMiddleware:
    """Sets ``request.actor`` (None for anonymous users and users without a membership) and
    speaks the signed-in user's own language unless this browser chose one with the switch."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        actor = actor_from_request(request)
        request.actor = actor  # type: ignore[attr-defined]
        if actor is not None and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
            language = actor.user.language
            if language and language != translation.get_language():
                translation.activate(language)
                request.LANGUAGE_CODE = language
        return self.get_response(request)
