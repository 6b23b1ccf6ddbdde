"""Daily plan pages for the dispatcher: start planning (a background job with a progress bar),
review runs on a timeline and a map, move, lock and take off trips, same-day insertion, publish.

Only dispatchers and administrators of the plan's municipality see these pages (404 for anyone
else). Every change form carries the plan version it was shown with; a stale one is refused with a
conflict message (HTTP 409) and changes nothing.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from thukkhon.core.access import require_role
from thukkhon.core.actor import Actor, request_actor
from thukkhon.core.fields import BEDateField
from thukkhon.core.http import is_htmx
from thukkhon.core.models import Job
from thukkhon.core.roles import Role
from thukkhon.rides import planning
from thukkhon.rides.models import Plan, RideRequest
from thukkhon.rides.planning import PlanConflict
from thukkhon.rides.tasks import plan_start

PLANNERS = frozenset({Role.DISPATCHER, Role.ADMIN})


def _planner(request: HttpRequest) -> Actor:
    return require_role(request_actor(request), PLANNERS)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise Http404 from None


def _plan(actor: Actor, day: date) -> Plan | None:
    """The actor's municipality's plan of the day (never another town's)."""
    return (
        Plan.objects.filter(municipality=actor.municipality, service_date=day).select_related("job").first()
    )


def _int(request: HttpRequest, name: str, *, required: bool = True) -> int | None:
    raw = request.POST.get(name, "").strip()
    if not raw and not required:
        return None
    try:
        return int(raw)
    except ValueError:
        raise ValidationError(_("Invalid value: %s") % name) from None


def _running(job: Job | None) -> bool:
    return job is not None and job.status in (Job.Status.QUEUED, Job.Status.RUNNING)


@login_required
@require_GET
def plan_index(request: HttpRequest) -> HttpResponse:
    actor = _planner(request)
    tomorrow = timezone.localdate() + timedelta(days=1)
    form = PlanDateForm(request.GET or None, initial={"date": tomorrow})
    if form.is_valid():
        return redirect("rides:plan-day", form.cleaned_data["date"].isoformat())
    plans = Plan.objects.filter(municipality=actor.municipality).order_by("-service_date")[:30]
    return render(request, "rides/plan/index.html", {"plans": plans, "form": form})


class PlanDateForm(forms.Form):
    date = BEDateField(label=gettext_lazy("Date"))


def _map_data(runs: list[planning.RunView], unplanned: list[RideRequest]) -> dict[str, Any]:
    colours = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2"]
    data: dict[str, Any] = {"runs": [], "unplanned": []}
    for i, view in enumerate(runs):
        depot = view.run.vehicle.depot
        points = []
        for sv in view.stops:
            ride = sv.stop.request
            pickup = sv.stop.kind == "pickup"
            points.append(
                {
                    "lat": float(ride.pickup_lat if pickup else ride.dropoff_lat),
                    "lng": float(ride.pickup_lon if pickup else ride.dropoff_lon),
                    "label": f"{sv.stop.sequence}. {timezone.localtime(sv.stop.planned_at):%H:%M} "
                    f"{'↑' if pickup else '↓'} {ride.resident.first_name}",
                }
            )
        data["runs"].append(
            {
                "name": view.run.vehicle.name,
                "colour": colours[i % len(colours)],
                "depot": [float(depot.latitude), float(depot.longitude)] if depot else None,
                "stops": points,
            }
        )
    for ride in unplanned:
        data["unplanned"].append(
            {"lat": float(ride.pickup_lat), "lng": float(ride.pickup_lon), "label": str(ride.resident)}
        )
    return data


def _render_day(
    request: HttpRequest, actor: Actor, day: date, *, error: str = "", status: int = 200
) -> HttpResponse:
    plan = _plan(actor, day)
    fleet = planning.availability(actor.municipality, day, ignore_references=planning.run_references(plan))
    runs = planning.plan_review(plan, fleet) if plan else []
    unplanned = planning.unplanned_requests(plan) if plan else []
    vehicles = [vehicle_day.vehicle for vehicle_day in fleet]
    waiting = planning.plannable_requests(actor.municipality, day)
    context = {
        "day": day,
        "plan": plan,
        "job": plan.job if plan else None,
        "running": _running(plan.job if plan else None),
        "runs": runs,
        "unplanned": unplanned,
        "vehicles": vehicles,
        "timeline": planning.plan_timeline(fleet, runs),
        "affected": [view for view in runs if view.conflicts],
        "n_requests": len(waiting),
        "error": error,
        "map_json": json.dumps(_map_data(runs, unplanned), ensure_ascii=False),
        "tiles": settings.MAP_TILE_URL,
        "attribution": settings.MAP_TILE_ATTRIBUTION,
    }
    return render(request, "rides/plan/day.html", context, status=status)


@login_required
@require_GET
def plan_day(request: HttpRequest, day: str) -> HttpResponse:
    actor = _planner(request)
    return _render_day(request, actor, _day(day))


@login_required
@require_POST
def plan_run(request: HttpRequest, day: str) -> HttpResponse:
    """Start (or restart) planning the day in the background."""
    actor = _planner(request)
    when = _day(day)
    try:
        with transaction.atomic():
            plan = planning.plan_get_or_create(municipality=actor.municipality, service_date=when)
            version = _int(request, "version", required=False) or plan.version
            seconds = float(getattr(settings, "RIDES_PLAN_SECONDS", planning.DEFAULT_TIME_LIMIT))
            plan_start(plan=plan, version=version, user=actor.user, time_limit=seconds)
    except ValidationError as exc:
        return _refused(request, actor, when, exc)
    if is_htmx(request):
        return _progress(request, actor, when)
    return redirect("rides:plan-day", when.isoformat())


def _progress(request: HttpRequest, actor: Actor, day: date) -> HttpResponse:
    plan = _plan(actor, day)
    if plan is None:
        raise Http404
    job = plan.job
    response = render(
        request,
        "rides/plan/includes/progress.html",
        {"plan": plan, "job": job, "running": _running(job), "day": day},
    )
    if is_htmx(request) and job is not None and not _running(job):
        response["HX-Refresh"] = "true"  # the new plan replaces the whole page
    return response


@login_required
@require_GET
def plan_progress(request: HttpRequest, day: str) -> HttpResponse:
    actor = _planner(request)
    return _progress(request, actor, _day(day))


def _refused(request: HttpRequest, actor: Actor, day: date, exc: ValidationError) -> HttpResponse:
    status = 409 if isinstance(exc, PlanConflict) else 400
    return _render_day(request, actor, day, error=" ".join(exc.messages), status=status)


def _change(request: HttpRequest, day: str, change: Any, done: str) -> HttpResponse:
    actor = _planner(request)
    when = _day(day)
    plan = _plan(actor, when)
    if plan is None:
        raise Http404
    try:
        version = _int(request, "version")
        change(actor, plan, version)
    except ValidationError as exc:
        return _refused(request, actor, when, exc)
    messages.success(request, done)
    return redirect(reverse("rides:plan-day", args=[when.isoformat()]))


@login_required
@require_POST
def plan_move(request: HttpRequest, day: str) -> HttpResponse:
    def change(actor: Actor, plan: Plan, version: int) -> None:
        pickup = _int(request, "pickup_position", required=False)
        dropoff = _int(request, "delivery_position", required=False)
        planning.plan_move_trip(
            plan=plan,
            version=version,
            request_id=_int(request, "request") or 0,
            vehicle_id=_int(request, "vehicle") or 0,
            pickup_position=None if pickup is None else pickup - 1,  # the page counts from 1
            delivery_position=None if dropoff is None else dropoff - 1,
        )

    return _change(request, day, change, _("Trip moved."))


@login_required
@require_POST
def plan_unplan(request: HttpRequest, day: str) -> HttpResponse:
    def change(actor: Actor, plan: Plan, version: int) -> None:
        planning.plan_unplan_trip(plan=plan, version=version, request_id=_int(request, "request") or 0)

    return _change(request, day, change, _("Trip taken off the plan."))


@login_required
@require_POST
def plan_lock(request: HttpRequest, day: str) -> HttpResponse:
    locked = request.POST.get("locked", "1") == "1"

    def change(actor: Actor, plan: Plan, version: int) -> None:
        planning.plan_lock(
            plan=plan,
            version=version,
            run_id=_int(request, "run") or 0,
            stop_id=_int(request, "stop", required=False),
            locked=locked,
        )

    return _change(request, day, change, _("Locked.") if locked else _("Unlocked."))


@login_required
@require_POST
def plan_publish(request: HttpRequest, day: str) -> HttpResponse:
    def change(actor: Actor, plan: Plan, version: int) -> None:
        planning.plan_publish(plan=plan, version=version)

    return _change(request, day, change, _("Plan published: vehicles reserved."))


@login_required
@require_GET
def plan_options(request: HttpRequest, day: str, request_id: int) -> HttpResponse:
    """Ranked places for a request not in the plan (same-day insertion)."""
    actor = _planner(request)
    when = _day(day)
    plan = _plan(actor, when)
    ride = (
        RideRequest.objects.filter(pk=request_id, municipality=actor.municipality, service_date=when)
        .select_related("resident")
        .first()
    )
    if plan is None or ride is None:
        raise Http404
    error = ""
    options: list[planning.Option] = []
    try:
        options = planning.insertion_options(plan=plan, request=ride)
    except ValidationError as exc:
        error = " ".join(exc.messages)
    context = {"day": when, "plan": plan, "ride": ride, "options": options, "error": error}
    return render(request, "rides/plan/options.html", context)
