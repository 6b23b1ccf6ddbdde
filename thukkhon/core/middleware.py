from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject

from thukkhon.core.actor import actor_from_request


class ActorMiddleware:
    """Sets ``request.actor`` (None for anonymous users and users without a membership) and
    switches to the signed-in user's own language unless they chose one in this session."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.actor = SimpleLazyObject(lambda: actor_from_request(request))  # type: ignore[attr-defined]
        return self.get_response(request)
