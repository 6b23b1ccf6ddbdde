"""Fleet pages for administrators and dispatchers: vehicles, drivers, shifts per day and
out-of-service periods. Everyone else gets a 404."""

from __future__ import annotations

from datetime import time, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from thukkhon.core.actor import Actor, request_actor
from thukkhon.core.thai import parse_be_date
from thukkhon.fleet import selectors, services
from thukkhon.fleet.forms import DriverForm, OutOfServiceForm, ShiftForm, VehicleForm, at
from thukkhon.fleet.models import Driver, Shift, Vehicle
from thukkhon.people.forms import add_service_errors


def _manager(request: HttpRequest) -> Actor:
    actor: Actor | None = request_actor(request)
    if actor is None or not actor.has_role(*services.FLEET_MANAGERS):
        raise Http404
    return actor


def _vehicle(actor: Actor, vehicle_id: int) -> Vehicle:
    found = selectors.vehicles_of(actor.municipality).filter(pk=vehicle_id).first()
    if found is None:
        raise Http404
    return found


def _driver(actor: Actor, driver_id: int) -> Driver:
    found = selectors.drivers_of(actor.municipality).filter(pk=driver_id).first()
    if found is None:
        raise Http404
    return found


@login_required
def vehicle_list(request: HttpRequest) -> HttpResponse:
    actor = _manager(request)
    return render(request, "fleet/vehicle_list.html", {"vehicles": selectors.vehicles_of(actor.municipality)})


@login_required
@require_http_methods(["GET", "POST"])
def vehicle_edit(request: HttpRequest, vehicle_id: int | None = None) -> HttpResponse:
    actor = _manager(request)
    instance = _vehicle(actor, vehicle_id) if vehicle_id else None
    form = VehicleForm(request.POST or None, actor=actor, instance=instance)
    if request.method == "POST" and form.is_valid():
        try:
            services.vehicle_save(actor=actor, vehicle=form.save(commit=False))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The vehicle was saved."))
            return redirect("fleet:vehicle-list")
    return render(request, "fleet/form.html", {"form": form, "title": _("Vehicle")})


@login_required
def driver_list(request: HttpRequest) -> HttpResponse:
    actor = _manager(request)
    return render(request, "fleet/driver_list.html", {"drivers": selectors.drivers_of(actor.municipality)})


@login_required
@require_http_methods(["GET", "POST"])
def driver_edit(request: HttpRequest, driver_id: int | None = None) -> HttpResponse:
    actor = _manager(request)
    instance = _driver(actor, driver_id) if driver_id else None
    form = DriverForm(request.POST or None, actor=actor, instance=instance)
    if request.method == "POST" and form.is_valid():
        try:
            services.driver_save(actor=actor, driver=form.save(commit=False))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The driver was saved."))
            return redirect("fleet:driver-list")
    return render(request, "fleet/form.html", {"form": form, "title": _("Driver")})


@login_required
@require_http_methods(["GET", "POST"])
def shift_list(request: HttpRequest) -> HttpResponse:
    """The shifts of one day, and a form to add one."""
    actor = _manager(request)
    try:
        day = parse_be_date(request.GET["day"]) if request.GET.get("day") else timezone.localdate()
    except ValueError:
        day = timezone.localdate()
    form = ShiftForm(request.POST or None, actor=actor, initial={"day": day})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.shift_create(
                actor=actor,
                vehicle=data["vehicle"],
                driver=data["driver"],
                starts_at=at(data["day"], data["starts"]),
                ends_at=at(data["day"], data["ends"]),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The shift was added."))
            return redirect(
                f"{request.path}?day={data['day'].day:02d}/{data['day'].month:02d}/{data['day'].year + 543}"
            )
    start = at(day, time.min)
    shifts = selectors.shifts_overlapping(actor.municipality, start, start + timedelta(days=1))
    return render(request, "fleet/shift_list.html", {"form": form, "shifts": shifts, "day": day})


@login_required
@require_POST
def shift_delete(request: HttpRequest, shift_id: int) -> HttpResponse:
    actor = _manager(request)
    shift = Shift.objects.filter(municipality=actor.municipality, pk=shift_id).first()
    if shift is None:
        raise Http404
    try:
        services.shift_delete(actor=actor, shift=shift)
    except PermissionDenied:
        raise Http404 from None
    messages.success(request, _("The shift was removed."))
    return redirect("fleet:shift-list")


@login_required
@require_http_methods(["GET", "POST"])
def out_of_service_list(request: HttpRequest) -> HttpResponse:
    actor = _manager(request)
    form = OutOfServiceForm(request.POST or None, actor=actor)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.out_of_service_create(
                vehicle=data["vehicle"],
                starts_at=at(data["start_day"], data["start_time"]),
                ends_at=at(data["end_day"], data["end_time"]),
                reason=data["reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The vehicle is out of service for that period."))
            return redirect("fleet:out-of-service")
    periods = selectors.out_of_service_periods(actor.municipality)[:100]
    return render(request, "fleet/out_of_service.html", {"form": form, "periods": periods})
