from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _

from thukkhon.core.access import access_job
from thukkhon.core.roles import Role
from thukkhon.core.services import password_changed
from thukkhon.core.templatetags.ui import reports_for

# core may not import the apps built on it: the registry figures on the home pages come from the
# ``registry`` template tags of thukkhon.people (see thukkhon/people/templatetags/registry.py).
HOME_TEMPLATES = {role: f"core/home/{role}.html" for role in Role.values}


class LoginView(auth_views.LoginView):
    template_name = "core/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass


class PasswordChangeView(auth_views.PasswordChangeView):
    """Change one's own password (the password policy applies); a one-time password must be changed
    before anything else (:class:`~thukkhon.core.middleware.PasswordChangeRequiredMiddleware`)."""

    template_name = "core/password_change.html"
    success_url = reverse_lazy("home")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        password_changed(self.request.user)  # type: ignore[arg-type]
        messages.success(self.request, _("Your password was changed."))
        return response


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The home page of the actor's role: what that role does first.

    A person with several roles sees their first role's page and may switch with ``?role=``."""
    actor = request.actor  # type: ignore[attr-defined]
    if not actor:
        return render(request, "core/home/no_role.html", {})
    role = request.GET.get("role", "")
    if role not in actor.roles:
        role = actor.primary_role
    order = list(Role.values)
    context = {"role": role, "other_roles": sorted(actor.roles - {role}, key=order.index)}
    return render(request, HOME_TEMPLATES[role], context)


@login_required
def job_status(request: HttpRequest, job_id: int) -> HttpResponse:
    job = access_job(request.actor, job_id)  # type: ignore[attr-defined]
    return render(request, "core/job.html", {"job": job})


@login_required
def reports(request: HttpRequest) -> HttpResponse:
    """The reports and dashboards the actor's roles may open, in one place."""
    actor = request.actor  # type: ignore[attr-defined]
    found = reports_for(actor.roles) if actor else []
    if not found:
        raise Http404
    return render(request, "core/reports.html", {"reports": found})


def credits(request: HttpRequest) -> HttpResponse:
    """About ThukKhon: the data and the front-end assets it ships, with their licences."""
    return render(request, "core/credits.html", {})
