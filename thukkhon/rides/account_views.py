"""The resident's own sign-in, managed by welfare officers and administrators (see rides.accounts)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from thukkhon.core.actor import Actor, request_actor
from thukkhon.people.access import access_resident
from thukkhon.people.forms import add_service_errors
from thukkhon.people.line import link_log
from thukkhon.people.models import Resident
from thukkhon.rides import accounts


class UsernameForm(forms.Form):
    username = forms.CharField(label=gettext_lazy("Username"), max_length=150)


def _manager(request: HttpRequest, resident_id: int) -> tuple[Actor, Resident]:
    actor = request_actor(request)
    resident = access_resident(actor, resident_id)
    if actor is None or not accounts.can_manage_accounts(actor):
        raise Http404
    return actor, resident


@login_required
@require_http_methods(["GET", "POST"])
def resident_account(request: HttpRequest, resident_id: int) -> HttpResponse:
    actor, resident = _manager(request, resident_id)
    create_form = UsernameForm(prefix="new", initial={"username": accounts.suggest_username(resident)})
    link_form = UsernameForm(prefix="link")
    new_sign_in: accounts.NewSignIn | None = None
    errors: list[str] = []
    action = request.POST.get("action", "") if request.method == "POST" else ""
    try:
        if action == "create":
            create_form = UsernameForm(request.POST, prefix="new")
            if create_form.is_valid():
                try:
                    new_sign_in = accounts.resident_account_create(
                        actor=actor, resident=resident, username=create_form.cleaned_data["username"]
                    )
                except ValidationError as error:
                    add_service_errors(create_form, error)
        elif action == "link":
            link_form = UsernameForm(request.POST, prefix="link")
            if link_form.is_valid():
                try:
                    account = accounts.resident_account_link(
                        actor=actor, resident=resident, username=link_form.cleaned_data["username"]
                    )
                except ValidationError as error:
                    add_service_errors(link_form, error)
                else:
                    messages.success(
                        request, _("%(username)s is now linked.") % {"username": account.user.username}
                    )
                    return redirect("rides:resident-account", resident.pk)
        elif action == "unlink":
            try:
                user = accounts.resident_account_unlink(actor=actor, resident=resident)
            except ValidationError as error:
                errors = error.messages
            else:
                messages.success(
                    request, _("%(username)s is no longer linked.") % {"username": user.username}
                )
                return redirect("rides:resident-account", resident.pk)
        elif action == "password":
            try:
                new_sign_in = accounts.resident_account_new_password(actor=actor, resident=resident)
            except ValidationError as error:
                errors = error.messages
        elif request.method == "POST":
            errors = [_("Unknown action.")]
    except PermissionDenied:
        raise Http404 from None
    context = {
        "resident": resident,
        "account": accounts.account_of(resident),
        "new_sign_in": new_sign_in,
        "create_form": create_form,
        "link_form": link_form,
        "errors": errors,
        "log": link_log(resident),
    }
    return render(request, "rides/accounts/resident_account.html", context, status=400 if errors else 200)
