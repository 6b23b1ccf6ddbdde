"""The driver's manifest on a phone: today's runs, each run's stops in order, and the taps.

A tap is a plain POST form (it works without JavaScript); ``manifest.js`` sends the same form with
``Accept: application/json`` and queues it in localStorage while the phone is offline. Each tap
carries an idempotency key, so a retried one changes nothing and gets the same answer.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from thukkhon.core.access import log_sensitive_read
from thukkhon.core.actor import Actor
from thukkhon.rides import manifest


def _actor(request: HttpRequest) -> Actor:
    actor: Actor | None = request.actor or None  # type: ignore[attr-defined]
    if actor is None or not manifest.can_use_manifest(actor):
        raise Http404
    return actor


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@login_required
@require_GET
def manifest_today(request: HttpRequest) -> HttpResponse:
    """Today's runs; a driver with one run goes straight to it."""
    actor = _actor(request)
    wanted = request.GET.get("date", "")
    try:
        day = date.fromisoformat(wanted) if wanted else timezone.localdate()
    except ValueError:
        raise Http404 from None
    runs = manifest.runs_of_day(actor, day)
    if len(runs) == 1 and not actor.has_role(*manifest.STAFF):
        return _render_run(request, actor, runs[0])
    return render(request, "rides/manifest/index.html", {"runs": runs, "day": day})


@login_required
@require_GET
def manifest_run(request: HttpRequest, run_id: int) -> HttpResponse:
    actor = _actor(request)
    return _render_run(request, actor, manifest.access_run(actor, run_id))


def _render_run(request: HttpRequest, actor: Actor, run: Any) -> HttpResponse:
    cards = manifest.manifest_stops(run)
    log_sensitive_read(actor, run, what="passenger needs (manifest)", via=request.path)
    context = {"run": run, "cards": cards, "next_card": next((c for c in cards if c.actions), None)}
    if request.GET.get("partial") == "stops":
        return render(request, "rides/manifest/includes/stops.html", context)
    return render(request, "rides/manifest/run.html", context)


@login_required
@require_POST
def manifest_tap(request: HttpRequest, stop_id: int, action: str) -> HttpResponse:
    actor = _actor(request)
    stop = manifest.access_stop(actor, stop_id)
    key = request.POST.get("key", "") or request.headers.get("Idempotency-Key", "")
    try:
        result = manifest.stop_tap(
            actor=actor, stop=stop, action=action, key=key, at=manifest.tap_time(request.POST.get("at"))
        )
    except (ValidationError, PermissionDenied) as exc:
        text = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        if _wants_json(request):
            return JsonResponse({"ok": False, "stop": stop.pk, "error": text}, status=409)
        messages.error(request, text)
        return redirect("rides:manifest-run", stop.run_id)
    if _wants_json(request):
        response = JsonResponse(result.as_json())
        if result.replayed:
            response["Idempotent-Replayed"] = "true"
        return response
    return redirect(f"{_run_url(stop.run_id)}#stop-{stop.pk}")


def _run_url(run_id: int) -> str:
    from django.urls import reverse

    return reverse("rides:manifest-run", args=[run_id])
