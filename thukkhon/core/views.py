from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from thukkhon.core.access import access_job


class LoginView(auth_views.LoginView):
    template_name = "core/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html", {})


@login_required
def job_status(request: HttpRequest, job_id: int) -> HttpResponse:
    job = access_job(request.actor, job_id)  # type: ignore[attr-defined]
    return render(request, "core/job.html", {"job": job})
