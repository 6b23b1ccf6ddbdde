"""The rules page of the People Assistance Vehicle: administrators change them, welfare officers and
dispatchers read them, anyone else gets a 404."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from thukkhon.core.actor import request_actor
from thukkhon.people.forms import add_service_errors
from thukkhon.rides import configuration
from thukkhon.rides.eligibility import settings_for
from thukkhon.rides.models import RideSettings

GROUPS = [
    (
        gettext_lazy("Time windows"),
        ["arrive_before_min", "window_min", "max_ride_factor", "max_ride_extra_min", "book_days_ahead"],
    ),
    (gettext_lazy("Service hours"), ["day_starts", "day_ends"]),
    (
        gettext_lazy("Travel and boarding"),
        ["speed_kmh", "detour_factor", "service_walk_min", "service_wheelchair_min", "service_stretcher_min"],
    ),
    (
        gettext_lazy("Who may ride"),
        [
            "min_age",
            "disability_eligible",
            "dependency_eligible",
            "welfare_card_eligible",
            "medical_purposes_only",
            "ineligible_requests",
        ],
    ),
    (gettext_lazy("Costs"), ["private_hire_cost"]),
]


class SettingsForm(forms.ModelForm):
    class Meta:
        model = RideSettings
        fields = configuration.FIELDS
        widgets = {
            "day_starts": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "day_ends": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }


@login_required
@require_http_methods(["GET", "POST"])
def ride_settings(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    if not configuration.can_read_settings(actor):
        raise Http404
    assert actor is not None
    rules = settings_for(actor.municipality.pk)
    can_change = configuration.can_change_settings(actor)
    status = 200
    if request.method == "POST":
        if not can_change:
            raise Http404
        form = SettingsForm(request.POST, instance=RideSettings(municipality=actor.municipality))
        if form.is_valid():
            try:
                configuration.ride_settings_update(actor=actor, values=form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request, _("The rules were saved. They apply to bookings and plans from now on.")
                )
                return redirect("rides:settings")
        status = 400
    else:
        form = SettingsForm(instance=rules)
    if not can_change:
        for field in form.fields.values():
            field.disabled = True
    groups = [(title, [form[name] for name in names]) for title, names in GROUPS]
    return render(
        request,
        "rides/settings.html",
        {"form": form, "groups": groups, "can_change": can_change},
        status=status,
    )
