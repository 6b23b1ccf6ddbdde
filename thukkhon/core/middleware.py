from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

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


class PasswordChangeRequiredMiddleware:
    """A user whose password someone else chose (a one-time password) changes it before using any
    page; logging out, the language switch, static files and the token API are not held back."""

    OPEN = ("/logout/", "/i18n/", "/static/", "/api/")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and getattr(user, "must_change_password", False):
            target = reverse("password-change")
            if request.path != target and not request.path.startswith(self.OPEN):
                if request.method == "GET":
                    messages.info(request, _("Choose your own password before you go on."))
                return redirect(target)
        return self.get_response(request)
